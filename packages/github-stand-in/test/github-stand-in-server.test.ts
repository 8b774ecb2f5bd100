import { generateKeyPairSync } from "node:crypto";
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { INSTALLATION_ID } from "../src/github-stand-in.js";
import { type GitHubStandInServer, startGitHubStandInServer } from "../src/github-stand-in-server.js";
import type { SandboxState } from "../src/stand-in-state.js";

const repository = { owner: "octo-org", repo: "phoenix" };

/** Probot's own Octokit, over HTTP to the server as it would be to api.github.com. */
function octokitOver(url: string, auth: Record<string, unknown> = { token: "ghs_sandbox_installation_token" }) {
  return new ProbotOctokit({ baseUrl: url, auth, throttle: { enabled: false }, retry: { enabled: false } });
}

async function stateOf(server: GitHubStandInServer): Promise<SandboxState> {
  const response = await fetch(`${server.url}/_sandbox/state`);
  expect(response.status).toBe(200);
  return (await response.json()) as SandboxState;
}

describe("the GitHub stand-in served over HTTP", () => {
  let server: GitHubStandInServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("serves issues and comments an Octokit creates, and shows them in /_sandbox/state", async () => {
    server = await startGitHubStandInServer({ repository });
    const octokit = octokitOver(server.url);

    const { data: issue } = await octokit.rest.issues.create({ ...repository, title: "CPU high", labels: ["ops:cpu"] });
    const { data: comment } = await octokit.rest.issues.createComment({
      ...repository,
      issue_number: issue.number,
      body: "still high",
    });
    await octokit.rest.reactions.createForIssueComment({ ...repository, comment_id: comment.id, content: "eyes" });

    const state = await stateOf(server);
    expect(state.repository).toEqual(repository);
    expect(state.issues).toEqual([
      expect.objectContaining({
        number: issue.number,
        title: "CPU high",
        state: "open",
        labels: ["ops:cpu"],
        pullRequest: false,
        comments: [expect.objectContaining({ id: comment.id, body: "still high", reactions: ["eyes"] })],
      }),
    ]);
    expect(state.violations).toEqual([]);
    server.standIn.assertClean();
  });

  it("authenticates as the App with a JWT, then as its installation, as Probot does", async () => {
    server = await startGitHubStandInServer({ repository });
    const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs1", format: "pem" })
      .toString();
    const app = octokitOver(server.url, { appId: 12345, privateKey });

    const { data: installation } = await app.rest.apps.getRepoInstallation(repository);
    const installationOctokit = octokitOver(server.url, { appId: 12345, privateKey, installationId: installation.id });
    await installationOctokit.rest.issues.create({ ...repository, title: "from the installation" });

    expect(installation.id).toBe(INSTALLATION_ID);
    expect(server.standIn.requests.map((request) => request.operationId)).toEqual([
      "apps/get-repo-installation",
      "apps/create-installation-access-token",
      "issues/create",
    ]);
    server.standIn.assertClean();
  });

  it("answers a request GitHub's description does not allow with 4xx and records it as a violation", async () => {
    server = await startGitHubStandInServer({ repository });
    const octokit = octokitOver(server.url);

    const undocumented = await octokit.request("GET /repos/{owner}/{repo}/no-such-thing", repository).catch((e) => e);
    const missingTitle = await octokit.rest.issues
      // @ts-expect-error GitHub requires a title; this request leaves it out on purpose.
      .create({ ...repository, body: "no title" })
      .catch((e) => e);
    const notJson = await fetch(`${server.url}/repos/octo-org/phoenix/issues`, {
      method: "POST",
      headers: { authorization: "token ghs_x", "content-type": "application/json" },
      body: "{not json",
    });

    expect(undocumented.status).toBe(422);
    expect(missingTitle.status).toBe(422);
    expect(notJson.status).toBe(400);
    const { violations } = await stateOf(server);
    expect(violations).toEqual([
      "GET /repos/octo-org/phoenix/no-such-thing is not a documented GitHub REST operation",
      expect.stringMatching(/^issues\/create: request body does not match the schema: .*title/),
      expect.stringMatching(/^POST \/repos\/octo-org\/phoenix\/issues: .*JSON/),
    ]);
    expect(server.standIn.issues.size).toBe(0);
  });

  it("answers 404 under /_sandbox/ for anything but its own routes, without touching the API", async () => {
    server = await startGitHubStandInServer({ repository });

    const nope = await fetch(`${server.url}/_sandbox/nope`);
    const page = await fetch(`${server.url}/_sandbox/`);
    const mermaid = await fetch(`${server.url}/_sandbox/assets/mermaid.min.js`);

    expect(nope.status).toBe(404);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("Phoenix sandbox — octo-org/phoenix");
    expect(mermaid.status).toBe(200);
    expect(mermaid.headers.get("content-type")).toMatch(/javascript/);
    expect((await mermaid.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
    expect(server.standIn.requests).toEqual([]);
    expect(server.standIn.violations).toEqual([]);
  });

  it("opens a pull request through POST /_sandbox/pull-requests, numbered after the issues", async () => {
    server = await startGitHubStandInServer({ repository });
    await octokitOver(server.url).rest.issues.create({ ...repository, title: "an issue first" });
    const headSha = "89abcdef0123456789abcdef0123456789abcdef";

    const opened = await fetch(`${server.url}/_sandbox/pull-requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ headSha, committedAt: "2026-11-26T09:00:00Z" }),
    });
    const refused = await fetch(`${server.url}/_sandbox/pull-requests`, { method: "POST", body: '{"headSha":"main"}' });

    expect(opened.status).toBe(201);
    expect(await opened.json()).toEqual({ number: 2 });
    expect(refused.status).toBe(400);
    const { data: pull } = await octokitOver(server.url).rest.pulls.get({ ...repository, pull_number: 2 });
    expect(pull).toMatchObject({ number: 2, state: "open", head: { sha: headSha } });
    expect((await stateOf(server)).issues.map((issue) => [issue.number, issue.pullRequest])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it("stops listening when closed, even with a keep-alive connection open", async () => {
    const started = await startGitHubStandInServer({ repository });
    // Node's fetch keeps its connection open after the response.
    await fetch(`${started.url}/_sandbox/state`);

    await started.close();

    await expect(fetch(`${started.url}/_sandbox/state`)).rejects.toThrow();
  });
});
