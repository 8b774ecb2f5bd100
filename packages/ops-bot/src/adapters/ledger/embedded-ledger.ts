import { mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Ledger, LedgerValue, LockAcquisition } from "../../ports/ledger.js";
import { type Clock, entryKey, expiryEpochSeconds, isLive, LedgerError, systemClock } from "./ledger-entries.js";

interface Entry {
  /** Epoch seconds, as in the DynamoDB table. */
  expiresAt: number;
  owner?: string;
  count?: number;
  value?: LedgerValue;
}

interface Snapshot {
  version: 1;
  entries: Record<string, Entry>;
}

export interface EmbeddedLedgerOptions {
  /** @default Date.now */
  readonly now?: Clock;
}

/**
 * The Ledger of the plain server: one JSON file, for a single process.
 *
 * Every operation reads the file, and every change is written to `<file>.tmp`, fsynced and
 * renamed over the file before the call resolves, so an answer is never given for state a
 * crash could lose, and a crash mid-write leaves the previous file intact. Operations on one
 * file are queued one after another (also across instances in the process), which makes each
 * read-decide-write atomic. Expired entries are dropped whenever the file is written.
 *
 * Two processes must not share a file: nothing orders their writes.
 */
export class EmbeddedLedger implements Ledger {
  private readonly path: string;
  private readonly now: Clock;

  constructor(path: string, options: EmbeddedLedgerOptions = {}) {
    this.path = resolve(path);
    this.now = options.now ?? systemClock;
  }

  claim(key: string, ttlSeconds: number): Promise<boolean> {
    const id = entryKey("claim", key);
    return this.transact((entries, now) => {
      if (entries[id]) return { result: false };
      entries[id] = { expiresAt: expiryEpochSeconds(now, ttlSeconds) };
      return { result: true, changed: true };
    });
  }

  acquireLock(name: string, owner: string, ttlSeconds: number): Promise<LockAcquisition> {
    const id = entryKey("lock", name);
    return this.transact((entries, now): Outcome<LockAcquisition> => {
      const held = entries[id];
      if (held && held.owner !== owner) {
        return { result: { acquired: false, holder: held.owner ?? "", expiresAt: toDate(held.expiresAt) } };
      }
      const expiresAt = expiryEpochSeconds(now, ttlSeconds);
      entries[id] = { expiresAt, owner };
      return { result: { acquired: true, expiresAt: toDate(expiresAt) }, changed: true };
    });
  }

  renewLock(name: string, owner: string, ttlSeconds: number): Promise<boolean> {
    const id = entryKey("lock", name);
    return this.transact((entries, now) => {
      const held = entries[id];
      if (held?.owner !== owner) return { result: false };
      held.expiresAt = expiryEpochSeconds(now, ttlSeconds);
      return { result: true, changed: true };
    });
  }

  releaseLock(name: string, owner: string): Promise<boolean> {
    const id = entryKey("lock", name);
    return this.transact((entries) => {
      if (entries[id]?.owner !== owner) return { result: false };
      delete entries[id];
      return { result: true, changed: true };
    });
  }

  incrementCounter(key: string, ttlSeconds: number): Promise<number> {
    const id = entryKey("counter", key);
    return this.transact((entries, now) => {
      const counter = entries[id];
      const count = (counter?.count ?? 0) + 1;
      entries[id] = { expiresAt: counter?.expiresAt ?? expiryEpochSeconds(now, ttlSeconds), count };
      return { result: count, changed: true };
    });
  }

  readCounter(key: string): Promise<number> {
    const id = entryKey("counter", key);
    return this.transact((entries) => ({ result: entries[id]?.count ?? 0 }));
  }

  putRecord(key: string, value: LedgerValue, ttlSeconds: number): Promise<void> {
    const id = entryKey("record", key);
    return this.transact((entries, now) => {
      entries[id] = { expiresAt: expiryEpochSeconds(now, ttlSeconds), value };
      return { result: undefined, changed: true };
    });
  }

  getRecord(key: string): Promise<LedgerValue | undefined> {
    const id = entryKey("record", key);
    return this.transact((entries) => ({ result: entries[id]?.value }));
  }

  /**
   * Runs `decide` on the live entries (expired ones already removed) after every earlier
   * operation on this file has finished, and persists the entries if it changed them.
   */
  private transact<T>(decide: (entries: Record<string, Entry>, nowMs: number) => Outcome<T>): Promise<T> {
    const previous = queues.get(this.path) ?? Promise.resolve();
    const run = previous.then(async () => {
      const now = this.now();
      const { entries, hadExpired } = liveEntries(await this.read(), now);
      const { result, changed } = decide(entries, now);
      if (changed || hadExpired) await this.write({ version: 1, entries });
      return result;
    });
    // The queue continues after a failed operation; the failure goes to its caller only.
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    queues.set(this.path, settled);
    void settled.then(() => {
      if (queues.get(this.path) === settled) queues.delete(this.path);
    });
    return run;
  }

  private async read(): Promise<Snapshot> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, entries: {} };
      throw error;
    }
    try {
      const snapshot = JSON.parse(text) as Snapshot;
      if (snapshot.version !== 1 || typeof snapshot.entries !== "object" || snapshot.entries === null) {
        throw new Error(`unknown format (version ${String(snapshot.version)})`);
      }
      return snapshot;
    } catch (error) {
      // Never start empty over a damaged file: that would silently release every lock.
      throw new LedgerError(
        `ledger: ${this.path} is not a ledger file (${(error as Error).message}); restore it or move it away to start with an empty ledger`,
      );
    }
  }

  /** Write to a temporary file, fsync, rename over the ledger, fsync the directory. */
  private async write(snapshot: Snapshot): Promise<void> {
    const directory = dirname(this.path);
    const temporary = `${this.path}.tmp`;
    await mkdir(directory, { recursive: true });
    const file = await open(temporary, "w");
    try {
      await file.writeFile(JSON.stringify(snapshot));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, this.path);
    const dir = await open(directory, "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

interface Outcome<T> {
  result: T;
  changed?: boolean;
}

/** One queue per resolved file path, shared by every instance in this process. */
const queues = new Map<string, Promise<void>>();

function liveEntries(snapshot: Snapshot, nowMs: number): { entries: Record<string, Entry>; hadExpired: boolean } {
  const entries: Record<string, Entry> = {};
  let hadExpired = false;
  for (const [id, entry] of Object.entries(snapshot.entries)) {
    if (isLive(entry.expiresAt, nowMs)) entries[id] = entry;
    else hadExpired = true;
  }
  return { entries, hadExpired };
}

function toDate(epochSeconds: number): Date {
  return new Date(epochSeconds * 1000);
}
