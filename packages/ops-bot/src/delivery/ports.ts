/**
 * The seams of continuous delivery. The deploy workflow decides; these ports act. Each has one
 * production adapter (CodeBuild or the daemonless OCI builder, ECS, Application Auto Scaling)
 * and tests inject doubles here or point the adapters at local stand-ins.
 */

/** Where one environment runs: resolved from `.github/phoenix-ops.yml`. */
export interface ServiceTarget {
  readonly region: string;
  readonly cluster: string;
  readonly service: string;
  /** The container in the task definition whose image a deploy replaces. */
  readonly container: string;
  /** Assumed before every call when set (cross-account deploys). */
  readonly roleArn?: string;
}

/** An image pinned by digest: what a task definition should reference. */
export interface BuiltImage {
  /** `<registry>/<repository>` without tag or digest. */
  readonly repositoryUri: string;
  /** `sha256:<hex>` of the image manifest. */
  readonly digest: string;
  /** `<repositoryUri>@<digest>`. */
  readonly uri: string;
}

export interface ImageBuildRequest {
  /** Full 40-character commit sha; the image is tagged with it. */
  readonly sha: string;
  /** `owner/name` of the repository the sha belongs to. */
  readonly repository: string;
}

/**
 * A build either finishes inside the call (the OCI builder) or continues elsewhere
 * (CodeBuild): then its completion arrives as a CodeBuild state-change event, or the
 * reconciler asks `outcome(buildId)`.
 */
export type ImageBuildStart =
  | { readonly status: "ready"; readonly image: BuiltImage }
  | { readonly status: "started"; readonly buildId: string };

export type ImageBuildOutcome =
  | { readonly status: "in-progress" }
  | { readonly status: "succeeded"; readonly image: BuiltImage }
  | { readonly status: "failed"; readonly reason: string };

export interface ImageBuilder {
  start(request: ImageBuildRequest): Promise<ImageBuildStart>;
  outcome(buildId: string): Promise<ImageBuildOutcome>;
}

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

export interface ScalingBounds {
  readonly min: number;
  readonly max: number;
}

/** Application Auto Scaling bounds of the service, never its desired count. */
export interface Scaler {
  bounds(target: ServiceTarget): Promise<ScalingBounds>;
  setBounds(target: ServiceTarget, bounds: ScalingBounds): Promise<void>;
}

/**
 * An AWS or registry failure worth showing to the person who ran the command: the AWS error
 * name and its message (throttling, missing service, access denied), never a stack.
 */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
