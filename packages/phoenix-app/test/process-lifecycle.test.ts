import { execFile } from "node:child_process";
import { createPrivateKey, randomUUID, X509Certificate } from "node:crypto";
import { promisify } from "node:util";
import { MongoClient } from "mongodb";
import { afterEach, describe, expect, it } from "vitest";
import { requiredServiceVariable } from "../../../test-support/required-service.js";
import { CRASH_LOG_LINE } from "../src/routes/crash.js";
import { AppProcess } from "./support/app-process.js";
import { readAppDockerfile } from "./support/dockerfile.js";
import { pollUntil } from "./support/poll.js";

const run = promisify(execFile);

/** The Node release the Dockerfile pins, installed by scripts/test-services.sh. */
const productionNode = () => requiredServiceVariable("PHOENIX_PRODUCTION_NODE_BIN");

const started: AppProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.stop()));
});

it("the production image's Node installed for these tests is the release the Dockerfile pins", async () => {
  const pinned = (await readAppDockerfile()).globalArgs.get("NODE_VERSION");
  const { stdout } = await run(productionNode(), ["--version"]);
  expect(stdout.trim()).toBe(`v${pinned}`);
});

// The image runs a newer Node than this machine: the app's process behaviour is checked on both.
describe.each([
  ["this machine's Node", () => process.execPath],
  ["the production image's Node", productionNode],
])("the app process (node dist/main.js) on %s", (_name, nodeOf) => {
  it("serves / and a /generatecert key pair whose certificate matches the key", async () => {
    const app = await AppProcess.start({}, nodeOf());
    started.push(app);
    const home = await fetch(app.url("/"));
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toMatch(/^text\/html/);
    const response = await fetch(app.url("/generatecert"));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { certificate: string; privateKey: string };
    expect(new X509Certificate(body.certificate).checkPrivateKey(createPrivateKey(body.privateKey))).toBe(true);
  });

  it("logs the crash line at error level and exits non-zero on GET /crash", async () => {
    const app = await AppProcess.start({}, nodeOf());
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
    const app = await AppProcess.start({ DB_CONNECTION_STRING: `${mongoUrl}${database}` }, nodeOf());
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
    const { code, stderr } = await AppProcess.runToExit(env, nodeOf());
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });
});
