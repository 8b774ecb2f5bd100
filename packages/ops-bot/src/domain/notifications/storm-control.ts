import type { Ledger } from "../../ports/ledger.js";
import { ledgerKeys } from "../ledger-keys.js";

/** At most `maxNewIssues` new issues per family (alarms, crashes) in each fixed window. */
export interface StormLimit {
  readonly maxNewIssues: number;
  readonly windowSeconds: number;
}

/**
 * Counts one new issue against its family's current window; false once the window's limit
 * is spent, and the caller folds the occurrence into a counter instead of opening an issue.
 */
export async function admitNewIssue(ledger: Ledger, family: string, limit: StormLimit, now: Date): Promise<boolean> {
  const window = Math.floor(now.getTime() / 1000 / limit.windowSeconds);
  const opened = await ledger.incrementCounter(ledgerKeys.newIssues(family, window), limit.windowSeconds);
  return opened <= limit.maxNewIssues;
}
