import type { Ledger, LedgerValue } from "../../ports/ledger.js";
import { ledgerKeys } from "../ledger-keys.js";

/** How long a finished delivery is remembered; redeliveries within it are duplicates. */
export const DONE_TTL_SECONDS = 7 * 86_400;
/** Longest one delivery may take before another attempt may start it again. */
const IN_PROGRESS_TTL_SECONDS = 120;

/**
 * Runs `work` for a delivery at most once to completion. Redeliveries of a finished delivery,
 * and copies arriving while it runs, get `{ duplicate: true }`. A delivery counts as done only
 * after `work` succeeded: a failure releases it, so the sender's retry (SNS, EventBridge,
 * Lambda) does the work instead of being dropped.
 */
export async function handleOnce<T extends LedgerValue>(
  ledger: Ledger,
  deliveryKey: string,
  work: () => Promise<T>,
): Promise<{ duplicate: true } | { duplicate: false; result: T }> {
  const doneKey = ledgerKeys.delivered(deliveryKey);
  const inProgressLock = ledgerKeys.deliveryInProgress(deliveryKey);
  if ((await ledger.getRecord(doneKey)) !== undefined) return { duplicate: true };
  const lock = await ledger.acquireLock(inProgressLock, deliveryKey, IN_PROGRESS_TTL_SECONDS);
  if (!lock.acquired) return { duplicate: true };
  try {
    // It may have finished between the first look and taking the lock.
    if ((await ledger.getRecord(doneKey)) !== undefined) return { duplicate: true };
    const result = await work();
    await ledger.putRecord(doneKey, result, DONE_TTL_SECONDS);
    return { duplicate: false, result };
  } finally {
    await ledger.releaseLock(inProgressLock, deliveryKey);
  }
}
