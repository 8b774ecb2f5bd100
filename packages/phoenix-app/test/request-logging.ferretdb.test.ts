import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterEach, describe, expect, it } from "vitest";
import { requiredServiceVariable } from "../../../test-support/required-service.js";
import { AppProcess } from "./support/app-process.js";
import { FerretDbInstance } from "./support/ferretdb-instance.js";
import { pollUntil } from "./support/poll.js";

// These tests run the built app as in production against FerretDB, an independent
// implementation of the MongoDB wire protocol, on loopback.

const started: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((part) => part.stop()));
});

async function startApp(env: Record<string, string>) {
  const app = await AppProcess.start(env);
  started.push(app);
  return app;
}

async function loggedUrls(mongoUrl: string, database: string): Promise<string[]> {
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 2_000 });
  try {
    const docs = await client
      .db(database)
      .collection("logs")
      .find({}, { projection: { url: 1 } })
      .toArray();
    return docs.map((doc) => doc.url as string);
  } finally {
    await client.close();
  }
}

const get = async (app: AppProcess, path: string) => (await fetch(app.url(path))).status;

describe("request logs in MongoDB (FerretDB on loopback)", () => {
  it("records every request in the logs collection with method, status and timing", async () => {
    const mongoUrl = requiredServiceVariable("PHOENIX_TEST_MONGODB_URL");
    const database = `phoenix_${randomUUID().slice(0, 8)}`;
    const app = await startApp({ DB_CONNECTION_STRING: `${mongoUrl}${database}` });

    for (let n = 0; n < 20; n++) expect(await get(app, `/?n=${n}`)).toBe(200);

    const urls = await pollUntil(
      () => loggedUrls(mongoUrl, database),
      (found) => found.length >= 20,
    );
    expect(urls.filter((url) => url.startsWith("/?n=")).sort()).toEqual(
      Array.from({ length: 20 }, (_, n) => `/?n=${n}`).sort(),
    );
    const client = new MongoClient(mongoUrl);
    const doc = await client.db(database).collection("logs").findOne({ url: "/?n=0" });
    await client.close();
    expect(doc).toMatchObject({
      method: "GET",
      statusCode: 200,
      responseTimeMs: expect.any(Number),
      time: expect.any(Date),
    });
  });

  it("keeps answering / and /health while the database is stopped, and resumes writing when it returns", async () => {
    const db = await FerretDbInstance.start();
    started.push({ stop: () => db.destroy() });
    const app = await startApp({ DB_CONNECTION_STRING: `${db.url}outage` });
    expect(await get(app, "/?phase=before")).toBe(200);
    await pollUntil(
      () => loggedUrls(db.url, "outage"),
      (urls) => urls.includes("/?phase=before"),
    );

    await db.stop();
    const duringOutage: number[] = [];
    for (let n = 0; n < 30; n++) {
      duringOutage.push(await get(app, `/?phase=during&n=${n}`), await get(app, "/health"));
    }
    expect(duringOutage.every((status) => status === 200)).toBe(true);
    const health = await pollUntil(
      async () => (await fetch(app.url("/health"))).json() as Promise<{ database: { state: string } }>,
      (body) => body.database.state === "down",
    );
    expect(health.database.state).toBe("down");

    await db.resume();
    expect(await get(app, "/?phase=after")).toBe(200);
    const urls = await pollUntil(
      () => loggedUrls(db.url, "outage"),
      (found) => found.includes("/?phase=after"),
    );
    // Nothing recorded during the outage was lost: the buffer held it until the database returned.
    expect(urls.filter((url) => url.startsWith("/?phase=during"))).toHaveLength(30);
    await pollUntil(
      async () => (await fetch(app.url("/health"))).json() as Promise<{ database: { state: string } }>,
      (body) => body.database.state === "up",
    );
  });

  it("starts without a reachable database, then bounds its buffer by dropping the oldest entries and counting them", async () => {
    const db = await FerretDbInstance.start();
    started.push({ stop: () => db.destroy() });
    await db.stop();
    const app = await startApp({ DB_CONNECTION_STRING: `${db.url}bounded`, REQUEST_LOG_BUFFER_LIMIT: "20" });
    await app.waitForLine((line) => line.msg === "request log database unreachable; buffering request logs");

    for (let n = 0; n < 50; n++) expect(await get(app, `/?n=${String(n).padStart(2, "0")}`)).toBe(200);
    const warning = await app.waitForLine((line) => line.msg === "request log buffer full; dropped the oldest entries");
    expect(warning.dropped).toBeGreaterThanOrEqual(1);
    const { database } = (await (await fetch(app.url("/health"))).json()) as {
      database: { droppedLogs: number; bufferedLogs: number };
    };
    expect(database.bufferedLogs).toBe(20);
    expect(database.droppedLogs).toBe(30);

    await db.resume();
    const urls = await pollUntil(
      () => loggedUrls(db.url, "bounded"),
      (found) => found.filter((u) => u.startsWith("/?n=")).length >= 19,
    );
    // The 20 newest survive: the 19 newest numbered requests and the /health call made after them.
    const kept = urls.filter((url) => url.startsWith("/?n=")).sort();
    expect(kept).toEqual(Array.from({ length: 19 }, (_, i) => `/?n=${31 + i}`));
    expect(urls).toContain("/health");
  });
});
