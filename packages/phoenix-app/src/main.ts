import { pino } from "pino";
import { generateSelfSignedCertificate } from "./certificates/self-signed-certificate.js";
import { ConfigError, loadConfig } from "./config.js";
import { EventLoopMonitor } from "./health/event-loop-monitor.js";
import { shutDownGracefully } from "./lifecycle/graceful-shutdown.js";
import { ConcurrencyGate } from "./load-shedding/concurrency-gate.js";
import { createMongoRequestLogStore } from "./request-log/mongo-request-log-store.js";
import { RequestLogWriter } from "./request-log/request-log-writer.js";
import { buildServer } from "./server.js";

/** How long `/crash` waits for buffered request logs before exiting. */
const CRASH_FLUSH_MS = 500;

async function main(): Promise<void> {
  const config = orExitOnConfigError(() => loadConfig(process.env));
  const logger = pino({ level: config.logLevel, base: { service: "phoenix-app" } });
  const database = config.database;
  const requestLog = database
    ? new RequestLogWriter({
        store: orExitOnConfigError(() => createMongoRequestLogStore(database)),
        logger,
        capacity: database.bufferLimit,
      })
    : undefined;
  if (!requestLog) logger.warn("DB_CONNECTION_STRING is not set: request logs go to stdout only");

  const eventLoop = new EventLoopMonitor();
  const certificateGate = new ConcurrencyGate(config.certificates);
  const server = buildServer({
    logger,
    eventLoop,
    requestLog,
    certificateGate,
    generateCertificate: () =>
      generateSelfSignedCertificate({ commonName: "phoenix.local", organization: "Phoenix", validDays: 365 }),
    crash: () => {
      const flushed = requestLog?.stop(CRASH_FLUSH_MS) ?? Promise.resolve();
      void flushed.finally(() => process.exit(1));
    },
  });

  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "uncaught exception");
    process.exit(1);
  });
  process.on("unhandledRejection", (reason) => {
    logger.fatal({ err: reason }, "unhandled promise rejection");
    process.exit(1);
  });

  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, "shutting down");
    void shutDownGracefully({ server, requestLog, eventLoop, logger, timeoutMs: config.shutdownTimeoutMs }).then(
      (code) => process.exit(code),
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  eventLoop.start();
  requestLog?.start();
  await server.listen({ port: config.port, host: config.host });
  logger.info(
    { port: (server.server.address() as { port: number }).port, database: config.database ? "enabled" : "disabled" },
    "phoenix app listening",
  );
}

/** A configuration problem ends start-up with its one-line message, not a stack trace. */
function orExitOnConfigError<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

await main();
