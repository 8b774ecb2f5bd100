import { createHmac, randomUUID } from "node:crypto";
import { createRequire } from "node:module";

// A JSON package: plain Node ESM would need an import attribute, bundlers and vitest not.
const webhookExamples = createRequire(import.meta.url)("@octokit/webhooks-examples") as unknown;

/**
 * GitHub webhooks as GitHub sends them, for the sandbox's scenario and the flow tests: the
 * payloads are GitHub's published examples (`@octokit/webhooks-examples`), adapted only in
 * ids, names and text; deliveries are signed with the webhook secret (X-Hub-Signature-256).
 */
export type WebhookPayload = Record<string, unknown> & { action?: string };

export interface WebhookRepository {
  readonly owner: string;
  readonly repo: string;
  readonly installationId: number;
}

function example(event: string, predicate: (payload: WebhookPayload) => boolean): WebhookPayload {
  const group = (webhookExamples as { name: string; examples: WebhookPayload[] }[]).find(
    (entry) => entry.name === event,
  );
  const found = group?.examples.find(predicate);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${event} example of that kind`);
  return structuredClone(found);
}

function inRepository(payload: WebhookPayload, repository: WebhookRepository): WebhookPayload {
  const target = payload.repository as Record<string, unknown>;
  target.name = repository.repo;
  target.full_name = `${repository.owner}/${repository.repo}`;
  (target.owner as Record<string, unknown>).login = repository.owner;
  payload.installation = { id: repository.installationId, node_id: `MDIzOkludGVncmF0aW9u${repository.installationId}` };
  return payload;
}

/** GitHub's "pull_request closed" example, as the merge of `number` into the default branch at `mergeSha`. */
export function mergedPullRequestPayload(
  repository: WebhookRepository,
  number: number,
  mergeSha: string,
  mergedBy?: string,
): WebhookPayload {
  const payload = inRepository(
    example("pull_request", (p) => p.action === "closed"),
    repository,
  );
  const pr = payload.pull_request as Record<string, unknown>;
  pr.number = number;
  pr.merged = true;
  pr.merge_commit_sha = mergeSha;
  const sender = payload.sender as Record<string, unknown>;
  if (mergedBy) sender.login = mergedBy;
  pr.merged_by = sender;
  (pr.base as Record<string, unknown>).ref = (payload.repository as Record<string, unknown>).default_branch;
  payload.number = number;
  return payload;
}

/** GitHub's "issue_comment created" example, as `login`'s comment on pull request `number`. */
export function pullRequestCommentPayload(
  repository: WebhookRepository,
  number: number,
  comment: { readonly id: number; readonly body: string; readonly login: string; readonly createdAt: string },
): WebhookPayload {
  const payload = inRepository(
    example("issue_comment", (p) => p.action === "created"),
    repository,
  );
  const { owner, repo } = repository;
  const issue = payload.issue as Record<string, unknown>;
  issue.number = number;
  // The example comments on a plain issue; on a pull request's issue GitHub adds this object.
  issue.pull_request = {
    url: `https://api.github.com/repos/${owner}/${repo}/pulls/${number}`,
    html_url: `https://github.com/${owner}/${repo}/pull/${number}`,
    diff_url: `https://github.com/${owner}/${repo}/pull/${number}.diff`,
    patch_url: `https://github.com/${owner}/${repo}/pull/${number}.patch`,
    merged_at: null,
  };
  const written = payload.comment as Record<string, unknown>;
  written.id = comment.id;
  written.body = comment.body;
  written.created_at = comment.createdAt;
  written.updated_at = comment.createdAt;
  (written.user as Record<string, unknown>).login = comment.login;
  (payload.sender as Record<string, unknown>).login = comment.login;
  return payload;
}

/** POSTs a webhook to Probot's endpoint, signed as GitHub signs it; resolves to the response. */
export async function deliverWebhook(
  webhookUrl: string,
  secret: string,
  event: string,
  payload: unknown,
  deliveryId: string = randomUUID(),
): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(webhookUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    },
    body,
  });
}
