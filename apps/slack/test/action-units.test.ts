import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '@ringmaster/modes';
import { writePlan } from '@ringmaster/renderer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE } from '../../../packages/connector-prometheus/test/plan.js';
import { actionLine, commitUrl } from '../src/actions/action-line.js';
import { connectorsFromEnv } from '../src/actions/connectors.js';
import { ConfigError } from '../src/config.js';
import { promoteFlow, rollbackFlow } from '../src/flows/index.js';
import { mrkdwn } from '../src/slack-text.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A real plan --out folder: the GitOps connector takes its signer from the promotion script. */
let plan: string;
beforeAll(async () => {
  plan = join(mkdtempSync(join(tmpdir(), 'rm-slack-plan-')), 'out');
  await writePlan(createEngine().plan(structuredClone(PROFILE)), plan);
}, 120_000);
afterAll(() => rmSync(join(plan, '..'), { recursive: true, force: true }));

describe('acting steps: configuration, plans and thread lines', () => {
  it('connectors are off until configured; a bad setting names its variable in one line', () => {
    expect(connectorsFromEnv({})).toEqual({ dryRun: false });
    expect(connectorsFromEnv({ RINGMASTER_ACTIONS_DRY_RUN: 'yes' }).dryRun).toBe(true);
    const review = connectorsFromEnv({ RINGMASTER_CONFIG_REPO: 'https://example.com/acme/deploy.git', RINGMASTER_PLAN_DIR: plan, RINGMASTER_CONFIG_REVIEW: 'gitlab', RINGMASTER_CONFIG_PROJECT: 'acme/deploy', RINGMASTER_GIT_TOKEN: 'secret-token' });
    expect(review.gitops).toBeDefined();
    void review.gitops?.close();
    const repo = { RINGMASTER_CONFIG_REPO: 'https://example.com/acme/deploy.git', RINGMASTER_PLAN_DIR: plan };
    const cases: [Record<string, string>, string][] = [
      [{ RINGMASTER_ACTIONS_DRY_RUN: 'maybe' }, 'RINGMASTER_ACTIONS_DRY_RUN'],
      [{ ...repo, RINGMASTER_CONFIG_REPO: 'https://user:secret-token@example.com/acme/deploy.git' }, 'RINGMASTER_CONFIG_REPO'],
      [{ RINGMASTER_PROMETHEUS_URL: 'http://127.0.0.1:9090' }, 'RINGMASTER_PLAN_DIR'],
      [{ ...repo, RINGMASTER_CONFIG_REVIEW: 'bitbucket' }, 'RINGMASTER_CONFIG_REVIEW'],
      [{ ...repo, RINGMASTER_CONFIG_REVIEW: 'github' }, 'RINGMASTER_CONFIG_PROJECT'],
      [{ ...repo, RINGMASTER_CONFIG_REVIEW: 'github', RINGMASTER_CONFIG_PROJECT: 'acme/deploy' }, 'RINGMASTER_GIT_TOKEN'],
      [{ ...repo, RINGMASTER_CONFIG_REVIEW: 'github', RINGMASTER_CONFIG_PROJECT: 'acme/deploy', RINGMASTER_GIT_TOKEN: 'secret-token', RINGMASTER_CONFIG_API_URL: 'http://api.example.com' }, 'RINGMASTER_CONFIG_API_URL'],
      [{ RINGMASTER_PROMETHEUS_URL: 'http://127.0.0.1:9090', RINGMASTER_PLAN_DIR: '/nonexistent/plan' }, 'RINGMASTER_PLAN_DIR'],
      [{ RINGMASTER_CONFIG_REPO: repo.RINGMASTER_CONFIG_REPO }, 'RINGMASTER_PLAN_DIR'],
      [{ ...repo, RINGMASTER_PLAN_DIR: '/nonexistent/plan' }, 'RINGMASTER_PLAN_DIR'],
    ];
    for (const [env, variable] of cases) {
      let error: unknown;
      try {
        connectorsFromEnv(env);
      } catch (err) {
        error = err;
      }
      expect(error, variable).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).not.toContain('secret-token');
    }
  });

  it('a promotion of a digest gets a commit step per ring, after the previous approval; a version or no connector gets none', () => {
    const on = { defaultRings: [], actions: { gitops: true, health: true } };
    const { checklist, params } = promoteFlow.plan({ service: 'api', version: DIGEST, rings: ['canary', 'general'] }, on);
    const ids = checklist.steps.map((s) => s.id);
    expect(ids.indexOf('promote-1')).toBe(1);
    expect(ids.indexOf('promote-2')).toBe(ids.indexOf('ring-canary-approve') + 1);
    expect(params['actions']).toEqual({
      'promote-1': { action: 'promote', target: 'canary', digest: DIGEST },
      'ring-canary-bake': { action: 'canary-health', target: 'canary' },
      'promote-2': { action: 'promote', target: 'general', digest: DIGEST },
      'ring-general-bake': { action: 'canary-health', target: 'general' },
    });
    expect(promoteFlow.plan({ service: 'api', version: '1.2.3', rings: ['canary'] }, on).params['actions']).toBeUndefined();
    expect(promoteFlow.plan({ service: 'api', version: DIGEST, rings: ['canary'] }, { defaultRings: [] }).params['actions']).toBeUndefined();
  });

  it('rollback reads a ring or a version in second place', () => {
    expect(rollbackFlow.parse(['api', 'canary'])).toEqual({ ok: true, args: { service: 'api', ring: 'canary' } });
    expect(rollbackFlow.parse(['api', 'canary', DIGEST])).toEqual({ ok: true, args: { service: 'api', ring: 'canary', version: DIGEST } });
    expect(rollbackFlow.parse(['api', 'v1.2.3'])).toEqual({ ok: true, args: { service: 'api', version: 'v1.2.3' } });
    expect(rollbackFlow.parse(['api', '1.2.3', 'extra']).ok).toBe(false);
  });

  it('commit links only for https repositories; every value in a thread line is escaped', () => {
    expect(commitUrl('https://github.com/acme/deploy.git', 'a'.repeat(40))).toBe(`https://github.com/acme/deploy/commit/${'a'.repeat(40)}`);
    expect(commitUrl('file:///tmp/config.git', 'a'.repeat(40))).toBeUndefined();
    expect(commitUrl('https://github.com/acme/deploy.git', 'not-a-sha')).toBeUndefined();
    const line = actionLine(mrkdwn`<@U1>`, mrkdwn`*step*`, { action: 'promote', outcome: 'failed', ring: '<!channel>', reason: 'push refused <@U2> & more' });
    expect(line).not.toContain('<!channel>');
    expect(line).not.toContain('<@U2>');
    expect(line).toContain('&lt;@U2&gt; &amp; more');
  });
});
