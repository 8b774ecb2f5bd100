import { EVENT_DETAIL_TYPES, RECONCILE_EVENT } from "@phoenix/shared";
import type { RolloutState } from "../../ports/deployer.js";
import type { Ledger } from "../../ports/ledger.js";
import type { RepositoryRef } from "../../ports/repository-gateway.js";
import { handleOnce } from "../coordination/handle-once.js";
import { buildIdOf, parseCodeBuildBuildStateChange } from "../events/codebuild-build-state-change.js";
import { parseEcsDeploymentStateChange } from "../events/ecs-deployment-state-change.js";
import { ledgerKeys } from "../ledger-keys.js";
import type { DeployWorkflow } from "./deploy-workflow.js";

/** The environments the reconciler looks after: those of the target repository's config. */
export type ReconcileScope = () => Promise<{
  readonly repository: RepositoryRef;
  readonly environments: readonly string[];
}>;

export interface DeployEventHandlerDeps {
  readonly workflow: DeployWorkflow;
  readonly ledger: Ledger;
  readonly reconcileScope: ReconcileScope;
}

const TERMINAL_BUILD_STATUSES = new Set(["SUCCEEDED", "FAILED", "FAULT", "STOPPED", "TIMED_OUT"]);

/**
 * The AWS events that resume a deploy: a CodeBuild build ended, an ECS deployment ended, or
 * the reconciler's tick. Each EventBridge event is acted on once (retries are deduplicated by
 * its id); the workflow ignores events no deploy waits for.
 */
export class DeployEventHandler {
  constructor(private readonly deps: DeployEventHandlerDeps) {}

  async handle(event: Readonly<Record<string, unknown>>): Promise<string> {
    switch (event["detail-type"]) {
      case EVENT_DETAIL_TYPES.codeBuildStateChange: {
        const change = parseCodeBuildBuildStateChange(event);
        if (!TERMINAL_BUILD_STATUSES.has(change.detail["build-status"])) return "ignored:build-running";
        return this.once(change.id, () => this.deps.workflow.onBuildFinished(buildIdOf(change.detail["build-id"])));
      }
      case EVENT_DETAIL_TYPES.ecsDeploymentStateChange: {
        const change = parseEcsDeploymentStateChange(event);
        const state = rolloutStateOf(change.detail.eventName, change.detail.reason);
        if (state.state === "in-progress") return "ignored:rollout-running";
        return this.once(change.id, () => this.deps.workflow.onRolloutState(change.detail.deploymentId, state));
      }
      case RECONCILE_EVENT["detail-type"]:
        return this.reconcile();
      default:
        return "ignored:not-a-deploy-event";
    }
  }

  /** Finishes or times out every in-flight deploy of the scope; one environment's failure does not stop the rest. */
  async reconcile(): Promise<string> {
    const { repository, environments } = await this.deps.reconcileScope();
    const outcomes = await Promise.all(
      environments.map(async (environment) => {
        const outcome = await this.deps.workflow
          .reconcile(repository, environment)
          .catch((error: unknown) => `error:${error instanceof Error ? error.message : String(error)}`);
        return `${environment}=${outcome}`;
      }),
    );
    return `reconciled:${outcomes.join(",")}`;
  }

  private async once(eventId: string, work: () => Promise<string>): Promise<string> {
    const result = await handleOnce(this.deps.ledger, ledgerKeys.eventBridgeEvent(eventId), work);
    return result.duplicate ? "duplicate-event" : result.result;
  }
}

/** A circuit-breaker rollback arrives as SERVICE_DEPLOYMENT_FAILED: a failure, whatever runs afterwards. */
export function rolloutStateOf(eventName: string, reason: string | undefined): RolloutState {
  switch (eventName) {
    case "SERVICE_DEPLOYMENT_COMPLETED":
      return { state: "completed" };
    case "SERVICE_DEPLOYMENT_FAILED":
      return { state: "failed", reason: reason ?? "ECS reported the deployment FAILED" };
    default:
      return { state: "in-progress" };
  }
}
