import { GitHubOpenApi, type MatchedOperation, OpenApiViolation } from "./openapi-validator.js";

/**
 * An in-process GitHub for tests: a `fetch` that first validates every request against
 * GitHub's OpenAPI description, then serves the few operations the bot uses from memory.
 * A valid request to an operation it does not serve fails the test loudly instead of
 * being answered with something made up.
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

type Handler = (op: MatchedOperation, body: Record<string, unknown>, url: URL) => { status: number; json?: unknown };

export class GitHubStandIn {
  readonly issues = new Map<number, StoredIssue>();
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
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
    const { status, json } = handler(op, body ?? {}, url);
    return json === undefined ? new Response(null, { status }) : Response.json(json, { status });
  };

  /** Fails with every problem seen, so a test can end with `standIn.assertClean()`. */
  assertClean(): void {
    if (this.violations.length > 0)
      throw new Error(`GitHub stand-in saw invalid requests:\n${this.violations.join("\n")}`);
  }

  openIssues(): StoredIssue[] {
    return [...this.issues.values()].filter((issue) => issue.state === "open");
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
    "issues/create-comment": (op, body) => {
      const issue = this.issues.get(Number(op.pathParams.issue_number));
      if (!issue) return { status: 404, json: { message: "Not Found" } };
      const comment = { id: this.nextCommentId++, body: String(body.body), created_at: new Date().toISOString() };
      issue.comments.push(comment);
      return { status: 201, json: { ...comment, html_url: `https://github.com/c/${comment.id}` } };
    },
  };
}
