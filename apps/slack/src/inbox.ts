import type { Logger } from 'pino';
import type { Background } from './background.js';
import type { InboxRow, RunRepository } from './db/runs.js';
import { requestId } from './fields.js';
import type { Replica } from './replica.js';

/** A delivery is tried this many times before it is given up. */
const MAX_ATTEMPTS = 5;

/** What processes a delivery after its ack (the command and click handlers). */
export type DeliveryProcessor = (row: InboxRow) => Promise<void>;

/**
 * The inbox: deliveries written before the ack (one insert), processed after it;
 * on start, and by any replica, the unprocessed deliveries of processes that are
 * gone. Duplicates are dropped by the delivery keys.
 */
export class Inbox {
  /** Inbox rows this process is processing now (or has queued). */
  private readonly processing = new Set<string>();

  constructor(
    private readonly repo: RunRepository,
    private readonly background: Background,
    private readonly replica: Replica,
    private readonly clock: () => Date,
    private readonly log: Logger,
    private readonly process: DeliveryProcessor,
  ) {}

  /**
   * Writes the delivery to the inbox (one insert), then acknowledges; then processes
   * it. A repeat of a delivery already received is acknowledged and dropped. When the
   * insert fails the delivery is acknowledged (Slack would show an error) and `failed` says so.
   */
  async receiveThenAck(kind: InboxRow['kind'], key: string, delivery: object, fields: Record<string, unknown>, ack: () => Promise<void>, failed: () => void): Promise<void> {
    const at = this.clock().toISOString();
    const payload = JSON.stringify(delivery);
    let fresh: boolean;
    try {
      fresh = await this.repo.receive(key, kind, payload, this.replica.owner, at);
    } catch (err) {
      await ack();
      this.log.error({ ...fields, err }, 'delivery not recorded');
      failed();
      return;
    }
    await ack();
    if (!fresh) {
      this.log.info(fields, 'repeated delivery ignored');
      return;
    }
    this.processRow({ key, kind, payload, received_at: at, attempts: 0 });
  }

  private processRow(row: InboxRow): void {
    if (this.processing.has(row.key)) return;
    this.processing.add(row.key);
    const fields = { request_id: requestId(row.key), delivery: row.kind };
    this.background.later('delivery', fields, async () => {
      try {
        await this.process(row);
        await this.repo.processed(row.key, this.clock().toISOString());
      } catch (err) {
        // Left for the next sweep (this process's tick, or another replica once this one is gone).
        const giveUp = row.attempts + 1 >= MAX_ATTEMPTS;
        await this.repo.processed(row.key, this.clock().toISOString(), (err as Error).message ?? String(err), giveUp).catch(() => undefined);
        throw err;
      } finally {
        this.processing.delete(row.key);
      }
    });
  }

  /** Processes the inbox rows nobody is processing: this process's own left-overs and those of processes that are gone. */
  async sweep(): Promise<void> {
    for (const row of await this.repo.claimInbox(this.replica.holder())) this.processRow(row);
  }
}
