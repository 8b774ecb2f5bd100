import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { GitHubStandIn } from "./github-stand-in.js";
import { MERMAID_ASSET_PATH, renderSandboxPage, SANDBOX_PREFIX } from "./page/stand-in-page.js";
import { type SandboxRepository, sandboxState } from "./stand-in-state.js";

export interface GitHubStandInServerOptions {
  /** Loopback only: the stand-in accepts any token. @default "127.0.0.1" */
  readonly host?: "127.0.0.1";
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default a new, empty `GitHubStandIn` */
  readonly standIn?: GitHubStandIn;
  /** The repository the page is about (its title); the API serves any owner/repo. */
  readonly repository: SandboxRepository;
}

export interface GitHubStandInServer {
  /** Base URL for Octokit/Probot (`baseUrl`), e.g. `http://127.0.0.1:41234`; no trailing slash. */
  readonly url: string;
  readonly standIn: GitHubStandIn;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/**
 * The GitHub stand-in over HTTP, so a bot running as a real server can use it as
 * api.github.com: every request becomes a WHATWG `Request` answered by `standIn.fetch`
 * (validated against GitHub's OpenAPI description, App JWT and installation tokens as
 * there). Paths under `/_sandbox/` are the sandbox's own — no GitHub REST path starts with
 * it: `/_sandbox/` (the page), `/_sandbox/state` (JSON), `POST /_sandbox/pull-requests` (open
 * a pull request) and the page's mermaid script.
 */
export async function startGitHubStandInServer(options: GitHubStandInServerOptions): Promise<GitHubStandInServer> {
  const host = options.host ?? "127.0.0.1";
  const standIn = options.standIn ?? new GitHubStandIn();
  const repository = options.repository;
  let url = "";

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const answer = path.startsWith(SANDBOX_PREFIX)
      ? serveSandboxRoute(path, request, response, standIn, repository)
      : serveGitHubApi(url, request, response, standIn);
    answer.catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      response.end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  url = `http://${host}:${(server.address() as AddressInfo).port}`;

  return {
    url,
    standIn,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function serveGitHubApi(
  baseUrl: string,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  standIn: GitHubStandIn,
): Promise<void> {
  const method = incoming.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(incoming);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const request = new Request(new URL(incoming.url ?? "/", baseUrl), {
    method,
    headers,
    ...(body && body.length > 0 ? { body } : {}),
  });
  let response: Response;
  try {
    response = await standIn.fetch(request);
  } catch (error) {
    // The stand-in throws on what it cannot even parse (a body that is not JSON): still the
    // client's fault, and still something the sandbox should show.
    const message = `${method} ${request.url.slice(baseUrl.length)}: ${error instanceof Error ? error.message : String(error)}`;
    standIn.violations.push(message);
    response = Response.json({ message }, { status: 400 });
  }
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    responseHeaders[name] = value;
  });
  const payload = Buffer.from(await response.arrayBuffer());
  outgoing.writeHead(response.status, { ...responseHeaders, "content-length": String(payload.length) });
  outgoing.end(method === "HEAD" ? undefined : payload);
}

// Connection-level headers describe the HTTP/1.1 hop, not the request `fetch` sees.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host"]);

async function serveSandboxRoute(
  path: string,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  standIn: GitHubStandIn,
  repository: SandboxRepository,
): Promise<void> {
  const readOnly = incoming.method === "GET" || incoming.method === "HEAD";
  if (readOnly && path === SANDBOX_PREFIX) {
    return send(outgoing, 200, "text/html; charset=utf-8", renderSandboxPage(sandboxState(standIn, repository)));
  }
  if (readOnly && path === `${SANDBOX_PREFIX}state`) {
    return send(outgoing, 200, "application/json", JSON.stringify(sandboxState(standIn, repository)));
  }
  if (incoming.method === "POST" && path === `${SANDBOX_PREFIX}pull-requests`) {
    return openPullRequest(incoming, outgoing, standIn, repository);
  }
  if (readOnly && path === MERMAID_ASSET_PATH) {
    return send(outgoing, 200, "text/javascript; charset=utf-8", await mermaidScript(), "public, max-age=3600");
  }
  return send(outgoing, 404, "text/plain; charset=utf-8", `No sandbox route ${path}`);
}

/**
 * `POST /_sandbox/pull-requests` `{ headSha, committedAt?, headRef? }` → 201 `{ number }`: a person
 * (or the sandbox scenario) opens a pull request from a branch of the repository itself, as
 * someone would on GitHub, so the bot has something to deploy.
 */
async function openPullRequest(
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  standIn: GitHubStandIn,
  repository: SandboxRepository,
): Promise<void> {
  let request: { headSha?: unknown; committedAt?: unknown; headRef?: unknown };
  try {
    request = JSON.parse((await readBody(incoming)).toString("utf8")) as typeof request;
  } catch {
    return send(outgoing, 400, "application/json", JSON.stringify({ message: "the body must be JSON" }));
  }
  if (typeof request.headSha !== "string" || !/^[0-9a-f]{40}$/.test(request.headSha)) {
    return send(outgoing, 400, "application/json", JSON.stringify({ message: "headSha: a 40-character commit SHA" }));
  }
  const number = Math.max(0, ...standIn.issues.keys()) + 1;
  const fullName = `${repository.owner}/${repository.repo}`;
  standIn.addPullRequest({
    number,
    headSha: request.headSha,
    headRef: typeof request.headRef === "string" ? request.headRef : `sandbox-${number}`,
    headRepository: fullName,
    baseRepository: fullName,
    committedAt: typeof request.committedAt === "string" ? request.committedAt : new Date().toISOString(),
  });
  return send(outgoing, 201, "application/json", JSON.stringify({ number }));
}

function send(
  outgoing: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  cacheControl = "no-store",
): void {
  outgoing.writeHead(status, {
    "content-type": contentType,
    "cache-control": cacheControl,
    "content-length": String(Buffer.byteLength(body)),
  });
  outgoing.end(outgoing.req.method === "HEAD" ? undefined : body);
}

async function readBody(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// Served from the installed package: the sandbox reaches nothing outside loopback.
let mermaid: Promise<Buffer> | undefined;
function mermaidScript(): Promise<Buffer> {
  mermaid ??= readFile(createRequire(import.meta.url).resolve("mermaid/dist/mermaid.min.js"));
  return mermaid;
}
