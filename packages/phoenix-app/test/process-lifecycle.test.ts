import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterEach, describe, expect, it } from "vitest";
import { requiredServiceVariable } from "../../../test-support/required-service.js";
import { CRASH_LOG_LINE } from "../src/routes/crash.js";
import { AppProcess } from "./support/app-process.js";
import { pollUntil } from "./support/poll.js";

const started: AppProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.stop()));
});

describe("the app process (node dist/main.js)", () => {
  it("logs the crash line at error level and exits non-zero on GET /crash", async () => {
    const app = await AppProcess.start({});
    started.push(app);
    await fetch(app.url("/crash")).catch(() => undefined); // the connection dies with the process
    const code = await app.exited;
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(app.lines).toContainEqual(expect.objectContaining({ level: 50, msg: CRASH_LOG_LINE }));
  });

  it("finishes an in-flight request on SIGTERM, flushes request logs, then exits 0", async () => {
    const mongoUrl = requiredServiceVariable("PHOENIX_TEST_MONGODB_URL");
    const database = `phoenix_${randomUUID().slice(0, 8)}`;
    const app = await AppProcess.start({ DB_CONNECTION_STRING: `${mongoUrl}${database}` });
    started.push(app);

    const inFlight = fetch(app.url("/generatecert"));
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the request reach the server
    app.signal("SIGTERM");
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { certificate: string }).certificate).toContain("BEGIN CERTIFICATE");
    expect(await app.exited).toBe(0);
    expect(app.lines).toContainEqual(expect.objectContaining({ msg: "shut down" }));

    const client = new MongoClient(mongoUrl);
    const urls = await pollUntil(
      async () => (await client.db(database).collection("logs").find().toArray()).map((doc) => doc.url),
      (found) => found.length > 0,
      5_000,
    );
    await client.close();
    expect(urls).toContain("/generatecert");
  });

  it.each([
    [{ PORT: "http" }, /^config: PORT must be a whole number\n$/],
    [{ DB_CONNECTION_STRING: "localhost:27017" }, /^config: DB_CONNECTION_STRING is not a valid MongoDB URI/],
    [{ DB_CONNECTION_STRING: "mongodb://db:27017/?tls=maybe" }, /^config: DB_CONNECTION_STRING is not usable/],
  ])("refuses to start on bad configuration %j with one clear line", async (env, message) => {
    const { code, stderr } = await AppProcess.runToExit(env);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });
});
