import type { Server } from 'node:http';
import { App, LogLevel } from '@slack/bolt';
import { Container } from 'inversify';
import type { Logger } from 'pino';
import { NO_CONNECTORS, type Connectors } from './actions/connectors.js';
import { Background } from './background.js';
import type { AppConfig } from './config.js';
import { RunRepository, type InboxRow } from './db/runs.js';
import type { Store } from './db/store.js';
import { EvidencePublisher } from './evidence-upload.js';
import { builtinFlows, type FlowContext, type FlowRegistry } from './flows/index.js';
import { ClickHandler, type ActionDelivery } from './handlers/clicks.js';
import { ReleaseCommandHandler, type CommandDelivery } from './handlers/release.js';
import { Inbox } from './inbox.js';
import { boltLogger } from './log.js';
import { OutboxDeliverer } from './outbox.js';
import { PlanModal } from './plan-modal.js';
import { Replica } from './replica.js';
import { RoleResolver } from './role-resolver.js';
import type { RoleMap } from './roles.js';
import { SlackOut } from './slack-out.js';
import { Timers } from './timers.js';
import { CLOCK, CONFIG, CONNECTORS, FLOWS, LOG, ROLE_MAP, SLACK_CLIENT, STORE, bindService, bindValue, resolve, token, type Get } from './tokens.js';

export { eventLine } from './blocks.js';
export { BundleError } from './evidence-upload.js';

export interface SlackAppDeps {
  config: AppConfig;
  store: Store;
  roles: RoleMap;
  log: Logger;
  /** The app's clock for events and timers (tests move it forward); Slack's signature window always uses real time. */
  now?: () => Date;
  /** Poll timers every `config.pollSeconds` (default true); tests call `tick()` instead. */
  pollTimers?: boolean;
  /**
   * Deliver the outbox after each commit, on start and on every tick (default
   * true). Tests turn it off to stand for a process that died right after a commit.
   */
  deliverOutbox?: boolean;
  /** How long a deliverer holds a run's outbox lease (default 120 s of the app clock). */
  outboxLeaseSeconds?: number;
  /**
   * This process's identity (RINGMASTER_REPLICA_ID): a process restarted under the same
   * identity takes over the inbox rows and outbox leases of its earlier life at once.
   * Default: random (each process a new identity; a dead one's work is taken over once
   * its heartbeat is stale). Two live processes must never share one.
   */
  replicaId?: string;
  /** Heartbeat interval (default 5 s); a process silent for four of them is gone. */
  heartbeatSeconds?: number;
  /** Post-ack jobs (transactions) at a time, default 8 (PGlite: 2); outbox deliveries (runs) at a time, default 32. */
  concurrency?: { work?: number; deliveries?: number };
  /** The flows `/release` opens (default: the four built-in ones); a new flow is one definition registered here. */
  flows?: FlowRegistry;
  /** The connectors of the acting steps (main: `connectorsFromEnv`); default none: every step is a button. */
  connectors?: Connectors;
}

export interface RingmasterSlack {
  app: App;
  repo: RunRepository;
  /** HTTP mode: listens on config.port/host and returns the server; Socket Mode: connects. */
  start(): Promise<Server | undefined>;
  stop(): Promise<void>;
  /** Resolves when every piece of post-ack work has finished. */
  settled(): Promise<void>;
  /** Fires due timers once (bake times, idle reminders), then delivers the undelivered outbox rows. */
  tick(): Promise<void>;
  /** Delivers every undelivered outbox row (oldest run first). */
  deliverPending(): Promise<void>;
}

/** The app's services, each bound once (the container's default scope) and built from what it needs. */
const S = {
  repo: token<RunRepository>('repo'),
  slack: token<SlackOut>('out'),
  background: token<Background>('background'),
  replica: token<Replica>('replica'),
  evidence: token<EvidencePublisher>('evidence'),
  outbox: token<OutboxDeliverer>('outbox'),
  roles: token<RoleResolver>('roles'),
  inbox: token<Inbox>('inbox'),
  commands: token<ReleaseCommandHandler>('commands'),
  clicks: token<ClickHandler>('clicks'),
  planModal: token<PlanModal>('plan-modal'),
  timers: token<Timers>('timers'),
};

/** Bolt's App over the config: HTTP or Socket Mode, Web API client retries, `/healthz`. */
function boltApp(config: AppConfig, log: Logger): App {
  return new App({
    signingSecret: config.signingSecret,
    token: config.botToken,
    ...(config.appToken ? { socketMode: true, appToken: config.appToken } : {}),
    logger: boltLogger(log, { logBodies: config.logBodies === true }) as never,
    logLevel: LogLevel.WARN,
    clientOptions: {
      ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
      // 429s wait for Retry-After and try again; other failures back off.
      retryConfig: { retries: 4, factor: 2, minTimeout: 250, maxTimeout: 5_000, randomize: true },
      rejectRateLimitedCalls: false,
    },
    customRoutes: [
      {
        path: '/healthz',
        method: ['GET'],
        handler: (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('ok');
        },
      },
    ],
  });
}

/**
 * The composition root: binds the outside world (config, store, clock, log, roles,
 * Slack's Web API client, the flows, the connectors of the acting steps) and the
 * app's modules in one container, then wires the handlers into Bolt and the timers
 * into the process.
 */
