import type { Ledger } from "../../ports/ledger.js";

export type Pause = (ms: number) => Promise<void>;
export const realPause: Pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Tries to take a Ledger lock up to `attempts` times with a short random pause between
 * tries (so contenders do not retry in step). Resolves to whether it was taken.
 */
export async function acquireLockPatiently(
  ledger: Ledger,
  lock: { readonly name: string; readonly owner: string; readonly ttlSeconds: number },
  attempts: number,
  pause: Pause = realPause,
): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if ((await ledger.acquireLock(lock.name, lock.owner, lock.ttlSeconds)).acquired) return true;
    await pause(20 + Math.random() * 80);
  }
  return false;
}
