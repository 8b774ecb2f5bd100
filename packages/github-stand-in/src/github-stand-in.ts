import { GitHubOpenApi, type MatchedOperation, OpenApiViolation } from "./openapi-validator.js";

/**
 * An in-process GitHub for tests and the local sandbox: a `fetch` that first validates every request against
 * GitHub's OpenAPI description, then serves the few operations the bot uses from memory.
 * A valid request to an operation it does not serve fails the test loudly instead of
 * being answered with something made up. Served over HTTP by `github-stand-in-server.ts`.
 */
export interface StoredIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason: string | null;
  labels: string[];
  comments: { id: number; body: string; created_at: string }[];
}

export interface RecordedRequest {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export const INSTALLATION_ID = 4242;

/** A pull request as the stand-in keeps it; it is also an issue (comments go there). */
export interface StoredPullRequest {
  number: number;
  state: "open" | "closed";
  merged: boolean;
  headSha: string;
  headRef: string;
  headRepository: string;
  baseRepository: string;
  approvals: string[];
}

export interface StoredDeployment {
  id: number;
  sha: string;
  environment: string;
  payload: Record<string, unknown>;
  description: string;
  statuses: { state: string; description: string; log_url?: string; environment_url?: string }[];
}

type Handler = (
  op: MatchedOperation,
  body: Record<string, unknown>,
  url: URL,
  headers: Headers,
) => { status: number; json?: unknown; raw?: string };

export class GitHubStandIn {
  readonly issues = new Map<number, StoredIssue>();
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  /** Repository files by path (the bot reads `.github/phoenix-ops.yml`). */
  readonly files = new Map<string, string>();
  /** Collaborator logins → role name; anyone else has no access. */
  readonly collaborators = new Map<string, string>();
  readonly teamMembers = new Map<string, Set<string>>();
  readonly pullRequests = new Map<number, StoredPullRequest>();
  readonly commitDates = new Map<string, string>();
  readonly successfulChecks = new Map<string, string[]>();
  readonly reactions: { commentId: number; content: string }[] = [];
  readonly deployments: StoredDeployment[] = [];
  private nextDeploymentId = 500;
  private nextNumber = 1;
  private nextCommentId = 1000;
  private readonly api = GitHubOpenApi.load();

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    let op: MatchedOperation;
    try {
      const authorization = request.headers.get("authorization") ?? "";
      // App JWTs are three base64url segments; installation tokens start "ghs_".
      const auth = /^bearer [\w-]+\.[\w-]+\.[\w-]+$/i.test(authorization) ? "app-jwt" : "installation";
      op = this.api.validate({ method: request.method, url, body, auth });
    } catch (error) {
      if (!(error instanceof OpenApiViolation)) throw error;
      this.violations.push(error.message);
      return Response.json({ message: error.message }, { status: 422 });
    }
    this.requests.push({ operationId: op.operationId, method: op.method, path: url.pathname, body });
    const handler = this.handlers[op.operationId];
    if (!handler) {
      this.violations.push(`the stand-in does not serve ${op.operationId}`);
      return Response.json({ message: `not served by the stand-in: ${op.operationId}` }, { status: 501 });
    }
    const { status, json, raw } = handler(op, body ?? {}, url, request.headers);
    if (raw !== undefined)
      return new Response(raw, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
    return json === undefined ? new Response(null, { status }) : Response.json(json, { status });
  };

  /** Fails with every problem seen, so a test can end with `standIn.assertClean()`. */
  assertClean(): void {
    if (this.violations.length > 0)
      throw new Error(`GitHub stand-in saw invalid requests:\n${this.violations.join("\n")}`);
  }

  /** Opens a pull request (also an issue, as on GitHub) with its head commit dated `committedAt`. */
  addPullRequest(pr: Omit<StoredPullRequest, "approvals" | "state" | "merged"> & { committedAt: string }): void {
    this.pullRequests.set(pr.number, { ...pr, state: "open", merged: false, approvals: [] });
    this.commitDates.set(pr.headSha, pr.committedAt);
    this.issues.set(pr.number, {
      number: pr.number,
      title: `PR ${pr.number}`,
      body: "",
      state: "open",
      state_reason: null,
      labels: [],
      comments: [],
    });
    this.nextNumber = Math.max(this.nextNumber, pr.number + 1);
  }

  /** Every comment on the issue or pull request, oldest first. */
  commentsOn(number: number): { id: number; body: string }[] {
    return this.issues.get(number)?.comments ?? [];
  }

