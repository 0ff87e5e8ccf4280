import type { Container } from 'inversify';
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Connectors } from './actions/connectors.js';
import type { AppConfig } from './config.js';
import type { Store } from './db/store.js';
import type { FlowRegistry } from './flows/index.js';
import type { RoleMap } from './roles.js';

declare const serviceType: unique symbol;
/** An injection token that carries the type of what is bound under it. */
export type Token<T> = symbol & { readonly [serviceType]?: T };

export function token<T>(name: string): Token<T> {
  return Symbol(`ringmaster.slack.${name}`) as Token<T>;
}

/** What the composition root injects: the outside world (swapped by tests) and the app's services. */
export const CONFIG = token<AppConfig>('config');
export const STORE = token<Store>('store');
/** The app's clock for events and timers (tests move it forward); Slack's signature window always uses real time. */
export const CLOCK = token<() => Date>('clock');
export const LOG = token<Logger>('log');
export const ROLE_MAP = token<RoleMap>('role-map');
export const SLACK_CLIENT = token<webApi.WebClient>('slack-client');
export const FLOWS = token<FlowRegistry>('flows');
/** The connectors acting steps use (GitOps repository, canary health); each off until configured. */
export const CONNECTORS = token<Connectors>('connectors');

/** Resolves what is bound under a token, with the token's type. */
export type Get = <T>(service: Token<T>) => T;

/** Binds a value under a typed token. */
export function bindValue<T>(container: Container, service: Token<T>, value: T): void {
  container.bind<T>(service).toConstantValue(value);
}

/** Binds a service built (once, in the container's scope) from what else is bound. */
export function bindService<T>(container: Container, service: Token<T>, make: (get: Get) => T): void {
  container.bind<T>(service).toDynamicValue((context) => make(<U>(t: Token<U>) => context.get<U>(t)));
}

export function resolve<T>(container: Container, service: Token<T>): T {
  return container.get<T>(service);
}
