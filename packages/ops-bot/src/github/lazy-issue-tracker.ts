import type { ProbotOctokit } from "probot";
import type { TargetRepository } from "../config/target-repository.js";
import type { IssueTracker } from "./issue-tracker.js";
import { createOctokitIssueTracker } from "./octokit-issue-tracker.js";

/** An IssueTracker that asks for a (fresh-token) installation Octokit on every call. */
export function lazyIssueTracker(
  octokit: () => Promise<InstanceType<typeof ProbotOctokit>>,
  repository: TargetRepository,
): IssueTracker {
  const tracker = async () => createOctokitIssueTracker(await octokit(), repository);
  return {
    create: async (issue) => (await tracker()).create(issue),
    get: async (issueNumber) => (await tracker()).get(issueNumber),
    update: async (issueNumber, change) => (await tracker()).update(issueNumber, change),
    comment: async (issueNumber, body) => (await tracker()).comment(issueNumber, body),
  };
}
