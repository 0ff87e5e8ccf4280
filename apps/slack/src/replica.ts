import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Holder, RunRepository } from './db/runs.js';

/**
 * This process among the replicas: "identity/boot". Another process of the same
 * identity is an earlier life of this one (restarted): its inbox rows and outbox
 * leases are taken over at once. Holders silent for four heartbeats are gone.
 */
export class Replica {
  readonly identity: string;
  readonly owner: string;
  private readonly heartbeatMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: RunRepository,
    private readonly clock: () => Date,
    private readonly log: Logger,
    options: { replicaId?: string | undefined; heartbeatSeconds?: number | undefined },
  ) {
    this.identity = options.replicaId ?? randomBytes(6).toString('hex');
    this.owner = `${this.identity}/${randomBytes(4).toString('hex')}`;
    this.heartbeatMs = (options.heartbeatSeconds ?? 5) * 1000;
  }

  /** Who is delivering or processing, and since when a silent holder counts as gone. */
  holder(): Holder {
    return { owner: this.owner, identity: this.identity, staleBefore: new Date(this.clock().getTime() - 4 * this.heartbeatMs).toISOString() };
  }

  /** Registers this process and keeps its heartbeat. */
  async start(): Promise<void> {
    await this.repo.heartbeat(this.owner, this.clock().toISOString());
    this.timer = setInterval(
      () => void this.repo.heartbeat(this.owner, this.clock().toISOString()).catch((err: unknown) => this.log.warn({ err }, 'heartbeat failed')),
      this.heartbeatMs,
    );
    this.timer.unref();
  }

  stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** A clean stop: what is left (nothing, normally) is free for the others at once. */
  async leave(): Promise<void> {
    await this.repo.leave(this.owner).catch((err: unknown) => this.log.warn({ err }, 'could not leave the replica table'));
  }
}
