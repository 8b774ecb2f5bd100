import { mkdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { requiredServiceVariable } from "../../../../test-support/required-service.js";
import { type GitHubStandInServer, startGitHubStandInServer } from "../../src/github-stand-in-server.js";

const repository = { owner: "octo-org", repo: "phoenix" };
const screenshotFile = fileURLToPath(new URL("../../test-artifacts/sandbox-page.png", import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A CPU chart as the ops bot's alarm issues draw it (its `mermaidXyChart` output for an hour of
 * minutes with a breach at the end, copied here so this package does not depend on the bot).
 */
const cpuChart = [
  "```mermaid",
  "xychart-beta",
  '    title "CPUUtilization (phoenix-api)"',
  `    x-axis [${Array.from({ length: 30 }, (_, i) => `"09:${String(i * 2).padStart(2, "0")}"`).join(", ")}]`,
  '    y-axis "%" 0 --> 100',
  "    line [31, 33, 35, 36, 32, 34, 36, 31, 33, 35, 36, 32, 34, 36, 31, 33, 35, 36, 32, 34, 36, 31, 33, 35, 36, 92, 92, 92, 92, 92]",
  `    line [${Array.from({ length: 30 }, () => "80").join(", ")}]`,
  "```",
].join("\n");

describe("the sandbox page in a browser (headless Chromium)", () => {
  let browser: Browser;
  let server: GitHubStandInServer;
  let page: Page;
  let dialogs: string[];
  let octokit: InstanceType<typeof ProbotOctokit>;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: requiredServiceVariable("PHOENIX_CHROMIUM_BIN"),
      args: ["--no-sandbox"],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    server = await startGitHubStandInServer({ repository });
    octokit = new ProbotOctokit({
      baseUrl: server.url,
      auth: { token: "ghs_sandbox_installation_token" },
      throttle: { enabled: false },
      retry: { enabled: false },
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    dialogs = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });
  afterEach(async () => {
    await page?.close();
    await server?.close();
  });

  it("shows the bot's issue with its chart drawn, user text escaped, and the deployment's statuses", async () => {
    await octokit.rest.issues.create({
      ...repository,
      title: "CPU high on phoenix-api",
      labels: ["ops:alarm"],
      body: [
        "The alarm **phoenix-api-cpu-high** went to ALARM.",
        "",
        cpuChart,
        "",
        "Task definition family: <script>alert(1)</script>",
      ].join("\n"),
    });
    const { data: deployment } = await octokit.rest.repos.createDeployment({
      ...repository,
      ref: "0123456789abcdef0123456789abcdef01234567",
      environment: "production",
      auto_merge: false,
      required_contexts: [],
      payload: { service: "phoenix-api", image: "phoenix:0123456" },
    });
    const deploymentId = (deployment as { id: number }).id;
    await octokit.rest.repos.createDeploymentStatus({
      ...repository,
      deployment_id: deploymentId,
      state: "in_progress",
      description: "rolling out phoenix:0123456",
    });
    await octokit.rest.repos.createDeploymentStatus({
      ...repository,
      deployment_id: deploymentId,
      state: "success",
      description: "phoenix-api runs phoenix:0123456",
      log_url: "http://127.0.0.1/logs/1",
      environment_url: "http://127.0.0.1/",
    });

    await page.goto(`${server.url}/_sandbox/`);

    await expect(page.title()).resolves.toBe("Phoenix sandbox — octo-org/phoenix");
    const issue = page.locator("article.issue", { hasText: "CPU high on phoenix-api" });
    await expect(issue.locator("h3").textContent()).resolves.toContain("CPU high on phoenix-api");
    await issue.locator("pre.mermaid svg").waitFor({ state: "attached", timeout: 20_000 });
    await expect(issue.locator("pre.mermaid svg").textContent()).resolves.toContain("CPUUtilization (phoenix-api)");
    await expect(issue.locator(".body").textContent()).resolves.toContain(
      "Task definition family: <script>alert(1)</script>",
    );
    await expect(issue.locator(".body script").count()).resolves.toBe(0);
    const statuses = await page
      .locator("article.deployment tr.deployment-status")
      .evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll("td")].map((cell) => cell.textContent)));
    expect(statuses).toEqual([
      ["success", "phoenix-api runs phoenix:0123456", "http://127.0.0.1/logs/1", "http://127.0.0.1/"],
      ["in_progress", "rolling out phoenix:0123456", "", ""],
    ]);
    await expect(page.locator("article.deployment").textContent()).resolves.toContain("production");
    expect(dialogs).toEqual([]);

    mkdirSync(new URL("../../test-artifacts/", import.meta.url), { recursive: true });
    await page.screenshot({ path: screenshotFile, fullPage: true });
    expect(readFileSync(screenshotFile).subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(statSync(screenshotFile).size).toBeGreaterThan(20_000);
    server.standIn.assertClean();
  });

  it("shows a new comment and its reaction without anyone reloading the page", async () => {
    server.standIn.addPullRequest({
      number: 7,
      headSha: "89abcdef0123456789abcdef0123456789abcdef",
      headRef: "feature",
      headRepository: "octo-org/phoenix",
      baseRepository: "octo-org/phoenix",
      committedAt: "2026-11-26T09:00:00Z",
    });
    await page.goto(`${server.url}/_sandbox/`);
    await expect(page.locator("#pull-request-7").textContent()).resolves.toContain("Pull request #7");

    const { data: comment } = await octokit.rest.issues.createComment({
      ...repository,
      issue_number: 7,
      body: "Deploying `89abcde` to **staging**",
    });
    await octokit.rest.reactions.createForIssueComment({ ...repository, comment_id: comment.id, content: "rocket" });

    const shown = page.locator(`#comment-${comment.id}`);
    await shown.waitFor({ timeout: 15_000 });
    await expect(shown.locator("strong").textContent()).resolves.toBe("staging");
    await expect(shown.locator(".reactions").textContent()).resolves.toBe("🚀");
    server.standIn.assertClean();
  });
});
