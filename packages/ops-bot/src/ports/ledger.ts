/**
 * The bot's durable memory between invocations: idempotency keys, deploy locks, storm-control
 * counters and small records (fingerprint → issue number), each with an expiry so a crashed
 * invocation's lock or a forgotten key is released by time.
 *
 * Expired entries behave as absent in every operation, at once: implementations compare the
 * expiry themselves and never wait for a background sweep (DynamoDB's TTL deletes lazily, up
 * to days late).
 *
 * Keys of the four kinds live in separate namespaces: a claim "x" and a lock "x" are unrelated.
 */
export interface Ledger {
  /**
   * Records an idempotency key for `ttlSeconds`. Resolves true for the call that recorded it,
   * false while it exists (a duplicate delivery), true again once it has expired.
   */
  claim(key: string, ttlSeconds: number): Promise<boolean>;

  /**
   * Takes the lock `name` for `owner` for `ttlSeconds`, unless another owner holds it and it
   * has not expired. The current holder calling again re-acquires it with a fresh expiry, so
   * a retried step does not lock itself out.
   */
  acquireLock(name: string, owner: string, ttlSeconds: number): Promise<LockAcquisition>;

  /**
   * Extends the lock to `ttlSeconds` from now. False if `owner` no longer holds it (released,
   * expired or taken over): the caller must stop acting under the lock.
   */
  renewLock(name: string, owner: string, ttlSeconds: number): Promise<boolean>;

  /** Releases the lock if `owner` holds it and it has not expired; false otherwise. */
  releaseLock(name: string, owner: string): Promise<boolean>;

  /**
   * Adds one to a counter and resolves the new value. The window is fixed by the first
   * increment: `ttlSeconds` counts from it and later increments do not extend it; after it the
   * next increment starts again at 1.
   */
  incrementCounter(key: string, ttlSeconds: number): Promise<number>;

  /** A counter's current value (0 when absent or expired), without changing it. */
  readCounter(key: string): Promise<number>;

  /** Stores a small JSON value for `ttlSeconds`, replacing any previous value. */
  putRecord(key: string, value: LedgerValue, ttlSeconds: number): Promise<void>;

  /** The stored value, or undefined if absent or expired. */
  getRecord(key: string): Promise<LedgerValue | undefined>;
}

/** The four kinds of entry; a claim "x" and a lock "x" are unrelated. */
export type LedgerEntryKind = "claim" | "lock" | "counter" | "record";

export type LockAcquisition =
  | { acquired: true; expiresAt: Date }
  | { acquired: false; holder: string; expiresAt: Date };

/** What a record may hold: plain JSON, kept small (a DynamoDB item is at most 400 KB). */
export type LedgerValue = string | number | boolean | null | LedgerValue[] | { [key: string]: LedgerValue };