  openIssues(): StoredIssue[] {
    return [...this.issues.values()].filter((issue) => issue.state === "open");
  }

  private deploymentJson(deployment: StoredDeployment) {
    return {
      id: deployment.id,
      sha: deployment.sha,
      ref: deployment.sha,
      environment: deployment.environment,
      payload: deployment.payload,
      description: deployment.description,
    };
  }

  private issueJson(issue: StoredIssue, op: MatchedOperation) {
    const { owner, repo } = op.pathParams;
    return {
      id: issue.number * 7,
      node_id: `I_${issue.number}`,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      state_reason: issue.state_reason,
      labels: issue.labels.map((name) => ({ name })),
      comments: issue.comments.length,
      html_url: `https://github.com/${owner}/${repo}/issues/${issue.number}`,
      url: `https://api.github.com/repos/${owner}/${repo}/issues/${issue.number}`,
    };
  }

  private readonly handlers: Record<string, Handler> = {
    // GitHub App authentication, as Probot performs it for an installation.
    "apps/get-repo-installation": (op) => ({
      status: 200,
      json: {
        id: INSTALLATION_ID,
        account: { login: op.pathParams.owner, id: 1 },
        app_id: 12345,
        target_type: "Organization",
        permissions: { issues: "write", metadata: "read" },
      },
    }),
    "apps/create-installation-access-token": () => ({
      status: 201,
      json: {
        token: `ghs_standin${Date.now()}`,
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        permissions: { issues: "write", metadata: "read" },
        repository_selection: "all",
      },
    }),
    "issues/create": (op, body) => {
      const issue: StoredIssue = {
        number: this.nextNumber++,
        title: String(body.title),
        body: String(body.body ?? ""),
        state: "open",
        state_reason: null,
        labels: ((body.labels as (string | { name: string })[] | undefined) ?? []).map((l) =>
          typeof l === "string" ? l : l.name,
        ),
        comments: [],
      };
      this.issues.set(issue.number, issue);
      return { status: 201, json: this.issueJson(issue, op) };
    },
    "issues/get": (op) => {
      const issue = this.issues.get(Number(op.pathParams.issue_number));
      return issue ? { status: 200, json: this.issueJson(issue, op) } : { status: 404, json: { message: "Not Found" } };
    },
    "issues/update": (op, body) => {
      const issue = this.issues.get(Number(op.pathParams.issue_number));
      if (!issue) return { status: 404, json: { message: "Not Found" } };
      if (typeof body.title === "string") issue.title = body.title;
      if (typeof body.body === "string") issue.body = body.body;
      if (body.state === "open" || body.state === "closed") {
        issue.state = body.state;
        issue.state_reason = typeof body.state_reason === "string" ? body.state_reason : null;
      }
      if (Array.isArray(body.labels)) issue.labels = body.labels.map(String);
      return { status: 200, json: this.issueJson(issue, op) };
    },
    "issues/update-comment": (op, body) => {
      const id = Number(op.pathParams.comment_id);
      for (const issue of this.issues.values()) {
        const comment = issue.comments.find((c) => c.id === id);
        if (comment) {
          comment.body = String(body.body);
          return { status: 200, json: { ...comment, html_url: `https://github.com/c/${id}` } };
        }
      }
      return { status: 404, json: { message: "Not Found" } };
    },
    "reactions/create-for-issue-comment": (op, body) => {
      this.reactions.push({ commentId: Number(op.pathParams.comment_id), content: String(body.content) });
      return {
        status: 201,
        json: { id: this.reactions.length, content: body.content, user: { login: "phoenix-ops[bot]" } },
      };
    },
    "repos/get-content": (op, _body, _url, headers) => {
      const content = this.files.get(op.pathParams.path ?? "");
      if (content === undefined) return { status: 404, json: { message: "Not Found" } };
      // Probot's config API asks for the raw media type.
      if (headers.get("accept")?.includes("raw")) return { status: 200, raw: content };
      return {
        status: 200,
        json: {
          type: "file",
          encoding: "base64",
          name: op.pathParams.path?.split("/").pop(),
          path: op.pathParams.path,
          size: content.length,
          sha: "0".repeat(40),
          content: Buffer.from(content).toString("base64"),
        },
      };
    },
    "repos/get-collaborator-permission-level": (op) => {
      const role = this.collaborators.get(op.pathParams.username ?? "");
      if (!role) return { status: 404, json: { message: "Not Found" } };
      const legacy = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return { status: 200, json: { permission: legacy, role_name: role, user: { login: op.pathParams.username } } };
    },
    "teams/get-membership-for-user-in-org": (op) => {
      const members = this.teamMembers.get(`${op.pathParams.org}/${op.pathParams.team_slug}`);
      if (!members?.has(op.pathParams.username ?? "")) return { status: 404, json: { message: "Not Found" } };
      return { status: 200, json: { state: "active", role: "member", url: "https://api.github.com/x" } };
    },
    "pulls/get": (op) => {
      const pr = this.pullRequests.get(Number(op.pathParams.pull_number));
      if (!pr) return { status: 404, json: { message: "Not Found" } };
      return {
        status: 200,
        json: {
          number: pr.number,
          state: pr.state,
          merged: pr.merged,
          head: { sha: pr.headSha, ref: pr.headRef, repo: { full_name: pr.headRepository } },
          base: { ref: "main", repo: { full_name: pr.baseRepository } },
        },
      };
    },
    "pulls/list-reviews": (op) => {
      const pr = this.pullRequests.get(Number(op.pathParams.pull_number));
      return {
        status: 200,
        json: (pr?.approvals ?? []).map((login, i) => ({ id: i + 1, user: { login }, state: "APPROVED" })),
      };
    },
    "checks/list-for-ref": (op) => {
      const names = this.successfulChecks.get(op.pathParams.ref ?? "") ?? [];
      return {
        status: 200,
        json: {
          total_count: names.length,
          check_runs: names.map((name, i) => ({ id: i + 1, name, conclusion: "success" })),
        },
      };
    },
    "repos/get-combined-status-for-ref": () => ({ status: 200, json: { state: "success", statuses: [] } }),
    "repos/get-commit": (op) => {
      const date = this.commitDates.get(op.pathParams.ref ?? "");
      if (!date) return { status: 404, json: { message: "No commit found" } };
      return { status: 200, json: { sha: op.pathParams.ref, commit: { committer: { date }, author: { date } } } };
    },
    "repos/create-deployment": (_op, body) => {
      const deployment: StoredDeployment = {
        id: this.nextDeploymentId++,
        sha: String(body.ref),
        environment: String(body.environment ?? "production"),
        payload: (body.payload as Record<string, unknown>) ?? {},
        description: String(body.description ?? ""),
        statuses: [],
      };
      this.deployments.push(deployment);
      return { status: 201, json: this.deploymentJson(deployment) };
    },
    "repos/create-deployment-status": (op, body) => {
      const deployment = this.deployments.find((d) => d.id === Number(op.pathParams.deployment_id));
      if (!deployment) return { status: 404, json: { message: "Not Found" } };
      if (body.auto_inactive !== false && body.state === "success") {
        for (const other of this.deployments) {
          const latest = other.statuses.at(-1)?.state;
          if (other !== deployment && other.environment === deployment.environment && latest === "success") {
            other.statuses.push({ state: "inactive", description: "superseded" });
          }
        }
      }
      const status = {
        state: String(body.state),
        description: String(body.description ?? ""),
        ...(typeof body.log_url === "string" ? { log_url: body.log_url } : {}),
        ...(typeof body.environment_url === "string" ? { environment_url: body.environment_url } : {}),
      };
      deployment.statuses.push(status);
      return { status: 201, json: { id: deployment.statuses.length, ...status } };
    },
    "repos/list-deployments": (_op, _body, url) => {
      const environment = url.searchParams.get("environment");
      const list = this.deployments.filter((d) => !environment || d.environment === environment).reverse();
      return { status: 200, json: list.map((d) => this.deploymentJson(d)) };
    },
    "repos/list-deployment-statuses": (op) => {
      const deployment = this.deployments.find((d) => d.id === Number(op.pathParams.deployment_id));
      return { status: 200, json: [...(deployment?.statuses ?? [])].reverse().map((s, i) => ({ id: i + 1, ...s })) };
    },
    "issues/create-comment": (op, body) => {
      const issue = this.issues.get(Number(op.pathParams.issue_number));
      if (!issue) return { status: 404, json: { message: "Not Found" } };
      const comment = { id: this.nextCommentId++, body: String(body.body), created_at: new Date().toISOString() };
      issue.comments.push(comment);
      return { status: 201, json: { ...comment, html_url: `https://github.com/c/${comment.id}` } };
    },
  };
}
