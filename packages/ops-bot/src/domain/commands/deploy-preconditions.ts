import type { PullRequestSnapshot } from "../../ports/repository-gateway.js";
import type { EnvironmentConfig } from "../ops-config/ops-config-schema.js";
import { code, inlineCode, shortSha } from "../rendering/markdown.js";

export type Precondition = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Commands on pull requests from forks act on code nobody with access reviewed, unless allowed. */
export function checkForkPolicy(
  pullRequest: PullRequestSnapshot,
  environment: Pick<EnvironmentConfig, "name" | "allowForks">,
): Precondition {
  const fromFork = pullRequest.headRepository !== pullRequest.baseRepository;
  if (!fromFork || environment.allowForks) return { ok: true };
  return {
    ok: false,
    reason: `#${pullRequest.number} comes from a fork (${pullRequest.headRepository ?? "deleted repository"}); commands on forks are not allowed for **${environment.name}**.`,
  };
}

/**
 * The commit deployed must be the one the PR had when the command was written. GitHub does
 * not say when a commit was pushed; a head commit dated after the comment was certainly not
 * there, so the command stops rather than deploy code its author never saw.
 */
export function checkHeadUnmoved(headSha: string, headCommittedAt: Date, commentWrittenAt: Date): Precondition {
  if (headCommittedAt.getTime() <= commentWrittenAt.getTime()) return { ok: true };
  return {
    ok: false,
    reason: `the pull request moved after the command was written (head is now ${code(shortSha(headSha))}, committed ${headCommittedAt.toISOString()}); review it and comment again.`,
  };
}

/** Required approvals and checks of the environment, on the sha about to be deployed. */
export function checkReviewRules(
  environment: Pick<EnvironmentConfig, "name" | "requiredApprovals" | "requiredChecks">,
  approvers: readonly string[],
  successfulChecks: readonly string[],
): Precondition {
  const problems: string[] = [];
  if (approvers.length < environment.requiredApprovals) {
    problems.push(`${environment.requiredApprovals} approving review(s) required, ${approvers.length} given`);
  }
  const missing = environment.requiredChecks.filter((check) => !successfulChecks.includes(check));
  if (missing.length > 0)
    problems.push(`required checks not successful yet: ${missing.map((check) => inlineCode(check)).join(", ")}`);
  if (problems.length === 0) return { ok: true };
  return { ok: false, reason: `**${environment.name}** rules not met: ${problems.join("; ")}.` };
}
