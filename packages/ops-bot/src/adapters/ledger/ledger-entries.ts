// What both Ledger adapters share, so they agree on keys and expiry to the second.
import type { LedgerEntryKind } from "../../ports/ledger.js";

/** Milliseconds since the epoch; injected so tests can move time without sleeping. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export class LedgerError extends Error {
  override readonly name = "LedgerError";
}

/** The kind's namespace keeps the four kinds of entry apart in one key space (one DynamoDB table). */
export function entryKey(kind: LedgerEntryKind, key: string): string {
  if (key.length === 0) throw new LedgerError(`ledger: a ${kind} key must not be empty`);
  return `${kind}#${key}`;
}

/**
 * Expiry as whole epoch seconds, the unit of DynamoDB's TTL attribute, rounded up so an entry
 * lives at least `ttlSeconds`. Both implementations use it, so they agree to the second.
 */
export function expiryEpochSeconds(nowMs: number, ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new LedgerError(`ledger: ttlSeconds must be a positive number of seconds, got ${ttlSeconds}`);
  }
  return Math.ceil((nowMs + ttlSeconds * 1000) / 1000);
}

/** An entry expiring at `expiresAt` (epoch seconds) is gone from that second on. */
export function isLive(expiresAt: number, nowMs: number): boolean {
  return expiresAt > Math.floor(nowMs / 1000);
}
