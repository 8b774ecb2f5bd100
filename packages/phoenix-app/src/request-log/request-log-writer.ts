import { BoundedLogBuffer } from "./bounded-log-buffer.js";
import type { RequestLogEntry } from "./request-log-entry.js";
import type { RequestLogStore } from "./request-log-store.js";

export type DatabaseState = "connecting" | "up" | "down";

export interface RequestLogStatus {
  readonly state: DatabaseState;
  readonly buffered: number;
  readonly dropped: number;
  readonly lastWriteAt: string | undefined;
  readonly lastError: string | undefined;
}

export interface WriterLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export interface RequestLogWriterOptions {
  readonly store: RequestLogStore;
  readonly logger: WriterLogger;
  /** @default 10_000 entries */
  readonly capacity?: number;
  /** @default 500 entries */
  readonly batchSize?: number;
  /** @default 1_000 ms */
  readonly flushIntervalMs?: number;
  /** Upper bound of the retry back-off while the database is down. @default 10_000 ms */
  readonly maxBackoffMs?: number;
  /** Minimum gap between two "dropped entries" warnings. @default 10_000 ms */
  readonly dropWarningIntervalMs?: number;
}

/**
 * Records requests off the request path: `record` only appends to a bounded buffer; a
 * single background loop writes batches. While the store fails, batches go back to the
 * buffer, the loop backs off, and the oldest entries are dropped once it is full.
 */
export class RequestLogWriter {
  private readonly buffer: BoundedLogBuffer<RequestLogEntry>;
  private readonly store: RequestLogStore;
  private readonly logger: WriterLogger;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly dropWarningIntervalMs: number;

  private state: DatabaseState = "connecting";
  private lastWriteAt: Date | undefined;
  private lastError: string | undefined;
  private backoffMs: number;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private stopped = false;
  private inFlight = 0;
  private droppedAtLastWarning = 0;
  private lastDropWarningAt = 0;

  constructor(options: RequestLogWriterOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.buffer = new BoundedLogBuffer(options.capacity ?? 10_000);
    this.batchSize = options.batchSize ?? 500;
    this.flushIntervalMs = options.flushIntervalMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.dropWarningIntervalMs = options.dropWarningIntervalMs ?? 10_000;
    this.backoffMs = this.flushIntervalMs;
  }

  start(): void {
    this.schedule(0);
  }

  record(entry: RequestLogEntry): void {
    this.buffer.push(entry);
    this.warnAboutDropsIfDue();
    if (this.buffer.length >= this.batchSize && this.state === "up" && !this.flushing) {
      this.schedule(0);
    }
  }

  status(): RequestLogStatus {
    return {
      state: this.state,
      buffered: this.buffer.length,
      dropped: this.buffer.dropped,
      lastWriteAt: this.lastWriteAt?.toISOString(),
      lastError: this.lastError,
    };
  }

  /**
   * Stops the loop and writes what is buffered, giving up at the deadline.
   * Returns how many entries could not be written.
   */
  async stop(deadlineMs: number): Promise<number> {
    this.stopped = true;
    clearTimeout(this.timer);
    const drain = (async () => {
      await this.flushing;
      while (this.buffer.length > 0) {
        await this.writeOneBatch();
        if (this.state === "down") break;
      }
    })();
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([drain, new Promise((resolve) => (deadline = setTimeout(resolve, deadlineMs)))]);
    clearTimeout(deadline);
    await this.store.close().catch(() => undefined);
    return this.buffer.length + this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flushLoop(), delayMs);
    // Pending log writes must never keep a finished process alive.
    this.timer.unref();
  }

  private async flushLoop(): Promise<void> {
    if (this.flushing) return;
    this.flushing = (async () => {
      do {
        await this.writeOneBatch();
      } while (this.state === "up" && this.buffer.length >= this.batchSize && !this.stopped);
    })();
    await this.flushing;
    this.flushing = undefined;
    this.schedule(this.state === "down" ? this.backoffMs : this.flushIntervalMs);
  }

  private async writeOneBatch(): Promise<void> {
    const batch = this.buffer.take(this.batchSize);
    // With nothing to write, a ping still tells /health whether the database is there.
    if (batch.length === 0 && this.state === "up") return;
    this.inFlight = batch.length;
    try {
      if (batch.length > 0) await this.store.insertBatch(batch);
      else await this.store.ping();
      this.markUp();
    } catch (error) {
      this.buffer.requeue(batch);
      this.markDown(error);
    } finally {
      this.inFlight = 0;
    }
  }

  private markUp(): void {
    if (this.state === "down") {
      this.logger.info(
        { buffered: this.buffer.length, dropped: this.buffer.dropped },
        "request log database reachable again",
      );
    }
    this.state = "up";
    this.lastWriteAt = new Date();
    this.lastError = undefined;
    this.backoffMs = this.flushIntervalMs;
  }

  private markDown(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.state !== "down") {
      this.logger.warn(
        { err: message, buffered: this.buffer.length },
        "request log database unreachable; buffering request logs",
      );
    } else {
      this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
    }
    this.state = "down";
    this.lastError = message;
    this.warnAboutDropsIfDue();
  }

  private warnAboutDropsIfDue(): void {
    const dropped = this.buffer.dropped;
    if (dropped === this.droppedAtLastWarning) return;
    const now = Date.now();
    if (now - this.lastDropWarningAt < this.dropWarningIntervalMs) return;
    this.logger.warn(
      { dropped, droppedSinceLastWarning: dropped - this.droppedAtLastWarning, capacity: this.buffer.capacity },
      "request log buffer full; dropped the oldest entries",
    );
    this.droppedAtLastWarning = dropped;
    this.lastDropWarningAt = now;
  }
}
