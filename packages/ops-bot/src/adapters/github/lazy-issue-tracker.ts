import type { ProbotOctokit } from "probot";
import type { IssueTracker } from "../../ports/issue-tracker.js";
import type { RepositoryRef } from "../../ports/repository-gateway.js";
import { createOctokitIssueTracker } from "./octokit-issue-tracker.js";

/** An IssueTracker that asks for a (fresh-token) installation Octokit on every call. */
export function lazyIssueTracker(
  octokit: () => Promise<InstanceType<typeof ProbotOctokit>>,
  repository: RepositoryRef,
): IssueTracker {
  const tracker = async () => createOctokitIssueTracker(await octokit(), repository);
  return {
    create: async (issue) => (await tracker()).create(issue),
    get: async (issueNumber) => (await tracker()).get(issueNumber),
    update: async (issueNumber, change) => (await tracker()).update(issueNumber, change),
    comment: async (issueNumber, body) => (await tracker()).comment(issueNumber, body),
  };
}
