import type { Logger } from 'pino';
import type { RunRepository } from './db/runs.js';
import { requestId, runFields } from './fields.js';
import type { FlowRegistry } from './flows/index.js';
import { transitionEffects, type OutboxDeliverer } from './outbox.js';
import { decide, SYSTEM_ACTOR } from './state.js';

/** Bake times and idle reminders: timers in the database, fired by `tick` (polled, so restarts keep them). */
export class Timers {
  constructor(
    private readonly repo: RunRepository,
    private readonly flows: FlowRegistry,
    private readonly outbox: OutboxDeliverer,
    private readonly clock: () => Date,
    private readonly log: Logger,
  ) {}

  /** Fires the due timers once; each firing takes its own time (under its run's lock, in repo.act). */
  async fireDue(): Promise<void> {
    const nowIso = (): string => this.clock().toISOString();
    for (const t of await this.repo.dueTimers(nowIso())) {
      const fields = { request_id: requestId(`timer:${t.kind}:${t.run_id}:${t.step_id}`), run_id: t.run_id, timer: t.kind };
      try {
        if (t.kind === 'bake') {
          const outcome = await this.repo.act(t.run_id, `timer:bake:${t.run_id}:${t.step_id}`, {
            decide: (state, at) => decide(state, { op: 'elapse', step: t.step_id }, { id: SYSTEM_ACTOR, roles: new Set() }, at),
            effects: transitionEffects,
          });
          if (outcome.kind === 'applied') {
            this.log.info({ ...fields, ...runFields(outcome.state, this.flows) }, 'bake time over');
            this.outbox.kick(t.run_id);
          } else await this.repo.fireTimer(t.run_id, 'bake', t.step_id, nowIso());
        } else if (await this.repo.claimIdle(t.run_id, nowIso())) this.outbox.kick(t.run_id);
      } catch (err) {
        this.log.error({ ...fields, err }, 'timer failed');
      }
    }
  }
}
