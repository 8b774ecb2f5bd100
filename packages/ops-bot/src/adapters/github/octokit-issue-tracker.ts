import type { ProbotOctokit } from "probot";
import type { IssueTracker, TrackedIssue } from "../../ports/issue-tracker.js";
import type { RepositoryRef } from "../../ports/repository-gateway.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

/** `IssueTracker` on GitHub's REST API, through the installation's Octokit. */
export function createOctokitIssueTracker(octokit: Octokit, repository: RepositoryRef): IssueTracker {
  const where = { owner: repository.owner, repo: repository.repo };
  const toTracked = (issue: {
    number: number;
    state: string;
    body?: string | null;
    html_url: string;
  }): TrackedIssue => ({
    number: issue.number,
    state: issue.state === "closed" ? "closed" : "open",
    body: issue.body ?? "",
    url: issue.html_url,
  });

  return {
    async create(issue) {
      const { data } = await octokit.rest.issues.create({
        ...where,
        title: issue.title,
        body: issue.body,
        labels: [...issue.labels],
      });
      return toTracked(data);
    },
    async get(issueNumber) {
      try {
        const { data } = await octokit.rest.issues.get({ ...where, issue_number: issueNumber });
        return toTracked(data);
      } catch (error) {
        if ((error as { status?: number }).status === 404) return undefined;
        throw error;
      }
    },
    async update(issueNumber, change) {
      await octokit.rest.issues.update({
        ...where,
        issue_number: issueNumber,
        ...(change.body !== undefined ? { body: change.body } : {}),
        ...(change.state !== undefined ? { state: change.state } : {}),
        ...(change.stateReason !== undefined ? { state_reason: change.stateReason } : {}),
      });
    },
    async comment(issueNumber, body) {
      await octokit.rest.issues.createComment({ ...where, issue_number: issueNumber, body });
    },
  };
}
