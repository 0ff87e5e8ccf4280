import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEventLog, verifyEventLog } from '@ringmaster/evidence';
import { evidenceRecorder, scrubCredentials } from '../src/evidence-log.js';

const dir = mkdtempSync(join(tmpdir(), 'rm-evidence-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = 'glpat-Planted0123456789secret';
const env = { RINGMASTER_GIT_TOKEN: TOKEN, RINGMASTER_GIT_TOKEN_USER: 'oauth2', SOME_API_KEY: 'k3y-planted-value', RINGMASTER_ACTOR: 'pipeline-bot', PATH: '/usr/bin' };
const run = { kind: 'promotion', title: 'promote ring0', params: { target: 'ring0' } } as const;

describe('credentials never reach the evidence', () => {
  it('removes environment credentials, their basic-auth forms and URL user information from every string', () => {
    const basic = Buffer.from(`oauth2:${TOKEN}`).toString('base64');
    const scrubbed = scrubCredentials(
      {
        reason: `git push failed: https://oauth2:${TOKEN}@gitlab.example.com/acme/deploy.git said no (Authorization: Basic ${basic})`,
        repository: `https://bot@gitlab.example.com/acme/deploy.git`,
        nested: { list: [`key ${env.SOME_API_KEY}`], ssh: 'ssh://git@gitlab.example.com/acme/deploy.git' },
        count: 3,
      },
      env,
    );
    expect(scrubbed).toEqual({
      reason: 'git push failed: https://gitlab.example.com/acme/deploy.git said no (Authorization: Basic [REDACTED])',
      repository: 'https://gitlab.example.com/acme/deploy.git',
      nested: { list: ['key [REDACTED]'], ssh: 'ssh://git@gitlab.example.com/acme/deploy.git' },
      count: 3,
    });
    // Values of variables that are not credentials stay.
    expect(scrubCredentials({ path: '/usr/bin/git' }, env)).toEqual({ path: '/usr/bin/git' });
  });

  it('records scrubbed actions in a log that verifies, opened by run.opened, with the actor from the environment', async () => {
    const file = join(dir, 'run.jsonl');
    const recorder = await evidenceRecorder(file, run, 'pipeline-7', env);
    expect(recorder.runId).toBe('pipeline-7');
    await recorder.record({ step: 'promote-ring0', data: { action: 'promote', outcome: 'failed', ring: 'ring0', reason: `push refused for token ${TOKEN}` } });
    await recorder.record({ data: { action: 'canary-health', outcome: 'done', ring: 'ring0', measurements: { 'canary-health/error-rate': 0.001 } } });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(verifyEventLog(text)).toMatchObject({ ok: true, count: 3, run: 'pipeline-7' });
    const events = parseEventLog(text);
    expect(events.map((e) => [e.type, e.actor, e.step])).toEqual([
      ['run.opened', 'pipeline-bot', undefined],
      ['action.performed', 'pipeline-bot', 'promote-ring0'],
      ['action.performed', 'pipeline-bot', undefined],
    ]);
    expect(events[1]?.data?.['reason']).toBe('push refused for token [REDACTED]');
    // The log's run wins over no --run; another --run is refused.
    expect((await evidenceRecorder(file, run, undefined, env)).runId).toBe('pipeline-7');
    await expect(evidenceRecorder(file, run, 'pipeline-8', env)).rejects.toThrow('--run: expected pipeline-7');
  });

  it('refuses a file that is not a log that verifies, and a directory', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"seq":0}\nnot json\n');
    await expect(evidenceRecorder(file, run, undefined, env)).rejects.toThrow(/^--evidence .*bad\.jsonl: expected a hash-chained evidence log that verifies, found one that does not at line 2: expected one JSON event per line, found invalid JSON$/);
    await expect(evidenceRecorder(dir, run, undefined, env)).rejects.toThrow(/expected an evidence log file, found a directory$/);
  });
});
