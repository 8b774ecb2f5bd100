import type { RequestLogEntry } from "./request-log-entry.js";

/** Where request logs are persisted. The production adapter is MongoDB/DocumentDB. */
export interface RequestLogStore {
  insertBatch(entries: readonly RequestLogEntry[]): Promise<void>;
  /** Resolves when the store is reachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
