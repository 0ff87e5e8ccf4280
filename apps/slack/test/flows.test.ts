import type { Checklist } from '@ringmaster/core';
import { verifyBundle, type EvidenceBundle } from '@ringmaster/evidence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/db/store.js';
import { builtinFlows, defineFlow, FlowRegistry, incidentFlow, refuse, SERVICE_RE } from '../src/flows/index.js';
import { mrkdwn } from '../src/slack-text.js';
import { driveToEnd, startHarness, type Harness } from './harness.js';

/** A fifth flow, written here and nowhere else: a change freeze with an approval and a bake. */
function freezeChecklist(service: string, hours: number): Checklist {
  return {
    id: 'change-freeze',
    title: `Change freeze: ${service} (${hours} h)`,
    summary: 'Stop merges, announce, hold, lift.',
    kb: [],
    steps: [
      { id: 'announce', title: 'Announce the freeze in the release channel', kind: 'task' },
      { id: 'approve', title: 'Approve the freeze window', kind: 'approval' },
      { id: 'hold', title: 'Hold the freeze', kind: 'wait', waitMinutes: hours * 60 },
      { id: 'lift', title: 'Lift the freeze', kind: 'task', role: 'release_captain' },
    ],
  };
}

const freezeFlow = defineFlow<{ service: string; hours: number }>({
  command: 'freeze',
  usage: '<service> [hours]',
  description: 'change freeze with an approved window',
  kind: 'promotion',
  mode: 'change-freeze',
  parse([service, hours, ...extra]) {
    const h = hours === undefined ? 4 : Number(hours);
    if (!service || !SERVICE_RE.test(service) || extra.length || !Number.isInteger(h) || h < 1 || h > 72) return refuse(mrkdwn`\`freeze\` needs a service and 1-72 hours, e.g. \`/release freeze payments 4\`.`);
    return { ok: true, args: { service, hours: h } };
  },
  plan: ({ service, hours }) => ({ checklist: freezeChecklist(service, hours), params: { service, hours } }),
  riskTier: (params) => (Number(params['hours']) > 24 ? 'high' : 'medium'),
  evidence: { metrics: 'The freeze window is in the summary.' },
});

let h: Harness;
let store: Store;

beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' });
  h = await startHarness({ store, app: { flows: builtinFlows().register(freezeFlow) } });
});

afterAll(async () => {
  await h?.close();
  await store?.close();
  await h?.fake.stop();
});

describe('a new flow is one definition', () => {
  it('a flow registered in the test opens by its slash command, runs to the end and uploads its evidence', async () => {
    // Help lists it; bad arguments get its own message.
    const help = await h.command('help', 'UCAPTAIN');
    expect(help.body).toContain('freeze &lt;service&gt; [hours]');
    const bad = await h.command('freeze payments forever', 'UCAPTAIN');
    expect(bad.body).toContain('needs a service and 1-72 hours');
    expect(bad.runId).toBeUndefined();

    const started = await h.command('freeze payments 30', 'UCAPTAIN');
    expect(started.status).toBe(200);
    const runId = started.runId!;
    const root = h.fake.rootOf(runId)!;
    expect(JSON.stringify(root.blocks)).toContain('Change freeze: payments (30 h)');
    const opened = await h.state(runId);
    expect(opened.flow).toBe('freeze');
    expect(opened.params).toEqual({ service: 'payments', hours: 30 });
    // Its log fields come from its definition.
    expect(h.logs.some((l) => l.includes('"mode_selected":"change-freeze"') && l.includes('"risk_tier":"high"') && l.includes('run opened'))).toBe(true);

    // Its approval keeps segregation of duties; its role step needs the role.
    await h.click(runId, 'announce', 'UOPS');
    await h.click(runId, 'approve', 'UCAPTAIN');
    expect((await h.state(runId)).steps.find((s) => s.step.id === 'approve')?.status).toBe('open');
    const end = await driveToEnd(h, runId);
    expect(end.closed).toBe(true);
    expect(end.steps.find((s) => s.step.id === 'approve')?.by).toBe('UAPPROVER');

    const files = h.fake.filesIn(root.ts);
    const json = files.find((f) => f.title.startsWith('Evidence bundle'));
    expect(verifyBundle(JSON.parse(json!.content) as EvidenceBundle).ok).toBe(true);
    const comments = h.fake.of('files.completeUploadExternal').map((c) => String(c.args['initial_comment'] ?? ''));
    expect(comments.some((c) => c.includes(runId) && c.includes('The freeze window is in the summary.'))).toBe(true);
  });

  it('without the definition the subcommand is unknown; the registry refuses a taken or reserved subcommand', async () => {
    expect(builtinFlows().get('freeze')).toBeUndefined();
    expect(() => builtinFlows().register(defineFlow({ ...incidentFlow }))).toThrow(/already taken/);
    expect(() => new FlowRegistry().register(defineFlow({ ...freezeFlow, command: 'export' }))).toThrow(/already taken/);
    expect(() => new FlowRegistry().register(defineFlow({ ...freezeFlow, command: 'Bad Name' }))).toThrow(/lower-case/);
  });
});
