import type { ServiceTarget } from "./service-target.js";

export interface RolloutStarted {
  readonly taskDefinitionArn: string;
  /** ECS deployment id (`ecs-svc/…`), the key ECS deployment state-change events carry. */
  readonly deploymentId: string;
}

/**
 * The rollout as the ECS deployment itself reports it. A circuit-breaker rollback ends the
 * deployment in FAILED: it is never a success, whatever the service runs afterwards.
 */
export type RolloutState =
  | { readonly state: "in-progress" }
  | { readonly state: "completed" }
  | { readonly state: "failed"; readonly reason: string };

export interface LiveRevision {
  readonly taskDefinitionArn: string;
  /** The image of the target's container in that task definition. */
  readonly image: string;
  readonly desiredCount: number;
  readonly runningCount: number;
}

export interface Deployer {
  /**
   * Registers a copy of the service's current task definition with the container's image
   * replaced (every other field kept), and points the service at it.
   */
  deployImage(target: ServiceTarget, imageUri: string): Promise<RolloutStarted>;
  /**
   * Only the first half of `deployImage`: registers the new revision without touching the
   * service, so the deploy record can name it before anything changes. Resolves its ARN.
   */
  registerRevision(target: ServiceTarget, imageUri: string): Promise<string>;
  /** Points the service at an existing task definition (rollback: nothing is rebuilt). */
  deployTaskDefinition(target: ServiceTarget, taskDefinitionArn: string): Promise<RolloutStarted>;
  rollout(target: ServiceTarget, deploymentId: string): Promise<RolloutState>;
  live(target: ServiceTarget): Promise<LiveRevision>;
}
