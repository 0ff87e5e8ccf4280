export interface WorkQueueOptions {
  /** True while requests are arriving: the queue then runs `busyConcurrency` jobs at a time, so acks come first. */
  busy?: () => boolean;
  /** Jobs at a time while busy (default 1: post-ack work still progresses). */
  busyConcurrency?: number;
  /** Above this many waiting jobs the queue runs at full concurrency even while busy (back-pressure instead of unbounded growth). */
  highWater?: number;
}

/**
 * Runs at most `concurrency` jobs at a time, in arrival order. Each job starts
 * from a fresh macrotask (setImmediate), so that queued post-ack work never runs
 * as one long chain of microtasks: incoming requests, and their acks, get the
 * event loop between jobs. While `busy()` says requests are arriving, it runs
 * fewer jobs, up to a high-water mark of waiting ones.
 */
export class WorkQueue {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private recheck: NodeJS.Timeout | undefined;

  constructor(
    readonly concurrency: number,
    private readonly options: WorkQueueOptions = {},
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, not ${concurrency}`);
  }

  /** Jobs running or waiting. */
  get size(): number {
    return this.active + this.waiting.length;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        setImmediate(() => {
          Promise.resolve()
            .then(job)
            .then(resolve, reject)
            .finally(() => {
              this.active -= 1;
              this.pump();
            });
        });
      });
      this.pump();
    });
  }

  private limit(): number {
    const { busy, busyConcurrency = 1, highWater = 5_000 } = this.options;
    if (busy && this.waiting.length <= highWater && busy()) return Math.min(busyConcurrency, this.concurrency);
    return this.concurrency;
  }

  private pump(): void {
    const limit = this.limit();
    while (this.active < limit && this.waiting.length) {
      this.active += 1;
      this.waiting.shift()!();
    }
    // Held back while busy: look again shortly, in case no job finishes to wake us.
    if (this.waiting.length && this.active < this.concurrency && !this.recheck) {
      this.recheck = setTimeout(() => {
        this.recheck = undefined;
        this.pump();
      }, 5);
    }
  }
}

/** Resolves on the next turn of the event loop, after pending I/O callbacks. */
export function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
