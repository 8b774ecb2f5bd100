import { MongoClient, type MongoClientOptions } from "mongodb";
import type { DatabaseConfig } from "../config.js";
import { ConfigError } from "../config.js";
import type { RequestLogEntry } from "./request-log-entry.js";
import type { RequestLogStore } from "./request-log-store.js";

const clientOptions: MongoClientOptions = {
  appName: "phoenix-app",
  // Fail a write fast so the buffer, not the driver, decides what waits.
  serverSelectionTimeoutMS: 2_000,
  connectTimeoutMS: 2_000,
  socketTimeoutMS: 10_000,
  maxPoolSize: 4,
};

/**
 * Writes request logs with the MongoDB driver, which also speaks to DocumentDB.
 * Nothing here waits for the database at start-up: the app starts whether or not it is
 * reachable. Once connected, the driver reconnects by itself; but a client whose *first*
 * connection failed is closed for good (mongodb 7: "Topology is closed"), so until one
 * connection succeeds each attempt uses a fresh client.
 */
export function createMongoRequestLogStore(config: DatabaseConfig): RequestLogStore {
  // Constructing a client parses the URI and its options without connecting: a bad
  // connection string stops start-up here, not at the first request.
  let unconnected: MongoClient | undefined = newClient(config);
  let connected: MongoClient | undefined;
  let connecting: Promise<MongoClient> | undefined;

  const client = (): Promise<MongoClient> => {
    if (connected) return Promise.resolve(connected);
    connecting ??= (async () => {
      const candidate = unconnected ?? newClient(config);
      unconnected = undefined;
      try {
        await candidate.connect();
        connected = candidate;
        return candidate;
      } catch (error) {
        await candidate.close().catch(() => undefined);
        throw error;
      } finally {
        connecting = undefined;
      }
    })();
    return connecting;
  };

  return {
    async insertBatch(entries) {
      const logs = (await client()).db(config.databaseName).collection<RequestLogEntry>(config.collectionName);
      // The driver adds `_id` to the documents it is given; hand it copies.
      await logs.insertMany(
        entries.map((entry) => ({ ...entry })),
        { ordered: false },
      );
    },
    async ping() {
      await (await client()).db(config.databaseName).command({ ping: 1 });
    },
    async close() {
      await Promise.all([connected?.close(), unconnected?.close()]);
    },
  };
}

function newClient(config: DatabaseConfig): MongoClient {
  try {
    return new MongoClient(
      config.url,
      config.credentials ? { ...clientOptions, auth: config.credentials } : clientOptions,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(config.url, "<uri>") : String(error);
    throw new ConfigError(`config: DB_CONNECTION_STRING is not usable (${reason})`);
  }
}
