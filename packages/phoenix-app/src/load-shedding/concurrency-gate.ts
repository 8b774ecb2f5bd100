export interface ConcurrencyGateOptions {
  /** Tasks running at once. */
  readonly concurrency: number;
  /** Callers allowed to wait for a slot; the next one is refused at once. */
  readonly queueLimit: number;
  /** Longest a caller waits in the queue before it is refused. */
  readonly queueTimeoutMs: number;
}

export interface GateStats {
  readonly active: number;
  readonly queued: number;
  /** Callers refused since start (queue full or waited too long). */
  readonly shed: number;
  readonly completed: number;
}

/** Thrown instead of queueing without limit; carries a hint for `Retry-After`. */
export class GateSaturatedError extends Error {
  override readonly name = "GateSaturatedError";
  constructor(
    readonly reason: "queue-full" | "queue-timeout",
    readonly retryAfterSeconds: number,
  ) {
    super(reason === "queue-full" ? "too many requests waiting" : "waited too long for capacity");
  }
}

interface Waiter {
  readonly admit: () => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Bounds how much expensive work runs at once and how much may wait for it, so overload
 * turns into fast refusals instead of an unbounded queue and a stalled process.
 */
export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private shed = 0;
  private completed = 0;
  /** Exponentially weighted mean task duration, for the Retry-After estimate. */
  private meanTaskMs = 150;

  constructor(private readonly options: ConcurrencyGateOptions) {}

  stats(): GateStats {
    return { active: this.active, queued: this.waiting.length, shed: this.shed, completed: this.completed };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    const startedAt = performance.now();
    try {
      return await task();
    } finally {
      this.meanTaskMs = 0.8 * this.meanTaskMs + 0.2 * (performance.now() - startedAt);
      this.completed++;
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.options.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.options.queueLimit) {
      this.shed++;
      return Promise.reject(new GateSaturatedError("queue-full", this.retryAfterSeconds()));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          this.shed++;
          reject(new GateSaturatedError("queue-timeout", this.retryAfterSeconds()));
        }, this.options.queueTimeoutMs),
      };
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter; `active` stays the same.
    if (next) next.admit();
    else this.active--;
  }

  private retryAfterSeconds(): number {
    const backlog = this.active + this.waiting.length;
    return Math.max(1, Math.ceil((backlog * this.meanTaskMs) / this.options.concurrency / 1000));
  }
}
