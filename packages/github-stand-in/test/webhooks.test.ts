import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import AjvBase from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { toJsonSchema } from "../src/openapi-validator.js";
import { mergedPullRequestPayload, pullRequestCommentPayload } from "../src/webhooks.js";

/**
 * The payloads the scenario and the flow tests send are GitHub's published examples adapted in
 * ids, names and text (and, for a comment on a pull request, the `issue.pull_request` object
 * GitHub adds): they must still be what GitHub's webhook schemas (`@octokit/openapi-webhooks`)
 * describe, or the tests would prove the bot against payloads GitHub never sends.
 */
const spec = JSON.parse(
  readFileSync(
    createRequire(import.meta.url).resolve("@octokit/openapi-webhooks/generated/api.github.com.json"),
    "utf8",
  ),
) as { components: unknown };
const Ajv = AjvBase as unknown as typeof AjvBase.default;
const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as typeof addFormats.default)(ajv);
ajv.addSchema(toJsonSchema({ components: spec.components }) as object, "github");
const conforms = (schema: string, payload: unknown) => {
  const valid = ajv.validate({ $ref: `github#/components/schemas/${schema}` }, payload);
  return valid ? "valid" : ajv.errorsText(ajv.errors, { separator: "\n" });
};
const violations = (schema: string, payload: unknown) =>
  ajv.validate({ $ref: `github#/components/schemas/${schema}` }, payload)
    ? []
    : (ajv.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);

/** The published example the adapted payload started from, untouched. */
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as {
  name: string;
  examples: { action?: string }[];
}[];
const published = (event: string, action: string) =>
  examples.find((entry) => entry.name === event)?.examples.find((example) => example.action === action);

const repository = { owner: "octo-org", repo: "phoenix", installationId: 4242 };

describe("webhook payloads the sandbox and the tests send", () => {
  it("a merged pull request still matches GitHub's pull_request.closed schema", () => {
    const payload = mergedPullRequestPayload(repository, 12, "f".repeat(40), "octocat");
    expect(conforms("webhook-pull-request-closed", payload)).toBe("valid");
    expect(payload).toMatchObject({ pull_request: { merged: true, merge_commit_sha: "f".repeat(40) } });
  });

  it("a comment on a pull request adds no violation of GitHub's issue_comment.created schema to the published example", () => {
    // The published example predates fields the schema now requires (reactions,
    // performed_via_github_app, …); the adaptation must not add to that list.
    const payload = pullRequestCommentPayload(repository, 12, {
      id: 5001,
      body: "/scale staging 3-6",
      login: "octocat",
      createdAt: "2026-11-26T09:00:00Z",
    });
    const before = new Set(violations("webhook-issue-comment-created", published("issue_comment", "created")));
    const added = violations("webhook-issue-comment-created", payload).filter((violation) => !before.has(violation));
    expect(added).toEqual([]);
    expect(payload).toMatchObject({ issue: { number: 12, pull_request: { merged_at: null } } });
  });

  it("the check itself refuses a payload GitHub would not send", () => {
    const payload = mergedPullRequestPayload(repository, 12, "f".repeat(40));
    (payload.pull_request as Record<string, unknown>).merged = "yes";
    expect(conforms("webhook-pull-request-closed", payload)).not.toBe("valid");
  });
});
