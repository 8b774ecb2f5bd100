import type { LedgerValue } from "../../ports/ledger.js";
import type { RepositoryRef } from "../../ports/repository-gateway.js";
import type { ServiceTarget } from "../../ports/service-target.js";

/** What started a deploy; shown in comments and kept in the deployment payload. */
export interface DeployTrigger {
  readonly kind: "merge" | "push" | "deploy" | "rollback";
  readonly actor: string;
  readonly pullRequest?: number;
}

/** The PR comment a deploy keeps up to date with its progress. */
export interface ProgressComment {
  readonly issueNumber: number;
  readonly commentId: number;
}

/**
 * A deploy between its steps, as the Ledger keeps it: each step (build finished, rollout
 * finished, reconciler tick) reloads it, acts and saves it, so a restart loses nothing.
 * One per environment: the environment's lock is held by `id` while it exists.
 */
export interface InFlightDeploy {
  readonly id: string;
  readonly repository: RepositoryRef;
  readonly environment: string;
  readonly target: ServiceTarget;
  readonly environmentUrl?: string;
  readonly productionEnvironment: boolean;
  readonly sha: string;
  readonly trigger: DeployTrigger;
  readonly progress?: ProgressComment;
  readonly stage: "building" | "rolling-out";
  readonly buildId?: string;
  readonly image?: { readonly uri: string; readonly digest: string };
  readonly taskDefinitionArn?: string;
  readonly githubDeploymentId?: number;
  readonly ecsDeploymentId?: string;
  readonly rollbackOf?: number;
  /** Whether the image was built for this deploy or an earlier one built it (absent: built). */
  readonly imageSource?: "built" | "reused";
  /** The environment's SSM parameter that names its live image (absent in records of older bots). */
  readonly liveImageParameter?: string;
  /** Progress lines, oldest first, rendered into the PR comment. */
  readonly steps: readonly string[];
  readonly startedAt: string;
  readonly deadline: string;
}

/** Where a build or rollout id leads back to: the in-flight record of one environment. */
export interface DeployPointer {
  readonly repository: RepositoryRef;
  readonly environment: string;
  readonly deployId: string;
}

export function toLedgerValue(value: InFlightDeploy | DeployPointer): LedgerValue {
  return JSON.parse(JSON.stringify(value)) as LedgerValue;
}
