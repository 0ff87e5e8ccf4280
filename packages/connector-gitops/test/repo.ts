import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliverySystem } from '@ringmaster/core';
import { createEngine } from '@ringmaster/modes';
import { writePlan } from '@ringmaster/renderer';
import { PROFILE } from '../../connector-prometheus/test/plan.js';

export const hasGit = spawnSync('git', ['--version']).status === 0;
export const hasKubectl = spawnSync('kubectl', ['version', '--client']).status === 0;

/** The profile every connector test plans (rings canary and general, the canary analysis and SLO alerts). */
export { PROFILE };

export const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });

export interface ConfigRemote {
  /** `file://` URL of the bare repository. */
  url: string;
  bare: string;
  /** The plan's output folder. */
  out: string;
  delivery: DeliverySystem;
  root: string;
}

/** A bare config repository made from the `gitops-config` part of a real plan of `profile`. */
export async function configRemote(profile: Record<string, unknown> = PROFILE): Promise<ConfigRemote> {
  const root = mkdtempSync(join(tmpdir(), 'ringmaster-gitops-'));
  const engine = createEngine();
  const result = engine.plan(structuredClone(profile));
  const out = join(root, 'out');
  await writePlan(result, out);
  const delivery = engine.delivery(structuredClone(profile));
  const bare = join(root, 'config.git');
  git(root, 'init', '--quiet', '--bare', bare);
  const seed = join(root, 'seed');
  mkdirSync(seed);
  // Without a GitOps operator the plan has no config folder: the repository starts with a README.
  if (existsSync(join(out, delivery.gitops.configDir))) cpSync(join(out, delivery.gitops.configDir), seed, { recursive: true });
  else writeFileSync(join(seed, 'README.md'), 'config repository\n');
  git(seed, 'init', '--quiet', '-b', 'main');
  git(seed, 'add', '-A');
  git(seed, 'commit', '--quiet', '-m', 'initial config');
  git(seed, 'push', '--quiet', `file://${bare}`, 'main');
  return { url: `file://${bare}`, bare, out, delivery, root };
}

/** A fresh clone of the remote, for reading what landed. */
export function cloneOf(remote: ConfigRemote, name: string): string {
  const dir = join(remote.root, name);
  git(remote.root, 'clone', '--quiet', remote.url, dir);
  return dir;
}

export const digestOf = (c: string): string => `sha256:${c.repeat(64)}`;
