import type { RepositoryGateway } from "../../ports/repository-gateway.js";
import { type EnvironmentConfig, environmentNamed, OPS_CONFIG_PATH } from "../ops-config/ops-config-schema.js";
import { parseOpsConfig, renderConfigProblems } from "../ops-config/parse-ops-config.js";
import type { DeployWorkflow } from "./deploy-workflow.js";
import type { DeployTrigger } from "./in-flight-deploy.js";
import { deployDestination } from "./service-target.js";

/** A change that landed on a branch: a merged pull request or a plain push. */
export type LandedChange =
  | {
      readonly kind: "merge";
      readonly pullRequest: number;
      readonly merged: boolean;
      readonly baseRef: string;
      readonly mergeCommitSha: string | null;
      readonly mergedBy: string;
    }
  | {
      readonly kind: "push";
      readonly ref: string;
      readonly after: string;
      readonly pusher: string;
      readonly deleted: boolean;
    };

export type MergeDecision =
  | {
      readonly kind: "deploy";
      /** The config's `app`, which names the environment's resources. */
      readonly app: string;
      readonly environment: EnvironmentConfig;
      readonly sha: string;
      readonly trigger: DeployTrigger;
    }
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "invalid-config"; readonly comment: string };

/** Whether a landed change deploys, where, and which commit: a pure function of config and event. */
export function decideMergeDeploy(rawConfig: unknown, defaultBranch: string, change: LandedChange): MergeDecision {
  if (change.kind === "merge" && !change.merged) return { kind: "skip", reason: "closed without merging" };
  const branch = change.kind === "merge" ? change.baseRef : change.ref.replace(/^refs\/heads\//, "");
  if (change.kind === "push" && !change.ref.startsWith("refs/heads/")) return { kind: "skip", reason: "not a branch" };
  if (branch !== defaultBranch) return { kind: "skip", reason: `${branch} is not the default branch` };
  if (change.kind === "push" && change.deleted) return { kind: "skip", reason: "branch deleted" };
  if (rawConfig === undefined || rawConfig === null) return { kind: "skip", reason: `no ${OPS_CONFIG_PATH}` };
  const parsed = parseOpsConfig(rawConfig);
  if (!parsed.ok) {
    return {
      kind: "invalid-config",
      comment: `### 😕 Not deployed: \`${OPS_CONFIG_PATH}\` is invalid\n\n${renderConfigProblems(parsed.problems)}`,
    };
  }
  const onMerge = parsed.config.deployOnMerge;
  if (!onMerge) return { kind: "skip", reason: "deployOnMerge is not configured" };
  if (change.kind === "push" && !onMerge.onPush)
    return { kind: "skip", reason: "pushes do not deploy (deployOnMerge.onPush)" };
  const environment = environmentNamed(parsed.config, onMerge.environment);
  if (!environment) return { kind: "skip", reason: `unknown environment ${onMerge.environment}` };
  if (change.kind === "merge") {
    if (!change.mergeCommitSha) return { kind: "skip", reason: "GitHub gave no merge commit" };
    return {
      kind: "deploy",
      app: parsed.config.app,
      environment,
      sha: change.mergeCommitSha,
      trigger: { kind: "merge", actor: change.mergedBy, pullRequest: change.pullRequest },
    };
  }
  return {
    kind: "deploy",
    app: parsed.config.app,
    environment,
    sha: change.after,
    trigger: { kind: "push", actor: change.pusher },
  };
}

/**
 * Deploys what landed on the default branch. The deploy id is the environment and sha, so a
 * redelivered webhook, or the push GitHub sends for the same merge, never deploys twice.
 */
export async function deployLandedChange(
  deps: { readonly github: RepositoryGateway; readonly workflow: DeployWorkflow },
  rawConfig: unknown,
  defaultBranch: string,
  change: LandedChange,
): Promise<string> {
  const decision = decideMergeDeploy(rawConfig, defaultBranch, change);
  if (decision.kind === "skip") return `skipped:${decision.reason}`;
  const { github, workflow } = deps;
  if (decision.kind === "invalid-config") {
    if (change.kind === "merge") await github.comment(change.pullRequest, decision.comment);
    return "refused:invalid-config";
  }
  const { owner, repo } = github.repository;
  const env = decision.environment;
  const started = await workflow.start({
    id: `landed/${owner}/${repo}/${env.name}/${decision.sha}`,
    repository: github.repository,
    ...deployDestination(decision.app, env),
    sha: decision.sha,
    trigger: decision.trigger,
  });
  if (change.kind === "merge" && (started.outcome === "locked" || started.outcome === "refused")) {
    const why = started.outcome === "locked" ? started.message : started.reason;
    await github.comment(change.pullRequest, `### 😕 Not deployed\n\n${why}`);
  }
  return `deploy:${started.outcome}`;
}
