import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { EventLoopMonitor } from "../health/event-loop-monitor.js";
import type { RequestLogWriter } from "../request-log/request-log-writer.js";

export interface ShutdownParts {
  readonly server: FastifyInstance;
  readonly requestLog: RequestLogWriter | undefined;
  readonly eventLoop: EventLoopMonitor;
  readonly logger: FastifyBaseLogger;
  readonly timeoutMs: number;
}

/**
 * Stops accepting connections, lets in-flight requests finish, then flushes buffered
 * request logs in whatever time is left. Resolves to the process exit code: 0 when all
 * of it finished in time.
 */
export async function shutDownGracefully(parts: ShutdownParts): Promise<number> {
  const startedAt = Date.now();
  let deadline: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    deadline = setTimeout(() => resolve("timeout"), parts.timeoutMs);
  });
  try {
    const closed = await Promise.race([parts.server.close().then(() => "closed" as const), timedOut]);
    if (closed === "timeout") {
      parts.logger.error(
        { timeoutMs: parts.timeoutMs },
        "in-flight requests did not finish before the shutdown deadline",
      );
      return 1;
    }
    const remainingMs = Math.max(0, parts.timeoutMs - (Date.now() - startedAt));
    const unwritten = (await parts.requestLog?.stop(remainingMs)) ?? 0;
    parts.eventLoop.stop();
    if (unwritten > 0) {
      parts.logger.warn({ unwritten }, "request logs not written before exit");
    }
    parts.logger.info({ durationMs: Date.now() - startedAt }, "shut down");
    return 0;
  } finally {
    clearTimeout(deadline);
  }
}
