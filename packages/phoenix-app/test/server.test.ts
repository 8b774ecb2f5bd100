import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { EventLoopMonitor } from "../src/health/event-loop-monitor.js";
import { ConcurrencyGate } from "../src/load-shedding/concurrency-gate.js";
import { RequestLogWriter } from "../src/request-log/request-log-writer.js";
import { CRASH_LOG_LINE } from "../src/routes/crash.js";
import { buildServer, type ServerDependencies } from "../src/server.js";

const fakeCertificate = { privateKey: "k", publicKey: "p", certificate: "c" };

function makeServer(overrides: Partial<ServerDependencies> = {}) {
  const logLines: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => logLines.push(JSON.parse(line)) });
  const crashes: number[] = [];
  const server = buildServer({
    logger,
    eventLoop: new EventLoopMonitor(),
    requestLog: undefined,
    certificateGate: new ConcurrencyGate({ concurrency: 1, queueLimit: 2, queueTimeoutMs: 1_000 }),
    generateCertificate: async () => fakeCertificate,
    crash: () => crashes.push(Date.now()),
    ...overrides,
  });
  return { server, logLines, crashes };
}

describe("Phoenix HTTP routes", () => {
  let server: FastifyInstance | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("serves the HTML home page on GET /", async () => {
    ({ server } = makeServer());
    const response = await server.inject({ method: "GET", url: "/" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/html");
    expect(response.body).toContain("<h1>Phoenix</h1>");
  });

  it("reports event-loop delay and a disabled database on /health", async () => {
    ({ server } = makeServer());
    const response = await server.inject({ method: "GET", url: "/health" });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.status).toBe("ok");
    expect(body.eventLoop).toEqual(expect.objectContaining({ delayP99Ms: expect.any(Number) }));
    expect(body.database).toEqual({ state: "disabled" });
  });

  it("stays 200 on /health while the database is down, reporting the state without error text", async () => {
    const store = {
      insertBatch: async () => Promise.reject(new Error("connect ECONNREFUSED 10.0.3.7:27017")),
      ping: async () => Promise.reject(new Error("connect ECONNREFUSED 10.0.3.7:27017")),
      close: async () => {},
    };
    const requestLog = new RequestLogWriter({ store, logger: pino({ level: "silent" }), flushIntervalMs: 5 });
    requestLog.start();
    ({ server } = makeServer({ requestLog }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const response = await server.inject({ method: "GET", url: "/health" });
    expect(response.statusCode).toBe(200);
    expect(response.json().database.state).toBe("down");
    expect(response.body).not.toContain("10.0.3.7");
    await requestLog.stop(10);
  });

  it("answers unknown routes with a JSON 404 and no stack trace", async () => {
    ({ server } = makeServer());
    const response = await server.inject({ method: "GET", url: "/wp-admin?x=1" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: "Not Found", message: "no route for GET /wp-admin" });
  });

  it("hides internal error details behind a generic 500", async () => {
    ({ server } = makeServer({
      generateCertificate: async () => Promise.reject(new Error("secret internals at /app/x.js:1")),
    }));
    const response = await server.inject({ method: "GET", url: "/generatecert" });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain("secret internals");
    expect(response.body).not.toContain("stack");
  });

  it("returns the generated key pair and certificate as JSON on /generatecert", async () => {
    ({ server } = makeServer());
    const response = await server.inject({ method: "GET", url: "/generatecert" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(fakeCertificate);
    expect(response.headers["cache-control"]).toBe("no-store");
  });

  it("sheds /generatecert with 503 and Retry-After when concurrency and queue are full", async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    ({ server } = makeServer({
      certificateGate: new ConcurrencyGate({ concurrency: 1, queueLimit: 1, queueTimeoutMs: 5_000 }),
      generateCertificate: async () => {
        await blocked;
        return fakeCertificate;
      },
    }));
    const app = server;
    const inFlight = [app.inject({ url: "/generatecert" }), app.inject({ url: "/generatecert" })];
    await new Promise((resolve) => setTimeout(resolve, 20));
    const shed = await app.inject({ url: "/generatecert" });
    expect(shed.statusCode).toBe(503);
    expect(Number(shed.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    release();
    expect((await Promise.all(inFlight)).map((r) => r.statusCode)).toEqual([200, 200]);
  });

  it("logs the crash line at error level and asks the process to crash on /crash", async () => {
    const made = makeServer();
    server = made.server;
    void server.inject({ url: "/crash" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(made.crashes).toHaveLength(1);
    expect(made.logLines).toContainEqual(expect.objectContaining({ level: 50, msg: CRASH_LOG_LINE }));
  });

  it("writes exactly one JSON log line per request with method, url, status and timing", async () => {
    const made = makeServer();
    server = made.server;
    await server.inject({ url: "/health" });
    const requestLines = made.logLines.filter((line) => line.msg === "request completed");
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      method: "GET",
      url: "/health",
      statusCode: 200,
      responseTimeMs: expect.any(Number),
    });
  });
});
