// @phoenix/github-stand-in: GitHub for the tests and the local sandbox. The stand-in answers the
// REST calls an installation makes after checking each against GitHub's OpenAPI description, and
// keeps what was written (issues, comments, reactions, deployments); its server adds a page that
// shows that state. Webhooks are built from GitHub's published examples and signed as GitHub signs.

export {
  GitHubStandIn,
  INSTALLATION_ID,
  type RecordedRequest,
  type StoredDeployment,
  type StoredIssue,
  type StoredPullRequest,
} from "./github-stand-in.js";
export {
  type GitHubStandInServer,
  type GitHubStandInServerOptions,
  startGitHubStandInServer,
} from "./github-stand-in-server.js";
export { GitHubOpenApi, OpenApiViolation } from "./openapi-validator.js";
export { SandboxGitHubClient } from "./stand-in-client.js";
export type { SandboxComment, SandboxIssue, SandboxRepository, SandboxState } from "./stand-in-state.js";
export {
  deliverWebhook,
  mergedPullRequestPayload,
  pullRequestCommentPayload,
  type WebhookPayload,
  type WebhookRepository,
} from "./webhooks.js";
