import type { Logger } from 'pino';
import { burnRateVerdict, type CanaryHealth } from '@ringmaster/connector-prometheus';
import type { ActionData } from '@ringmaster/evidence';
import type { Connectors } from './actions/connectors.js';
import { performHealth, stepAction, withOutcome } from './actions/step-actions.js';
import type { DueTimer, RunRepository } from './db/runs.js';
import { requestId, runFields } from './fields.js';
import type { FlowContext, FlowRegistry } from './flows/index.js';
import { openingEffects, transitionEffects, type OutboxDeliverer } from './outbox.js';
import { mrkdwn } from './slack-text.js';
import { decide, SYSTEM_ACTOR, type RunState } from './state.js';

const SYSTEM = { id: SYSTEM_ACTOR, roles: new Set<never>() };

/** The spec's Mode 7 rule, decided as the CLI's canary-health decides it. */
const opensIncident = (health: CanaryHealth | undefined): boolean => health !== undefined && burnRateVerdict(health).decision === 'open-incident';

/**
 * Bake times and idle reminders: timers in the database, fired by `tick` (polled, so
 * restarts keep them). A bake whose step checks canary health passes only when the
 * canary is healthy at its end; while it bakes, a burn rate over the plan's threshold
 * pauses the promotion and opens a linked incident run in the same channel.
 */
export class Timers {
  constructor(
    private readonly repo: RunRepository,
    private readonly flows: FlowRegistry,
    private readonly flowContext: FlowContext,
    private readonly outbox: OutboxDeliverer,
    private readonly connectors: Connectors,
    private readonly clock: () => Date,
    private readonly log: Logger,
  ) {}

  /** Fires the due timers once; each firing takes its own time (under its run's lock, in repo.act). */
  async fireDue(): Promise<void> {
    const nowIso = (): string => this.clock().toISOString();
    for (const t of await this.repo.dueTimers(nowIso())) {
      const fields = { request_id: requestId(`timer:${t.kind}:${t.run_id}:${t.step_id}`), run_id: t.run_id, timer: t.kind };
      try {
        if (t.kind === 'bake') await this.endBake(t, fields);
        else if (await this.repo.claimIdle(t.run_id, nowIso())) this.outbox.kick(t.run_id);
      } catch (err) {
        this.log.error({ ...fields, err }, 'timer failed');
      }
    }
  }

  /** A bake's time is over: it passes, unless its canary check says otherwise (then it must be started again). */
  private async endBake(t: DueTimer, fields: Record<string, unknown>): Promise<void> {
    const state = await this.repo.state(t.run_id);
    const action = state ? stepAction(state, t.step_id) : undefined;
    const checked = state && !state.closed && action?.action === 'canary-health' ? await performHealth(action.target, state, this.connectors) : undefined;
    const outcome = await this.repo.act(t.run_id, `timer:bake:${t.run_id}:${t.step_id}:${t.due_at}`, {
      decide: (s, at) => {
        const decision = decide(s, { op: 'elapse', step: t.step_id }, SYSTEM, at);
        // Only a healthy canary lets the bake pass.
        return checked ? withOutcome(decision, [checked.data], SYSTEM_ACTOR, t.step_id, at, ['done']) : decision;
      },
      effects: transitionEffects,
    });
    if (outcome.kind === 'applied') {
      this.log.info({ ...fields, ...runFields(outcome.state, this.flows), ...(checked ? { outcome: checked.data.outcome, measurements: checked.data.measurements } : {}) }, 'bake time over');
      this.outbox.kick(t.run_id);
    }
    // Elapsed, refused by its canary check (the bake starts again with a new timer), or nothing to do.
    if (outcome.kind !== 'applied' || checked?.data.outcome !== 'done') await this.repo.fireTimer(t.run_id, 'bake', t.step_id, this.clock().toISOString());
    if (outcome.kind === 'applied' && checked && opensIncident(checked.health) && state) await this.openIncident(state, t, checked.data);
  }

  /** Checks the canary of every bake under way; a burn rate over the threshold pauses the promotion and opens an incident. */
  async watchBakes(): Promise<void> {
    if (!this.connectors.health) return;
    for (const t of await this.repo.bakesUnderWay(this.clock().toISOString())) {
      const fields = { request_id: requestId(`burn:${t.run_id}:${t.step_id}`), run_id: t.run_id, timer: 'burn' };
      try {
        const state = await this.repo.state(t.run_id);
        const action = state ? stepAction(state, t.step_id) : undefined;
        if (!state || state.closed || action?.action !== 'canary-health') continue;
        const checked = await performHealth(action.target, state, this.connectors);
        if (!opensIncident(checked.health)) continue;
        const incident = await this.openIncident(state, t, checked.data);
        const reason = `burn rate over the threshold during the bake: promotion paused${incident ? `, incident ${incident} opened in this channel` : ''}; roll back with /release rollback ${String(state.params['service'] ?? '')} ${action.target}`;
        const outcome = await this.repo.act(t.run_id, `burn:${t.run_id}:${t.step_id}:${t.due_at}`, {
          // Still baking: the refusal is recorded and the bake stops (a bake already over is left alone).
          decide: (s, at) =>
            s.steps.find((x) => x.step.id === t.step_id)?.status === 'waiting'
              ? withOutcome({ ok: true, events: [] }, [{ ...checked.data, outcome: 'refused', reason }], SYSTEM_ACTOR, t.step_id, at)
              : { ok: false, code: 'wrong_op', message: mrkdwn`The bake is not under way.` },
          effects: transitionEffects,
        });
        await this.repo.fireTimer(t.run_id, 'bake', t.step_id, this.clock().toISOString());
        if (outcome.kind === 'applied') {
          this.log.warn({ ...fields, ...runFields(outcome.state, this.flows), incident, measurements: checked.data.measurements }, 'burn rate over the threshold: promotion paused');
          this.outbox.kick(t.run_id);
        }
      } catch (err) {
        this.log.error({ ...fields, err }, 'burn-rate watch failed');
      }
    }
  }

  /**
   * Opens the incident run a burning canary calls for, in the promotion's channel
   * (once per bake: the delivery key names it); returns its id.
   */
  private async openIncident(promotion: RunState, t: DueTimer, data: ActionData): Promise<string | undefined> {
    const incidentFlow = this.flows.forRun({ kind: 'incident' });
    const service = String(promotion.params['service'] ?? 'unknown');
    const summary = `burn rate over the threshold while promoting to ${data.ring ?? 'a ring'} (run ${promotion.runId})`;
    const parsed = incidentFlow.parse([service, 'sev1', ...summary.split(' ')]);
    if (!parsed.ok) return undefined;
    const plan = this.flows.plan({ ...parsed.args, sub: incidentFlow.command }, this.flowContext);
    const key = `incident:${promotion.runId}:${t.step_id}:${t.due_at}`;
    const created = await this.repo.createRun(
      key,
      { kind: plan.kind, flow: plan.flow.command, title: plan.title, checklist: plan.checklist, params: { ...plan.params, promotion_run: promotion.runId }, requestedBy: SYSTEM_ACTOR, channel: promotion.channel, at: this.clock().toISOString() },
      openingEffects,
    );
    const runId = created.run?.id ?? (await this.repo.runOpenedBy(key));
    if (created.run) {
      this.log.warn({ run_id: created.run.id, promotion_run: promotion.runId, mode_selected: plan.mode, risk_tier: plan.riskTier }, 'incident opened by the burn rate');
      this.outbox.kick(created.run.id);
    }
    return runId;
  }
}
