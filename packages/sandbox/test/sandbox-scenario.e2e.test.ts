import { mkdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { SandboxGitHubClient, type SandboxState } from "@phoenix/github-stand-in";
import { manifestReference, parseRegistryImage, RegistryClient } from "@phoenix/oci-builder";
import { PHOENIX_APP } from "@phoenix/shared";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requiredServiceVariable } from "../../../test-support/required-service.js";
import { MOTO_DEFAULT_ACCOUNT, motoAccountClients, SANDBOX_PRODUCTION_ACCOUNT } from "../src/aws/moto-accounts.js";
import { type RunningSandbox, startSandbox } from "../src/sandbox.js";
import { environmentNamed, runScenario, SCENARIO_STEPS, type ScenarioStep } from "../src/scenario.js";

/**
 * The README's main job end to end: the sandbox as `pnpm start` brings it up (on free ports),
 * its scenario run once, then the final state checked where it lives: the GitHub stand-in,
 * moto's two accounts, the local registry.
 */
const workspaceRoot = fileURLToPath(new URL("../../../", import.meta.url));
const screenshotFile = fileURLToPath(new URL("../test-artifacts/sandbox-after-scenario.png", import.meta.url));

describe("the local sandbox runs the whole ops loop in the production topology", () => {
  let sandbox: RunningSandbox;
  let steps: ScenarioStep[];
  const lines: string[] = [];
  const state = () => new SandboxGitHubClient(sandbox.endpoints.githubUrl).state();
  const environment = (name: string) => environmentNamed(sandbox.endpoints, name);
  const aws = (name: string) => motoAccountClients(sandbox.endpoints.aws, environment(name).account);
  const promoted = (current: SandboxState) => {
    const production = current.deployments.find((d) => d.environment === "production");
    const staging = current.deployments.find((d) => d.environment === "staging" && d.sha === production?.sha);
    if (!production || !staging) throw new Error("no commit went to staging and then production");
    return { production, staging };
  };

  beforeAll(async () => {
    sandbox = await startSandbox({
      workspaceRoot,
      ports: { app: 0, bot: 0, github: 0, productionApp: 0 },
      app: "phoenix-e2e",
      log: (line) => lines.push(line),
    });
    steps = await runScenario(sandbox.endpoints);
  }, 240_000);

  afterAll(async () => {
    await sandbox?.stop();
  }, 60_000);

  it("completes every scenario step", () => {
    expect(steps.map((step) => step.name)).toEqual(Object.values(SCENARIO_STEPS));
  });

  it("runs staging in moto's default account and production in the second, each through its own deployer role", () => {
    expect(sandbox.endpoints.environments.map(({ name, account }) => [name, account])).toEqual([
      ["staging", MOTO_DEFAULT_ACCOUNT],
      ["production", SANDBOX_PRODUCTION_ACCOUNT],
    ]);
    for (const { account, deployerRoleArn, names } of sandbox.endpoints.environments) {
      expect(deployerRoleArn).toBe(`arn:aws:iam::${account}:role/${names.deployerRole}`);
    }
  });

  it("found a route through the stacks' rules for every event the platforms and the scenario put", () => {
    expect(lines.filter((line) => line.includes("no rule routes"))).toEqual([]);
    expect(lines.filter((line) => /the bot answered/.test(line))).toEqual([]);
  });

  it("records the merge as a GitHub Deployment to staging that went queued → in_progress → success, retired by the next", async () => {
    const current = await state();
    expect(current.violations).toEqual([]);
    const merges = current.deployments.filter((d) => d.payload.trigger === "merge");
    expect(merges).toHaveLength(1);
    // The promotion's own staging deploy came later: GitHub marks the superseded one inactive.
    expect(merges[0]?.statuses.map((status) => status.state)).toEqual(["queued", "in_progress", "success", "inactive"]);
    expect(merges[0]?.payload).toMatchObject({ environment: "staging", imageSource: "built" });
  });

  it("leaves each environment's service on the deployed revision, every field but the image as the stack declared it", async () => {
    const current = await state();
    for (const name of ["staging", "production"]) {
      const { ecs } = aws(name);
      const { names } = environment(name);
      const deployed = current.deployments.filter((d) => d.environment === name).at(-1)?.payload.taskDefinitionArn;
      expect(String(deployed)).toMatch(new RegExp(`^arn:aws:ecs:eu-west-1:${environment(name).account}:`));
      const { services } = await ecs.send(
        new DescribeServicesCommand({ cluster: names.cluster, services: [names.service] }),
      );
      expect(services?.[0]?.taskDefinition).toBe(deployed);
      const seeded = sandbox.topology.environments
        .find((e) => e.name === name)
        ?.stack.ofType("AWS::ECS::TaskDefinition")[0]?.physicalId;
      const [before, after] = await Promise.all(
        [seeded, deployed as string].map(
          async (arn) => (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition,
        ),
      );
      const app = (definition: typeof before) =>
        definition?.containerDefinitions?.find((c) => c.name === PHOENIX_APP.containerName);
      expect({ ...app(after), image: "" }).toEqual({ ...app(before), image: "" });
      expect(app(after)?.image).toBe(
        current.deployments.filter((d) => d.environment === name).at(-1)?.payload.imageUri,
      );
    }

    const { names } = environment("staging");
    const { ScalableTargets } = await aws("staging").autoScaling.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: "ecs",
        ResourceIds: [`service/${names.cluster}/${names.service}`],
      }),
    );
    expect(ScalableTargets?.[0]).toMatchObject({ MinCapacity: 3, MaxCapacity: 6 });
  });

  it("has each deployed image in the local registry, by the digest its deployment recorded", async () => {
    for (const { payload } of (await state()).deployments) {
      const { imageUri, imageDigest } = payload as { imageUri: string; imageDigest: string };
      const { reference, registryUrl } = parseRegistryImage(imageUri);
      const { digest } = await new RegistryClient({ registryUrl }).getManifest(
        reference.repository,
        manifestReference(reference),
      );
      expect(digest).toBe(imageDigest);
    }
  });

  it("refused /deploy production of a commit staging never ran, saying why, and deployed nothing", async () => {
    const current = await state();
    const { production } = promoted(current);
    const pr = current.issues.find((issue) =>
      issue.comments.some((c) => c.body.includes("accepts only images that succeeded in **staging**")),
    );
    const refusal = pr?.comments.find((c) => c.body.includes("accepts only images that succeeded in **staging**"));
    expect(refusal?.body).toContain(
      `**production** accepts only images that succeeded in **staging**; \`${production.sha.slice(0, 7)}\``,
    );
    expect(refusal?.body).toContain("Deploy it to **staging** first.");
    // The refused command came first: the commit's only production deployment is the later promotion.
    expect(current.deployments.filter((d) => d.sha === production.sha && d.environment === "production")).toHaveLength(
      1,
    );
  });

  it("promoted staging's digest into production's account without a second build", async () => {
    const current = await state();
    const { production, staging } = promoted(current);
    expect(staging.payload).toMatchObject({ imageSource: "built" });
    expect(production.payload).toMatchObject({ imageSource: "reused", imageDigest: staging.payload.imageDigest });
    expect(production.statuses.at(-1)?.state).toBe("success");
    expect(sandbox.builds.filter((sha) => sha === production.sha)).toHaveLength(1);

    const { ecs, ssm } = aws("production");
    const { taskDefinition } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: String(production.payload.taskDefinitionArn) }),
    );
    expect(taskDefinition?.taskDefinitionArn).toMatch(new RegExp(`:${SANDBOX_PRODUCTION_ACCOUNT}:task-definition/`));
    expect(taskDefinition?.containerDefinitions?.[0]?.image).toBe(production.payload.imageUri);
    expect(String(production.payload.imageUri)).toMatch(new RegExp(`@${String(staging.payload.imageDigest)}$`));
    const { Parameter } = await ssm.send(
      new GetParameterCommand({ Name: environment("production").names.liveImageParameter }),
    );
    expect(Parameter?.Value).toBe(production.payload.imageUri);
    const comment = current.issues
      .flatMap((i) => i.comments)
      .find((c) => c.body.includes("to **production** succeeded"));
    expect(comment?.body).toContain("♻️ Reused the image built for");
  });

  it("refused the read-only user, opened and closed the CPU and 5xx issues each as its own kind, and reported the crash with the app's own log lines", async () => {
    const current = await state();
    const comments = current.issues.flatMap((issue) => issue.comments.map((comment) => comment.body));
    expect(comments.some((body) => body.includes("only collaborators with write access or higher"))).toBe(true);
    expect(comments.some((body) => body.startsWith("### 🚀 `/scale staging 3-6`"))).toBe(true);
    const cpu = current.issues.filter((issue) => issue.labels.includes("ops:cpu"));
    expect(cpu.map((issue) => [issue.state, issue.title])).toEqual([
      ["closed", `CPU peak: ${environment("staging").names.alarms.cpuHigh} in ALARM`],
    ]);
    expect(cpu[0]?.body).toContain("```mermaid");
    const http5xx = current.issues.filter((issue) => issue.labels.includes("ops:5xx"));
    expect(http5xx.map((issue) => [issue.state, issue.title, issue.labels])).toEqual([
      ["closed", `5xx from the app: ${environment("production").names.alarms.http5xx} in ALARM`, ["ops:5xx"]],
    ]);
    const crash = current.issues.filter((issue) => issue.labels.includes("ops:crash"));
    expect(crash).toHaveLength(1);
    expect(crash[0]?.body).toContain(PHOENIX_APP.crashLogLine);
    // The app's own pino lines, shipped by the platform to CloudWatch Logs (moto) and read back by the bot.
    expect(crash[0]?.body).toMatch(/"service":"phoenix-app".*"msg":"phoenix app listening"/);
    const stagingImage = current.deployments.filter((d) => d.environment === "staging").at(-1)?.payload.imageUri;
    expect(crash[0]?.body).toContain(`| Image | \`${stagingImage}\` |`);
    // One 👀 per command comment: /scale, the read-only /deploy, and the three /deploy of the promotion.
    expect(current.reactions.filter((reaction) => reaction.content === "eyes")).toHaveLength(5);
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
    const before = (await state()).deployments.length;
    const again = await runScenario(sandbox.endpoints);
    expect(again).toHaveLength(steps.length);
    const current = await state();
    expect(current.deployments).toHaveLength(2 * before);
    // GitHub retires every deployment of an environment but the latest.
    for (const name of ["staging", "production"]) {
      const ofEnvironment = current.deployments.filter((d) => d.environment === name);
      expect(ofEnvironment.map((d) => d.statuses.at(-1)?.state)).toEqual([
        ...ofEnvironment.slice(1).map(() => "inactive"),
        "success",
      ]);
    }
    expect(current.violations).toEqual([]);
  }, 180_000);
});
