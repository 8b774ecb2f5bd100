import { afterEach, describe, expect, it } from "vitest";
import type { RequestLogEntry } from "../src/request-log/request-log-entry.js";
import type { RequestLogStore } from "../src/request-log/request-log-store.js";
import { RequestLogWriter } from "../src/request-log/request-log-writer.js";

/** An in-memory store double that can be switched off, standing in for the database. */
class SwitchableStore implements RequestLogStore {
  readonly written: RequestLogEntry[] = [];
  available = true;
  batches = 0;
  async insertBatch(entries: readonly RequestLogEntry[]) {
    if (!this.available) throw new Error("connect ECONNREFUSED");
    this.batches++;
    this.written.push(...entries);
  }
  async ping() {
    if (!this.available) throw new Error("connect ECONNREFUSED");
  }
  async close() {}
}

const entry = (n: number): RequestLogEntry => ({
  time: new Date(0),
  requestId: `req-${n}`,
  method: "GET",
  url: "/",
  statusCode: 200,
  responseTimeMs: 1,
  remoteAddress: "127.0.0.1",
  userAgent: undefined,
});

const quietLogger = {
  warnings: [] as string[],
  warn(_: object, m: string) {
    this.warnings.push(m);
  },
  info() {},
};
const until = async (condition: () => boolean, timeoutMs = 2_000) => {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe("request-log writer", () => {
  let writer: RequestLogWriter | undefined;
  afterEach(async () => {
    await writer?.stop(100);
  });

  it("writes recorded requests in batches off the request path", async () => {
    const store = new SwitchableStore();
    writer = new RequestLogWriter({ store, logger: quietLogger, batchSize: 10, flushIntervalMs: 10 });
    writer.start();
    for (let n = 0; n < 25; n++) writer.record(entry(n));
    expect(store.written).toHaveLength(0); // record() only buffers
    await until(() => store.written.length === 25);
    expect(store.batches).toBeGreaterThanOrEqual(3);
    expect(writer.status().state).toBe("up");
  });

  it("keeps entries while the store is down and writes them once it returns", async () => {
    const store = new SwitchableStore();
    store.available = false;
    writer = new RequestLogWriter({ store, logger: quietLogger, flushIntervalMs: 10, maxBackoffMs: 20 });
    writer.start();
    for (let n = 0; n < 5; n++) writer.record(entry(n));
    await until(() => writer?.status().state === "down");
    expect(writer.status().buffered).toBe(5);
    store.available = true;
    await until(() => store.written.length === 5);
    expect(store.written.map((e) => e.requestId)).toEqual(["req-0", "req-1", "req-2", "req-3", "req-4"]);
  });

  it("drops the oldest entries beyond its capacity, counts them and warns", async () => {
    const store = new SwitchableStore();
    store.available = false;
    const logger = { ...quietLogger, warnings: [] as string[] };
    writer = new RequestLogWriter({ store, logger, capacity: 4, flushIntervalMs: 10, maxBackoffMs: 20 });
    writer.start();
    for (let n = 0; n < 10; n++) writer.record(entry(n));
    expect(writer.status()).toMatchObject({ dropped: 6, buffered: 4 });
    expect(logger.warnings).toContain("request log buffer full; dropped the oldest entries");
    store.available = true;
    await until(() => store.written.length === 4);
    expect(store.written.map((e) => e.requestId)).toEqual(["req-6", "req-7", "req-8", "req-9"]);
  });

  it("flushes what is buffered when stopped", async () => {
    const store = new SwitchableStore();
    writer = new RequestLogWriter({ store, logger: quietLogger, flushIntervalMs: 60_000 });
    writer.start();
    for (let n = 0; n < 3; n++) writer.record(entry(n));
    expect(await writer.stop(1_000)).toBe(0);
    expect(store.written).toHaveLength(3);
    writer = undefined;
  });

  it("gives up at the stop deadline when the store is unreachable, reporting what is unwritten", async () => {
    const store = new SwitchableStore();
    store.available = false;
    writer = new RequestLogWriter({ store, logger: quietLogger, flushIntervalMs: 60_000 });
    writer.start();
    writer.record(entry(1));
    writer.record(entry(2));
    expect(await writer.stop(200)).toBe(2);
    writer = undefined;
  });
});
