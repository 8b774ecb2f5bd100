import { mkdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
} from "@aws-sdk/client-ecs";
import { SandboxGitHubClient } from "@phoenix/github-stand-in";
import { manifestReference, parseRegistryImage, RegistryClient } from "@phoenix/oci-builder";
import { PHOENIX_APP } from "@phoenix/shared";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requiredServiceVariable } from "../../../test-support/required-service.js";
import { type RunningSandbox, startSandbox } from "../src/sandbox.js";
import { runScenario, type ScenarioStep } from "../src/scenario.js";

/**
 * The README's main job end to end: the sandbox as `pnpm start` brings it up (on free ports),
 * its scenario run once, then the final state checked where it lives: the GitHub stand-in,
 * moto, the local registry.
 */
const workspaceRoot = fileURLToPath(new URL("../../../", import.meta.url));
const screenshotFile = fileURLToPath(new URL("../test-artifacts/sandbox-after-scenario.png", import.meta.url));

describe("the local sandbox runs the whole ops loop", () => {
  let sandbox: RunningSandbox;
  let steps: ScenarioStep[];
  const lines: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({
      workspaceRoot,
      ports: { app: 0, bot: 0, github: 0 },
      app: "phoenix-e2e",
      log: (line) => lines.push(line),
    });
    steps = await runScenario(sandbox.endpoints);
  }, 180_000);

  afterAll(async () => {
    await sandbox?.stop();
  }, 60_000);

  it("completes every scenario step", () => {
    expect(steps.map((step) => step.name)).toEqual([
      "merge a pull request → deployment success",
      "/scale staging 3-6 → scalable target 3..6",
      "/deploy staging by a read-only user → refused",
      "CPU alarm → issue opened",
      "alarm back to OK → issue closed",
      "GET /crash → crash issue with the app's last log lines",
    ]);
  });

  it("records the merge as a GitHub Deployment that went queued → in_progress → success", async () => {
    const state = await new SandboxGitHubClient(sandbox.endpoints.githubUrl).state();
    expect(state.violations).toEqual([]);
    expect(state.deployments).toHaveLength(1);
    const [deployment] = state.deployments;
    expect(deployment?.statuses.map((status) => status.state)).toEqual(["queued", "in_progress", "success"]);
    expect(deployment?.payload).toMatchObject({ environment: "staging", trigger: "merge" });
  });

  it("leaves moto with the new revision live (every field kept) and the scalable target at 3..6", async () => {
    const { aws, names } = sandbox.endpoints;
    const ecs = new ECSClient(aws);
    const state = await new SandboxGitHubClient(sandbox.endpoints.githubUrl).state();
    const deployed = state.deployments[0]?.payload.taskDefinitionArn as string;
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: names.cluster, services: [names.service] }),
    );
    expect(services?.[0]?.taskDefinition).toBe(deployed);
    const { taskDefinitionArns } = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: names.service }));
    const first = taskDefinitionArns?.at(-2) as string;
    const [before, after] = await Promise.all(
      [first, deployed].map(
        async (arn) => (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition,
      ),
    );
    const app = (definition: typeof before) =>
      definition?.containerDefinitions?.find((c) => c.name === PHOENIX_APP.containerName);
    expect({ ...app(after), image: "" }).toEqual({ ...app(before), image: "" });
    expect(app(after)?.image).toBe(state.deployments[0]?.payload.imageUri);

    const { ScalableTargets } = await new ApplicationAutoScalingClient(aws).send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: "ecs",
        ResourceIds: [`service/${names.cluster}/${names.service}`],
      }),
    );
    expect(ScalableTargets?.[0]).toMatchObject({ MinCapacity: 3, MaxCapacity: 6 });
  });

  it("has the deployed image in the local registry, by the digest the deployment recorded", async () => {
    const state = await new SandboxGitHubClient(sandbox.endpoints.githubUrl).state();
    const payload = state.deployments[0]?.payload as { imageUri: string; imageDigest: string };
    const { reference, registryUrl } = parseRegistryImage(payload.imageUri);
    const { digest } = await new RegistryClient({ registryUrl }).getManifest(
      reference.repository,
      manifestReference(reference),
    );
    expect(digest).toBe(payload.imageDigest);
  });

  it("refused the read-only user, opened and closed the CPU issue, and reported the crash with the app's own log lines", async () => {
    const state = await new SandboxGitHubClient(sandbox.endpoints.githubUrl).state();
    const comments = state.issues.flatMap((issue) => issue.comments.map((comment) => comment.body));
    expect(comments.some((body) => body.includes("only collaborators with write access or higher"))).toBe(true);
    expect(comments.some((body) => body.startsWith("### 🚀 `/scale staging 3-6`"))).toBe(true);
    const cpu = state.issues.filter((issue) => issue.labels.includes("ops:cpu"));
    expect(cpu.map((issue) => issue.state)).toEqual(["closed"]);
    expect(cpu[0]?.body).toContain("```mermaid");
    const crash = state.issues.filter((issue) => issue.labels.includes("ops:crash"));
    expect(crash).toHaveLength(1);
    expect(crash[0]?.body).toContain(PHOENIX_APP.crashLogLine);
    // The app's own pino lines, shipped by the platform to CloudWatch Logs (moto) and read back by the bot.
    expect(crash[0]?.body).toMatch(/"service":"phoenix-app".*"msg":"phoenix app listening"/);
    expect(crash[0]?.body).toContain(`| Image | \`${state.deployments[0]?.payload.imageUri}\` |`);
    expect(state.reactions.filter((reaction) => reaction.content === "eyes")).toHaveLength(2);
  });

  it("shows the scenario's issues, with the CPU chart drawn, on the sandbox page in headless Chromium", async () => {
    const browser = await chromium.launch({
      executablePath: requiredServiceVariable("PHOENIX_CHROMIUM_BIN"),
      args: ["--no-sandbox"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
      await page.goto(`${sandbox.endpoints.githubUrl}/_sandbox/`);
      const state = await new SandboxGitHubClient(sandbox.endpoints.githubUrl).state();
      for (const issue of state.issues.filter((i) => !i.pullRequest)) {
        await expect(page.getByText(issue.title).first().isVisible()).resolves.toBe(true);
      }
      await page.locator(".mermaid svg").first().waitFor({ state: "visible", timeout: 15_000 });
      mkdirSync(fileURLToPath(new URL("../test-artifacts/", import.meta.url)), { recursive: true });
      await page.screenshot({ path: screenshotFile, fullPage: true });
      expect(statSync(screenshotFile).size).toBeGreaterThan(20_000);
    } finally {
      await browser.close();
    }
  }, 60_000);

  // Last: it adds to the state the tests above check.
  it("replays the scenario against the same sandbox (pnpm sandbox scenario)", async () => {
    const again = await runScenario(sandbox.endpoints);
    expect(again).toHaveLength(steps.length);
    const state = await new SandboxGitHubClient(sandbox.endpoints.githubUrl).state();
    expect(state.deployments.map((d) => d.statuses.at(-1)?.state)).toEqual(["inactive", "success"]); // GitHub retires the superseded one
    expect(state.violations).toEqual([]);
  }, 120_000);
});
