import { PHOENIX_APP } from "@phoenix/shared";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { EventLoopMonitor } from "../src/health/event-loop-monitor.js";
import { ConcurrencyGate } from "../src/load-shedding/concurrency-gate.js";
import { CRASH_LOG_LINE } from "../src/routes/crash.js";
import { buildServer } from "../src/server.js";

// The infrastructure configures ports, health checks and stop timeouts from PHOENIX_APP;
// these tests fail if the app stops behaving the way that contract says.
describe("the app honours the platform contract in @phoenix/shared", () => {
  it("listens on the contract's container port and drains within its shutdown budget by default", () => {
    const config = loadConfig({});
    expect(config.port).toBe(PHOENIX_APP.containerPort);
    expect(config.shutdownTimeoutMs).toBe(PHOENIX_APP.shutdownTimeoutMs);
  });

  it("answers 200 on the contract's health-check path", async () => {
    const server = buildServer({
      logger: pino({ level: "silent" }),
      eventLoop: new EventLoopMonitor(),
      requestLog: undefined,
      certificateGate: new ConcurrencyGate({ concurrency: 1, queueLimit: 0, queueTimeoutMs: 1 }),
      generateCertificate: async () => ({ privateKey: "", publicKey: "", certificate: "" }),
      crash: () => {},
    });
    const response = await server.inject({ url: PHOENIX_APP.healthCheckPath });
    await server.close();
    expect(response.statusCode).toBe(200);
  });

  it("logs the crash line the bot recognises", () => {
    expect(CRASH_LOG_LINE).toBe(PHOENIX_APP.crashLogLine);
  });

  it("reads the environment variables the infrastructure sets", () => {
    const config = loadConfig({
      [PHOENIX_APP.env.port]: "8080",
      [PHOENIX_APP.env.databaseUrl]: `mongodb://db:27017/x?tls=true&tlsCAFile=${PHOENIX_APP.documentDbCaBundlePath}`,
      [PHOENIX_APP.env.databaseUsername]: "phoenix",
      [PHOENIX_APP.env.databasePassword]: "rotated",
      [PHOENIX_APP.env.certificateConcurrency]: "3",
      [PHOENIX_APP.env.shutdownTimeoutMs]: "5000",
    });
    expect(config).toMatchObject({ port: 8080, shutdownTimeoutMs: 5000, certificates: { concurrency: 3 } });
    expect(config.database).toMatchObject({
      databaseName: "x",
      credentials: { username: "phoenix", password: "rotated" },
    });
  });
});
