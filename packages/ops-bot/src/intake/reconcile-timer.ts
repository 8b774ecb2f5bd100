import type { DeployEventHandler } from "../domain/delivery/deploy-event-handler.js";
import type { OpsLogger } from "../ports/logger.js";

/**
 * The plain server's reconciler: every `intervalSeconds` it finishes or times out the deploys
 * whose events were lost, as the EventBridge schedule's reconcile event does for the Lambda in
 * AWS. A tick never overlaps the previous one.
 */
export function startReconcileTimer(
  deployEvents: Pick<DeployEventHandler, "reconcile">,
  intervalSeconds: number,
  logger: OpsLogger,
): { stop(): void } {
  let reconciling = false;
  const timer = setInterval(() => {
    if (reconciling) return;
    reconciling = true;
    deployEvents
      .reconcile()
      .then((outcome) => logger.info({ outcome }, "deploys: reconciled"))
      .catch((error: unknown) => logger.warn({ err: String(error) }, "deploys: reconcile failed"))
      .finally(() => {
        reconciling = false;
      });
  }, intervalSeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
