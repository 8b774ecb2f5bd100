import { createHash } from "node:crypto";
import type { GitHubStandIn, StoredDeployment } from "./github-stand-in.js";

export interface SandboxRepository {
  readonly owner: string;
  readonly repo: string;
}

export interface SandboxComment {
  readonly id: number;
  readonly body: string;
  readonly created_at: string;
  /** Reaction contents (`eyes`, `rocket`, `+1`…) in the order they were added. */
  readonly reactions: readonly string[];
}

export interface SandboxIssue {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly state: "open" | "closed";
  readonly state_reason: string | null;
  readonly labels: readonly string[];
  /** On GitHub a pull request is also an issue; its conversation comments live here. */
  readonly pullRequest: boolean;
  /** Oldest first, as GitHub lists them. */
  readonly comments: readonly SandboxComment[];
}

/**
 * What the stand-in holds, as `GET /_sandbox/state` returns it. Lists keep the stand-in's
 * order (oldest first); `revision` changes whenever anything else does, so a page can poll
 * it and reload only when there is something new.
 */
export interface SandboxState {
  readonly revision: string;
  readonly repository: SandboxRepository;
  readonly issues: readonly SandboxIssue[];
  readonly reactions: readonly { readonly commentId: number; readonly content: string }[];
  readonly deployments: readonly StoredDeployment[];
  readonly violations: readonly string[];
}

export function sandboxState(standIn: GitHubStandIn, repository: SandboxRepository): SandboxState {
  const reactionsOf = (commentId: number) =>
    standIn.reactions.filter((reaction) => reaction.commentId === commentId).map((reaction) => reaction.content);
  const issues = [...standIn.issues.values()]
    .sort((a, b) => a.number - b.number)
    .map(
      (issue): SandboxIssue => ({
        number: issue.number,
        title: issue.title,
        body: issue.body,
        state: issue.state,
        state_reason: issue.state_reason,
        labels: [...issue.labels],
        pullRequest: standIn.pullRequests.has(issue.number),
        comments: issue.comments.map((comment) => ({ ...comment, reactions: reactionsOf(comment.id) })),
      }),
    );
  const content = {
    repository: { owner: repository.owner, repo: repository.repo },
    issues,
    reactions: standIn.reactions.map((reaction) => ({ ...reaction })),
    deployments: standIn.deployments.map((deployment) => structuredClone(deployment)),
    violations: [...standIn.violations],
  };
  const revision = createHash("sha256").update(JSON.stringify(content)).digest("hex").slice(0, 16);
  return { revision, ...content };
}
