import type { FastifyInstance } from "fastify";
import type { EventLoopMonitor } from "../health/event-loop-monitor.js";
import type { ConcurrencyGate } from "../load-shedding/concurrency-gate.js";
import type { RequestLogWriter } from "../request-log/request-log-writer.js";

export interface HealthSources {
  readonly eventLoop: EventLoopMonitor;
  readonly requestLog: RequestLogWriter | undefined;
  readonly certificates: ConcurrencyGate;
}

/**
 * Liveness for the load balancer and the container health check. It answers 200 whenever
 * the process can answer at all: a database outage is reported in the body, never as a
 * failure, because restarting the task would not bring the database back.
 */
export function registerHealthRoute(app: FastifyInstance, sources: HealthSources): void {
  app.get("/health", async (_request, reply) => {
    const log = sources.requestLog?.status();
    return reply.header("cache-control", "no-store").send({
      status: "ok",
      uptimeSeconds: Math.round(process.uptime()),
      eventLoop: sources.eventLoop.snapshot(),
      // Error text can name internal hosts, so only the state leaves the process.
      database: log
        ? {
            state: log.state,
            bufferedLogs: log.buffered,
            droppedLogs: log.dropped,
            lastWriteAt: log.lastWriteAt ?? null,
          }
        : { state: "disabled" },
      certificates: sources.certificates.stats(),
    });
  });
}
