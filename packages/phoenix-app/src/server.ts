import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from "fastify";
import type { EventLoopMonitor } from "./health/event-loop-monitor.js";
import type { ConcurrencyGate } from "./load-shedding/concurrency-gate.js";
import type { RequestLogWriter } from "./request-log/request-log-writer.js";
import { registerCrashRoute } from "./routes/crash.js";
import { type CertificateGenerator, registerGenerateCertRoute } from "./routes/generate-cert.js";
import { registerHealthRoute } from "./routes/health.js";
import { registerHomeRoute } from "./routes/home.js";

export interface ServerDependencies {
  readonly logger: FastifyBaseLogger;
  readonly eventLoop: EventLoopMonitor;
  readonly requestLog: RequestLogWriter | undefined;
  readonly certificateGate: ConcurrencyGate;
  readonly generateCertificate: CertificateGenerator;
  /** Ends the process with a failure code; injected so tests can observe it. */
  readonly crash: () => void;
}

/** The Phoenix HTTP app, with every effect injected. Does not listen. */
export function buildServer(deps: ServerDependencies): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger,
    // One line per request is written by the onResponse hook below, not two by Fastify.
    logController: new LogController({ disableRequestLogging: true }),
    // Behind an ALB: take the client address from X-Forwarded-For.
    trustProxy: true,
    return503OnClosing: true,
  });

  // While draining, answer in-flight requests with `Connection: close` so their keep-alive
  // sockets do not hold the shutdown open.
  let draining = false;
  app.addHook("preClose", async () => {
    draining = true;
  });
  app.addHook("onSend", async (_request, reply) => {
    if (draining) reply.header("connection", "close");
  });

  app.addHook("onResponse", async (request, reply) => {
    const responseTimeMs = Math.round(reply.elapsedTime * 100) / 100;
    request.log.info(
      { method: request.method, url: request.url, statusCode: reply.statusCode, responseTimeMs },
      "request completed",
    );
    deps.requestLog?.record({
      time: new Date(),
      requestId: request.id,
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTimeMs,
      remoteAddress: request.ip,
      userAgent: request.headers["user-agent"],
    });
  });

  app.setNotFoundHandler(async (request, reply) =>
    reply
      .code(404)
      .send({ error: "Not Found", message: `no route for ${request.method} ${request.url.split("?")[0]}` }),
  );

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const statusCode = typeof error.statusCode === "number" && error.statusCode >= 400 ? error.statusCode : 500;
    if (statusCode >= 500) {
      request.log.error({ err: error }, "request failed");
      return reply.code(statusCode).send({ error: "Internal Server Error", message: "unexpected error" });
    }
    return reply.code(statusCode).send({ error: error.name, message: error.message });
  });

  registerHomeRoute(app);
  registerHealthRoute(app, {
    eventLoop: deps.eventLoop,
    requestLog: deps.requestLog,
    certificates: deps.certificateGate,
  });
  registerGenerateCertRoute(app, deps.certificateGate, deps.generateCertificate);
  registerCrashRoute(app, deps.crash);
  return app;
}
