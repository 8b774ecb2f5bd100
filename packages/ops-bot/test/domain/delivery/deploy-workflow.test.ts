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
