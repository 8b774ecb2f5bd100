import { RECONCILE_EVENT } from "@phoenix/shared";
import { afterEach, describe, expect, it } from "vitest";
import { DeployEventHandler } from "../../../src/domain/delivery/deploy-event-handler.js";
import { awsFixture } from "../../support/aws-fixtures.js";
import { SHA, TARGET, workflowWithDoubles } from "../../support/delivery-doubles.js";

/** A fixture's payload (see its `source`: the AWS guides' examples and their Phoenix variants). */
const awsEvent = (name: string) => awsFixture(name) as Record<string, unknown> & { detail: Record<string, unknown> };

const repository = { owner: "octo-org", repo: "phoenix" };
const BUILD_ID = "phoenix-staging-image-build:5f0e3b9a-2c1d-4e8f-9a7b-6c5d4e3f2a10";

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

async function deployWaitingFor(stage: "build" | "rollout") {
  const doubles = workflowWithDoubles();
  cleanup = doubles.cleanup;
  if (stage === "build") doubles.builder.next = () => ({ status: "started", buildId: BUILD_ID });
  await doubles.workflow.start({
    id: "c1",
    repository,
    environment: "staging",
    target: TARGET,
    liveImageParameter: "/phoenix/phoenix/staging/live-image",
    sha: SHA,
    trigger: { kind: "deploy", actor: "alice", pullRequest: 7 },
  });
  const handler = new DeployEventHandler({
    workflow: doubles.workflow,
    ledger: doubles.ledger,
    reconcileScope: async () => ({ repository, environments: ["staging", "production"] }),
  });
  return { ...doubles, handler };
}

describe("events that resume a deploy", () => {
  it("resumes a deploy waiting for its build when CodeBuild reports the build finished (by the build ARN)", async () => {
    const { handler, builder, github } = await deployWaitingFor("build");
    builder.outcomes.set(BUILD_ID, {
      status: "succeeded",
      image: { repositoryUri: "r", digest: `sha256:${"d".repeat(64)}`, uri: `r@sha256:${"d".repeat(64)}` },
    });
    expect(await handler.handle(awsEvent("codebuild-build-state-change-exported-variables.json"))).toBe("rolling-out");
    expect(github.deployments).toHaveLength(1);
  });

  it("acts once on an EventBridge event delivered twice", async () => {
    const { handler, builder } = await deployWaitingFor("build");
    builder.outcomes.set(BUILD_ID, { status: "failed", reason: "BUILD: exit 1" });
    const event = awsEvent("codebuild-build-state-change-failed.json");
    expect(await handler.handle(event)).toBe("failed:build");
    expect(await handler.handle(event)).toBe("duplicate-event");
  });

  it("ends a rollout as failed on SERVICE_DEPLOYMENT_FAILED and ignores SERVICE_DEPLOYMENT_IN_PROGRESS", async () => {
    const { handler, github } = await deployWaitingFor("rollout");
    const withId = (name: string) => {
      const event = awsEvent(name);
      return { ...event, detail: { ...event.detail, deploymentId: "ecs-svc/1" } };
    };
    expect(await handler.handle(withId("ecs-deployment-state-change-in-progress.json"))).toBe(
      "ignored:rollout-running",
    );
    expect(await handler.handle(withId("ecs-deployment-state-change-failed.json"))).toBe("failed:rollout");
    expect(github.deployment(0).statuses.at(-1)?.state).toBe("failure");
  });

  it("ignores events no deploy waits for", async () => {
    const { handler } = await deployWaitingFor("rollout");
    expect(await handler.handle(awsEvent("ecs-deployment-state-change-completed.json"))).toBe(
      "ignored:no-deploy-waits-for-rollout",
    );
  });

  it("reconciles every configured environment on the reconciler's tick", async () => {
    const { handler, deployer } = await deployWaitingFor("rollout");
    deployer.rolloutStates.set("ecs-svc/1", { state: "completed" });
    const tick = { ...RECONCILE_EVENT, id: "tick-1", time: new Date().toISOString(), detail: {} };
    expect(await handler.handle(tick)).toBe("reconciled:staging=succeeded,production=idle");
  });
});
