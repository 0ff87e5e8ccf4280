import type { Logger } from 'pino';
import { WorkQueue } from './queue.js';

/** A request within this many milliseconds makes the app "busy": post-ack work yields to acks. */
const BUSY_WINDOW_MS = 10;

/**
 * Work after the ack. Handlers acknowledge first; their database work then waits in a
 * bounded queue (so that a burst cannot starve later acks), and Slack side effects go
 * through the outbox, delivered by a second queue. "Busy": an HTTP request arrived in
 * the last few milliseconds; then each queue runs one job at a time (up to a
 * high-water mark of waiting jobs).
 */
export class Background {
  private lastRequest = -Infinity;
  private readonly busy = (): boolean => performance.now() - this.lastRequest < BUSY_WINDOW_MS;
  /** Post-ack jobs that use the database (transactions). */
  readonly work: WorkQueue;
  /** Outbox deliveries (runs) at a time. */
  readonly deliveries: WorkQueue;
  private readonly inflight = new Set<Promise<unknown>>();
  /** Per-run chains: a run's deliveries and page turns go out one at a time, in order. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly log: Logger,
    concurrency: { work: number; deliveries: number },
  ) {
    this.work = new WorkQueue(concurrency.work, { busy: this.busy });
    this.deliveries = new WorkQueue(concurrency.deliveries, { busy: this.busy });
  }

  /** An HTTP request arrived (the server's 'request' event). */
  requestArrived(): void {
    this.lastRequest = performance.now();
  }

  /** Keeps `p` among the work `settled()` waits for. */
  track(p: Promise<unknown>): void {
    const tracked = p.finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  /** Post-ack work that uses the database: one of `work`'s slots; a failure is logged as "`what` failed". */
  later(what: string, fields: Record<string, unknown>, job: () => Promise<void>): void {
    this.track(this.work.run(job).catch((err: unknown) => this.log.error({ ...fields, err }, `${what} failed`)));
  }

  /** A Web API call that needs no database (ephemeral answers): outside the slots. */
  background(what: string, fields: Record<string, unknown>, job: () => Promise<unknown>): void {
    this.track(job().catch((err: unknown) => this.log.error({ ...fields, err }, `${what} failed`)));
  }

  /** Runs `job` after every earlier job of the same run. */
  serial(runId: string, job: () => Promise<void>): Promise<void> {
    const prev = this.queues.get(runId) ?? Promise.resolve();
    const next = prev.then(job, job);
    const tail = next.catch(() => undefined);
    this.queues.set(runId, tail);
    void tail.then(() => {
      if (this.queues.get(runId) === tail) this.queues.delete(runId);
    });
    return next;
  }

  /** Resolves when every piece of post-ack work has finished. */
  async settled(): Promise<void> {
    while (this.inflight.size || this.queues.size) await Promise.allSettled([...this.inflight, ...this.queues.values()]);
  }
}
