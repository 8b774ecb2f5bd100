import { afterEach, describe, expect, it } from "vitest";
import { DeliveryError } from "../../../src/ports/delivery-error.js";
import { OTHER_SHA, SHA, TARGET, workflowWithDoubles } from "../../support/delivery-doubles.js";

const repository = { owner: "octo-org", repo: "phoenix" };
const request = (id: string, sha = SHA) => ({
  id,
  repository,
  environment: "staging",
  target: TARGET,
  environmentUrl: "https://staging.example.com",
  liveImageParameter: "/phoenix/phoenix/staging/live-image",
  sha,
  trigger: { kind: "deploy" as const, actor: "alice", pullRequest: 7 },
});

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function setUp(options?: Parameters<typeof workflowWithDoubles>[0]) {
  const doubles = workflowWithDoubles(options);
  cleanup = doubles.cleanup;
  return doubles;
}

describe("a deploy from start to the rollout's end", () => {
  it("records a GitHub Deployment whose payload names sha, image digest and task definition before the service changes", async () => {
    const { workflow, github, deployer } = setUp();
    const started = await workflow.start(request("c1"));
    expect(started.outcome).toBe("started");
    const deployment = github.deployment(0);
    expect(deployment.payload).toMatchObject({
      sha: SHA,
      imageDigest: `sha256:${"a".repeat(64)}`,
      taskDefinitionArn: expect.stringMatching(/task-definition\/phoenix-staging:2$/),
      environment: "staging",
    });
    expect(github.states(deployment.id)).toEqual(["queued", "in_progress"]);
    expect(deployer.pointedAt).toEqual([deployment.payload.taskDefinitionArn]);
  });

  it("reports success with the environment URL only when ECS says the deployment COMPLETED, and releases the lock", async () => {
    const { workflow, github, ledger } = setUp();
    await workflow.start(request("c1"));
    expect(await workflow.onRolloutState("ecs-svc/1", { state: "completed" })).toBe("succeeded");
    const deployment = github.deployment(0);
    expect(deployment.statuses.at(-1)).toMatchObject({
      state: "success",
      environmentUrl: "https://staging.example.com",
      logUrl: expect.stringContaining("/ecs/v2/clusters/phoenix-staging/services/phoenix-staging-web/deployments"),
    });
    expect([...github.comments.values()].at(-1)?.body).toMatch(/^### 🚀/);
    expect((await ledger.acquireLock("deploy/octo-org/phoenix/staging", "someone-else", 60)).acquired).toBe(true);
  });

  it("treats a circuit-breaker rollback (deployment FAILED) as a failure, never a success", async () => {
    const { workflow, github } = setUp();
    await workflow.start(request("c1"));
    const reason = "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/0.";
    expect(await workflow.onRolloutState("ecs-svc/1", { state: "failed", reason })).toBe("failed:rollout");
    const deployment = github.deployment(0);
    expect(deployment.statuses.map((s) => s.state)).not.toContain("success");
    expect(deployment.statuses.at(-1)?.state).toBe("failure");
    expect([...github.comments.values()].at(-1)?.body).toContain(reason);
  });

  it("finishes once when the event and the reconciler both see the end", async () => {
    const { workflow, github, deployer } = setUp();
    await workflow.start(request("c1"));
    deployer.rolloutStates.set("ecs-svc/1", { state: "completed" });
    await Promise.all([
      workflow.onRolloutState("ecs-svc/1", { state: "completed" }),
      workflow.reconcile(repository, "staging"),
    ]);
    expect(github.states(github.deployment(0).id).filter((s) => s === "success")).toHaveLength(1);
  });
});

describe("one deploy per environment at a time", () => {
  it("tells a second deploy who holds the lock and starts nothing", async () => {
    const { workflow, builder } = setUp();
    await workflow.start(request("c1"));
    const second = await workflow.start({
      ...request("c2", OTHER_SHA),
      trigger: { kind: "deploy", actor: "bob", pullRequest: 8 },
    });
    expect(second.outcome).toBe("locked");
    expect(second.outcome === "locked" && second.message).toMatch(
      /staging\*\* is locked by @alice's `\/deploy` on #7 \(`aaaaaaa`\)/,
    );
    expect(builder.started).toEqual([SHA]);
  });

  it("lets the next deploy run once the first one ended", async () => {
    const { workflow, builder } = setUp();
    await workflow.start(request("c1"));
    await workflow.onRolloutState("ecs-svc/1", { state: "completed" });
    expect((await workflow.start(request("c2", OTHER_SHA))).outcome).toBe("started");
    expect(builder.started).toEqual([SHA, OTHER_SHA]);
  });

  it("never starts the same trigger twice, while running or after it ended", async () => {
    const { workflow, builder, github } = setUp();
    await workflow.start(request("c1"));
    expect((await workflow.start(request("c1"))).outcome).toBe("duplicate");
    await workflow.onRolloutState("ecs-svc/1", { state: "completed" });
    expect((await workflow.start(request("c1"))).outcome).toBe("duplicate");
    expect(builder.started).toHaveLength(1);
    expect(github.deployments).toHaveLength(1);
  });
});

describe("failures end the deploy and release the lock", () => {
  it.each([
    ["ServiceNotFoundException", "Service not found."],
    ["ThrottlingException", "Rate exceeded"],
    [
      "AccessDeniedException",
      "User: arn:aws:sts::111122223333:assumed-role/ops-bot is not authorized to perform: ecs:RegisterTaskDefinition",
    ],
  ])("ends with AWS's %s and its message, and releases the lock", async (code, message) => {
    const { workflow, deployer, github } = setUp();
    deployer.failWith = new DeliveryError(message, code);
    const started = await workflow.start(request("c1"));
    expect(started).toEqual({ outcome: "failed", reason: `${code}: ${message}` });
    expect([...github.comments.values()].at(-1)?.body).toMatch(/^### 😕/);
    expect([...github.comments.values()].at(-1)?.body).toContain(`${code}: ${message}`);
    deployer.failWith = undefined;
    expect((await workflow.start(request("c2"))).outcome).toBe("started");
  });

  it("times out a rollout no event finished, reports failure and releases the lock", async () => {
    let now = new Date("2026-11-26T08:00:00Z");
    const { workflow, github } = setUp({ now: () => now, timeoutMs: 10 * 60_000 });
    await workflow.start(request("c1"));
    expect(await workflow.reconcile(repository, "staging")).toBe("waiting:rolling-out");
    now = new Date("2026-11-26T08:11:00Z");
    expect(await workflow.reconcile(repository, "staging")).toBe("failed:timeout");
    expect(github.deployment(0).statuses.at(-1)?.state).toBe("failure");
    expect(await workflow.reconcile(repository, "staging")).toBe("idle");
  });
});

describe("builds that finish later (CodeBuild)", () => {
  it("waits for the build, then registers and rolls out the image it exported", async () => {
    const { workflow, builder, deployer, github } = setUp();
    builder.next = () => ({ status: "started", buildId: "phoenix-staging-image-build:1234" });
    await workflow.start(request("c1"));
    expect(github.deployments).toHaveLength(0);
    expect(await workflow.onBuildFinished("phoenix-staging-image-build:1234")).toBe("waiting:build");
    builder.outcomes.set("phoenix-staging-image-build:1234", {
      status: "succeeded",
      image: { repositoryUri: "r", digest: `sha256:${"c".repeat(64)}`, uri: `r@sha256:${"c".repeat(64)}` },
    });
    expect(await workflow.onBuildFinished("phoenix-staging-image-build:1234")).toBe("rolling-out");
    expect(deployer.registered).toEqual([`r@sha256:${"c".repeat(64)}`]);
    expect(github.deployments[0]?.payload.imageDigest).toBe(`sha256:${"c".repeat(64)}`);
  });

  it("reports a failed build on the PR and releases the lock", async () => {
    const { workflow, builder, github } = setUp();
    builder.next = () => ({ status: "started", buildId: "b:1" });
    await workflow.start(request("c1"));
    builder.outcomes.set("b:1", { status: "failed", reason: "BUILD phase: npm ci exited 1" });
    expect(await workflow.onBuildFinished("b:1")).toBe("failed:build");
    expect([...github.comments.values()].at(-1)?.body).toContain("npm ci exited 1");
    expect((await workflow.start(request("c2"))).outcome).toBe("started");
  });
});

describe("rollback", () => {
  it("redeploys the recorded task definition without building", async () => {
    const { workflow, builder, deployer, github } = setUp();
    const earlier = {
      id: 41,
      sha: OTHER_SHA,
      payload: {
        sha: OTHER_SHA,
        imageDigest: "sha256:b",
        imageUri: "r@sha256:b",
        taskDefinitionArn: "arn:aws:ecs:eu-west-1:111122223333:task-definition/phoenix-staging:1",
        environment: "staging",
        trigger: "merge",
      },
    };
    await workflow.start({
      ...request("c1", OTHER_SHA),
      trigger: { kind: "rollback", actor: "alice", pullRequest: 7 },
      rollbackTo: earlier,
    });
    expect(builder.started).toEqual([]);
    expect(deployer.registered).toEqual([]);
    expect(deployer.pointedAt).toEqual([earlier.payload.taskDefinitionArn]);
    expect(github.deployments[0]?.payload).toMatchObject({
      rollbackOf: 41,
      taskDefinitionArn: earlier.payload.taskDefinitionArn,
    });
  });
});

const PRODUCTION_TARGET = { ...TARGET, cluster: "phoenix-production", service: "phoenix-production-web" };
/** `/deploy production` where production says `after: staging`. */
const toProduction = (id: string, sha = SHA) => ({
  ...request(id, sha),
  environment: "production",
  target: PRODUCTION_TARGET,
  after: "staging",
  liveImageParameter: "/phoenix/phoenix/production/live-image",
});
const lastComment = (github: { comments: Map<number, { body: string }> }) =>
  [...github.comments.values()].at(-1)?.body ?? "";

describe("build once, promote by digest", () => {
  it("deploys a commit that already has an image by its digest and builds nothing, saying so", async () => {
    const { workflow, builder, registry, deployer, github, logged } = setUp();
    const built = {
      repositoryUri: "registry.test/phoenix/phoenix",
      digest: `sha256:${"d".repeat(64)}`,
      uri: `registry.test/phoenix/phoenix@sha256:${"d".repeat(64)}`,
    };
    registry.images.set(SHA, built);
    expect((await workflow.start(request("c1"))).outcome).toBe("started");
    expect(builder.started).toEqual([]);
    expect(deployer.registered).toEqual([built.uri]);
    expect(github.deployment(0).payload).toMatchObject({ imageDigest: built.digest, imageSource: "reused" });
    expect(lastComment(github)).toContain(
      `- ♻️ Reused the image built for \`aaaaaaa\` (\`${built.digest}\`); nothing rebuilt`,
    );
    expect(logged).toContainEqual({ level: "info", msg: "deploy: reused the commit's image, no build" });
  });

  it("builds a commit once: a later deploy of it to another environment reuses the image", async () => {
    const { workflow, builder, deployer, github } = setUp();
    await workflow.start(request("c1"));
    await workflow.onRolloutState("ecs-svc/1", { state: "completed" });
    await workflow.start({ ...request("c2"), environment: "preview", target: { ...TARGET, cluster: "preview" } });
    expect(builder.started).toEqual([SHA]);
    expect(deployer.registered).toHaveLength(2);
    expect(new Set(deployer.registered).size).toBe(1);
    expect(github.deployments.map((d) => d.payload.imageSource)).toEqual(["built", "reused"]);
  });

  it("refuses, starting and locking nothing, when it cannot tell whether the commit has an image", async () => {
    const { workflow, builder, registry, github, ledger } = setUp();
    registry.failWith = new DeliveryError(
      "User is not authorized to perform: ecr:DescribeImages",
      "AccessDeniedException",
    );
    const started = await workflow.start(request("c1"));
    expect(started).toEqual({
      outcome: "refused",
      reason:
        "Could not find out whether `aaaaaaa` already has an image, so nothing was deployed: AccessDeniedException: User is not authorized to perform: ecr:DescribeImages",
    });
    expect(builder.started).toEqual([]);
    expect(github.comments.size).toBe(0);
    expect((await ledger.acquireLock("deploy/octo-org/phoenix/staging", "someone-else", 60)).acquired).toBe(true);
  });
});

describe("enforced deployment order (after: staging)", () => {
  it("refuses a commit that was never built, building and locking nothing", async () => {
    const { workflow, builder, github, ledger } = setUp();
    expect(await workflow.start(toProduction("p1"))).toEqual({
      outcome: "refused",
      reason:
        "**production** accepts only images that succeeded in **staging**; `aaaaaaa` has no image yet, so it has not. Deploy it to **staging** first.",
    });
    expect(builder.started).toEqual([]);
    expect(github.deployments).toEqual([]);
    expect(github.comments.size).toBe(0);
    expect((await ledger.acquireLock("deploy/octo-org/phoenix/production", "someone-else", 60)).acquired).toBe(true);
  });

  it("refuses an image whose staging deploy failed", async () => {
    const { workflow, github } = setUp();
    await workflow.start(request("s1"));
    await workflow.onRolloutState("ecs-svc/1", { state: "failed", reason: "circuit breaker" });
    const started = await workflow.start(toProduction("p1"));
    expect(started).toEqual({
      outcome: "refused",
      reason: `**production** accepts only images that succeeded in **staging**; \`aaaaaaa\` (\`sha256:${"a".repeat(64)}\`) has not. Deploy it to **staging** first.`,
    });
    expect(github.deployments).toHaveLength(1);
  });

  it("promotes the digest that succeeded in staging, with no second build", async () => {
    const { workflow, builder, deployer, github } = setUp();
    await workflow.start(request("s1"));
    await workflow.onRolloutState("ecs-svc/1", { state: "completed" });
    expect((await workflow.start(toProduction("p1"))).outcome).toBe("started");
    expect(builder.started).toEqual([SHA]);
    expect(deployer.registered).toEqual([
      `registry.test/phoenix/phoenix@sha256:${"a".repeat(64)}`,
      deployer.registered[0],
    ]);
    const production = github.deployment(1);
    expect(production).toMatchObject({ environment: "production", payload: { imageSource: "reused" } });
    expect(lastComment(github)).toContain("Reused the image built for `aaaaaaa`");
    expect(lastComment(github)).toContain("✔️ It succeeded in **staging**, as **production** requires");
  });

  it("promotes the image recorded as succeeded in staging when the image repository cannot name it", async () => {
    const { workflow, builder, registry, deployer } = setUp();
    await workflow.start(request("s1"));
    await workflow.onRolloutState("ecs-svc/1", { state: "completed" });
    registry.images.clear();
    expect((await workflow.start(toProduction("p1"))).outcome).toBe("started");
    expect(builder.started).toEqual([SHA]);
    expect(deployer.registered[1]).toBe(deployer.registered[0]);
  });

  it("refuses a different image of the same commit than the one staging ran", async () => {
    const { workflow, registry } = setUp();
    await workflow.start(request("s1"));
    await workflow.onRolloutState("ecs-svc/1", { state: "completed" });
    const rebuilt = `sha256:${"e".repeat(64)}`;
    registry.images.set(SHA, { repositoryUri: "r", digest: rebuilt, uri: `r@${rebuilt}` });
    const started = await workflow.start(toProduction("p1"));
    expect(started.outcome === "refused" && started.reason).toBe(
      `**production** accepts only images that succeeded in **staging**; \`aaaaaaa\` (\`${rebuilt}\`) has not (**staging** ran \`aaaaaaa\` as \`sha256:${"a".repeat(64)}\`, a different image). Deploy it to **staging** first.`,
    );
  });

  it("counts successes per repository: another repository's staging success does not admit the image", async () => {
    const { workflow } = setUp();
    await workflow.start({ ...request("s1"), repository: { owner: "octo-org", repo: "other" } });
    await workflow.onRolloutState("ecs-svc/1", { state: "completed" });
    expect((await workflow.start(toProduction("p1"))).outcome).toBe("refused");
  });
});

describe("the live image", () => {
  it("records the deployed image by digest in the environment's parameter once the rollout completed", async () => {
    const { workflow, liveImages, github } = setUp();
    await workflow.start(request("c1"));
    expect(liveImages.recorded).toEqual([]);
    await workflow.onRolloutState("ecs-svc/1", { state: "completed" });
    const uri = `registry.test/phoenix/phoenix@sha256:${"a".repeat(64)}`;
    expect(liveImages.recorded).toEqual([
      { cluster: "phoenix-staging", parameter: "/phoenix/phoenix/staging/live-image", imageUri: uri },
    ]);
    expect(lastComment(github)).toContain(
      `📌 Recorded \`${uri}\` as the live image in \`/phoenix/phoenix/staging/live-image\``,
    );
  });

  it("keeps a completed rollout a success when the parameter cannot be written, and says why", async () => {
    const { workflow, liveImages, github, logged } = setUp();
    liveImages.failWith = new DeliveryError("not authorized to perform: ssm:PutParameter", "AccessDeniedException");
    await workflow.start(request("c1"));
    expect(await workflow.onRolloutState("ecs-svc/1", { state: "completed" })).toBe("succeeded");
    expect(github.deployment(0).statuses.at(-1)?.state).toBe("success");
    expect(lastComment(github)).toMatch(/^### 🚀/);
    expect(lastComment(github)).toContain(
      "⚠️ Could not record the live image in `/phoenix/phoenix/staging/live-image` (AccessDeniedException: not authorized to perform: ssm:PutParameter). ECS runs the new image; until the parameter names it, a `cdk deploy` of **staging** would bring back the image it names now.",
    );
    expect(logged).toContainEqual({ level: "warn", msg: "deploy: could not record the live image" });
  });

  it("records nothing for a rollout that failed", async () => {
    const { workflow, liveImages } = setUp();
    await workflow.start(request("c1"));
    await workflow.onRolloutState("ecs-svc/1", { state: "failed", reason: "circuit breaker" });
    expect(liveImages.recorded).toEqual([]);
  });
});

describe("one build for two environments", () => {
  it("finishes both deploys that CodeBuild answered with the same build: the event resumes one, the reconciler the other", async () => {
    const { workflow, builder, github } = setUp();
    builder.next = () => ({ status: "started", buildId: "b:1" });
    await workflow.start(request("s1"));
    await workflow.start({ ...request("q1"), environment: "qa", target: { ...TARGET, cluster: "qa" } });
    builder.outcomes.set("b:1", {
      status: "succeeded",
      image: { repositoryUri: "r", digest: `sha256:${"c".repeat(64)}`, uri: `r@sha256:${"c".repeat(64)}` },
    });
    expect(await workflow.onBuildFinished("b:1")).toBe("rolling-out");
    expect(await workflow.reconcile(repository, "staging")).toBe("rolling-out");
    expect(github.deployments.map((d) => d.environment).sort()).toEqual(["qa", "staging"]);
  });
});
