// The app bench's database: PHOENIX_BENCH_MONGODB_URL or PHOENIX_TEST_MONGODB_URL; without a
// database name in the URL, a fresh `phoenix_bench_<stamp>` one that cleanup drops. The local
// server's pid is looked up so that its CPU can be shown beside the app's.
import { BenchError } from "@phoenix/bench-kit";
import type { Db } from "mongodb";
import { log } from "./bench-log.js";
import { findLocalListener } from "./cpu-accounting.js";

export interface BenchDatabase {
  /** The connection string the app gets, with the database name in it. */
  readonly url: string;
  readonly name: string;
  /** Made for this bench (dropped at the end). */
  readonly created: boolean;
  /** The local database server's pid, when it listens on this machine. */
  readonly serverPid: number | undefined;
}

export async function prepareDatabase(rawUrl: string): Promise<BenchDatabase> {
  const { ConnectionString } = await import("mongodb-connection-string-url");
  let url: InstanceType<typeof ConnectionString>;
  try {
    url = new ConnectionString(rawUrl);
  } catch {
    throw new BenchError("the database URL is not a valid MongoDB connection string");
  }
  const named = decodeURIComponent(url.pathname.replace(/^\//, ""));
  const name = named || `phoenix_bench_${Date.now().toString(36)}`;
  if (!named) url.pathname = `/${name}`;
  const [host = "", port] = (url.hosts.length === 1 ? (url.hosts[0] ?? "") : "").split(/:(?=\d+$)/);
  const serverPid = findLocalListener(host, Number(port ?? 27017));
  return { url: url.toString(), name, created: !named, serverPid };
}

/** Runs `fn` with a connected client; returns undefined (and warns) if the database does not answer. */
export async function withDatabase<T>(
  db: BenchDatabase,
  what: string,
  fn: (database: Db) => Promise<T>,
): Promise<T | undefined> {
  const { MongoClient } = await import("mongodb");
  const client = new MongoClient(db.url, { serverSelectionTimeoutMS: 3_000, connectTimeoutMS: 3_000 });
  try {
    return await fn(client.db(db.name));
  } catch (error) {
    log(`warning: could not ${what}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  } finally {
    await client.close().catch(() => undefined);
  }
}
