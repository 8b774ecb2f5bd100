import type { FastifyInstance } from "fastify";

export const CRASH_LOG_LINE = "Requested crash by endpoint /crash";

/**
 * Kept on purpose: the endpoint proves the platform recovers a dead task. It must end the
 * process with a failure code, never hide the crash.
 */
export function registerCrashRoute(app: FastifyInstance, crash: () => void): void {
  app.get("/crash", async (request) => {
    request.log.error(CRASH_LOG_LINE);
    crash();
    // No reply: the process is going away, as the original did.
    return new Promise<never>(() => {});
  });
}