export function createSlackApp(deps: SlackAppDeps): RingmasterSlack {
  const { config, store, roles, log } = deps;
  const app = boltApp(config, log);
  const c = new Container({ defaultScope: 'Singleton' });
  bindValue(c, CONFIG, config);
  bindValue(c, STORE, store);
  bindValue(c, CLOCK, deps.now ?? (() => new Date()));
  bindValue(c, LOG, log);
  bindValue(c, ROLE_MAP, roles);
  bindValue(c, SLACK_CLIENT, app.client);
  bindValue(c, FLOWS, deps.flows ?? builtinFlows());
  bindValue(c, CONNECTORS, deps.connectors ?? NO_CONNECTORS);
  const flowContext = (x: Get): FlowContext => {
    const connectors = x(CONNECTORS);
    return { defaultRings: x(CONFIG).defaultRings, actions: { gitops: connectors.gitops !== undefined, health: connectors.health !== undefined } };
  };

  bindService(c, S.repo, (x) => new RunRepository(x(STORE), x(CONFIG).idleMinutes, x(CLOCK)));
  bindService(c, S.slack, (x) => new SlackOut(x(SLACK_CLIENT)));
  bindService(c, S.background, (x) => new Background(x(LOG), { work: deps.concurrency?.work ?? (x(STORE).kind === 'pglite' ? 2 : 8), deliveries: deps.concurrency?.deliveries ?? 32 }));
  bindService(c, S.replica, (x) => new Replica(x(S.repo), x(CLOCK), x(LOG), { replicaId: deps.replicaId, heartbeatSeconds: deps.heartbeatSeconds }));
  bindService(c, S.evidence, (x) => new EvidencePublisher(x(S.repo), x(S.slack), x(CONFIG)));
  bindService(c, S.outbox, (x) => {
    const options = { autoDeliver: deps.deliverOutbox !== false, leaseMs: (deps.outboxLeaseSeconds ?? 120) * 1000, snoozeMinutes: x(CONFIG).snoozeMinutes };
    return new OutboxDeliverer(x(S.repo), x(S.slack), x(S.evidence), x(FLOWS), x(S.background), x(S.replica), x(CLOCK), x(LOG), options);
  });
  bindService(c, S.roles, (x) => new RoleResolver(x(ROLE_MAP), x(SLACK_CLIENT)));
  // The inbox hands each delivery to its handler; the handlers are resolved when a delivery comes (they need the inbox too).
  bindService(c, S.inbox, (x) => {
    const process = (row: InboxRow): Promise<void> =>
      row.kind === 'command'
        ? resolve(c, S.commands).open(JSON.parse(row.payload) as CommandDelivery, row.key, row.received_at)
        : resolve(c, S.clicks).handle(JSON.parse(row.payload) as ActionDelivery, row.key, row.received_at);
    return new Inbox(x(S.repo), x(S.background), x(S.replica), x(CLOCK), x(LOG), process);
  });
  bindService(c, S.planModal, (x) => new PlanModal(x(CONFIG).signingSecret, x(S.slack), x(S.background), x(LOG)));
  bindService(
    c,
    S.commands,
    (x) => new ReleaseCommandHandler(x(S.repo), x(FLOWS), flowContext(x), x(CONNECTORS), x(S.slack), x(S.roles), x(S.inbox), x(S.outbox), x(S.evidence), x(S.planModal), x(S.background), x(LOG)),
  );
  bindService(c, S.clicks, (x) => new ClickHandler(x(S.repo), x(FLOWS), x(S.slack), x(S.roles), x(S.inbox), x(S.outbox), x(S.background), x(LOG), x(CONFIG).snoozeMinutes, x(CONNECTORS)));
  bindService(c, S.timers, (x) => new Timers(x(S.repo), x(FLOWS), flowContext(x), x(S.outbox), x(CONNECTORS), x(CLOCK), x(LOG)));

  const repo = resolve(c, S.repo);
  const background = resolve(c, S.background);
  const replica = resolve(c, S.replica);
  const outbox = resolve(c, S.outbox);
  const inbox = resolve(c, S.inbox);
  const timers = resolve(c, S.timers);
  resolve(c, S.commands).register(app);
  resolve(c, S.clicks).register(app);
  resolve(c, S.planModal).register(app);

  async function tick(): Promise<void> {
    await timers.fireDue();
    await timers.watchBakes();
    await inbox.sweep();
    await outbox.deliverPending();
  }

  let poller: NodeJS.Timeout | undefined;
  return {
    app,
    repo,
    async start() {
      if (deps.pollTimers !== false) {
        poller = setInterval(() => background.later('timers', {}, tick), config.pollSeconds * 1000);
        poller.unref();
      }
      await replica.start();
      // What an earlier process acknowledged but did not process, or committed but did not deliver.
      background.later('inbox', {}, () => inbox.sweep());
      background.later('outbox', {}, () => outbox.deliverPending());
      if (config.appToken) {
        await app.start();
        return undefined;
      }
      const server = (await app.start({ port: config.port, host: config.host } as never)) as unknown as Server;
      server.on('request', () => background.requestArrived());
      return server;
    },
    async stop() {
      if (poller) clearInterval(poller);
      replica.stopHeartbeat();
      await app.stop();
      await background.settled();
      await replica.leave();
    },
    settled: () => background.settled(),
    tick,
    deliverPending: () => outbox.deliverPending(),
  };
}
