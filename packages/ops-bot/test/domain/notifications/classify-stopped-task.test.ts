import { PHOENIX_APP } from "@phoenix/shared";
import { describe, expect, it } from "vitest";
import { parseEcsTaskStateChange } from "../../../src/domain/events/ecs-task-state-change.js";
import { classifyStoppedTask } from "../../../src/domain/notifications/classify-stopped-task.js";
import { loadFixture, variantOf } from "../../support/aws-fixtures.js";

const classify = (event: unknown, essentialContainers?: readonly string[]) =>
  classifyStoppedTask(parseEcsTaskStateChange(event), essentialContainers ? { essentialContainers } : {});
const fixture = (name: string) => loadFixture(name).payload;

describe("which stopped tasks are crashes", () => {
  it("an essential container that exited non-zero is a crash", () => {
    expect(classify(fixture("ecs-task-state-change-essential-container-exited"))).toEqual({
      kind: "crash",
      container: "FargateApp",
      exitCode: 1,
      reason: "Essential container in task exited",
    });
  });

  it("a container killed for its memory use is an OOM kill", () => {
    expect(classify(fixture("ecs-task-state-change-oom-killed"))).toEqual({
      kind: "oom-killed",
      container: "FargateApp",
      exitCode: 137,
      reason: "OutOfMemoryError: Container killed due to memory usage",
    });
  });

  it("exit code 137 without the out-of-memory reason is a crash, not an OOM kill", () => {
    const event = variantOf(
      "ecs-task-state-change-essential-container-exited",
      ["detail", "containers", 0, "exitCode"],
      137,
    );
    expect(classify(event)).toMatchObject({ kind: "crash", exitCode: 137 });
  });

  it("an essential container that exited 0 is not a crash", () => {
    expect(classify(fixture("ecs-task-state-change-clean-exit"))).toMatchObject({
      kind: "not-a-crash",
      why: "clean-exit",
    });
  });

  it("a scale-in (ServiceSchedulerInitiated) is not a crash", () => {
    expect(classify(fixture("ecs-task-state-change-scale-in"))).toEqual({
      kind: "not-a-crash",
      why: "scale-in-or-deployment",
      stopCode: "ServiceSchedulerInitiated",
      reason: "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)",
    });
  });

  it("a deployment replacing a task (ServiceSchedulerInitiated) is not a crash, even when SIGTERM ends it with 143", () => {
    expect(classify(fixture("ecs-task-state-change-deployment-replacement"))).toMatchObject({
      kind: "not-a-crash",
      why: "scale-in-or-deployment",
    });
  });

  it("a user stop (UserInitiated) is not a crash", () => {
    expect(classify(fixture("ecs-task-state-change-user-initiated"))).toMatchObject({
      kind: "not-a-crash",
      why: "user-stop",
    });
  });

  it("a Spot interruption (SpotInterruption) is not a crash", () => {
    expect(classify(fixture("ecs-task-state-change-spot-interruption"))).toMatchObject({
      kind: "not-a-crash",
      why: "spot-interruption",
    });
  });

  it("a termination notice (TerminationNotice) is not a crash", () => {
    expect(classify(fixture("ecs-task-state-change-termination-notice"))).toMatchObject({
      kind: "not-a-crash",
      why: "termination-notice",
    });
  });

  it("a task that failed to start (TaskFailedToStart) is reported as failed-to-start, with its pull error", () => {
    const classification = classify(fixture("ecs-task-state-change-failed-to-start"));
    expect(classification.kind).toBe("failed-to-start");
    expect(classification).toMatchObject({
      container: "FargateApp",
      reason: expect.stringMatching(/^CannotPullContainerError: /),
    });
  });

  it("a task killed for failing ELB health checks is reported as failed-health-check, not as a scale-in", () => {
    expect(classify(fixture("ecs-task-state-change-elb-health-check"))).toEqual({
      kind: "failed-health-check",
      check: "load-balancer",
      container: undefined,
      reason: expect.stringMatching(/^Task failed ELB health checks in \(target-group arn:/),
    });
  });

  it("a task killed for failing container health checks is reported as failed-health-check, naming the unhealthy container", () => {
    expect(classify(fixture("ecs-task-state-change-container-health-check"))).toEqual({
      kind: "failed-health-check",
      check: "container",
      container: "FargateApp",
      reason: "Task failed container health checks",
    });
  });

  it("a task that has not stopped is not a crash", () => {
    expect(classify(fixture("ecs-task-state-change-running"))).toMatchObject({
      kind: "not-a-crash",
      why: "not-stopped",
    });
  });

  it("an unknown stop code is not reported as a crash, and says which code it was", () => {
    const event = variantOf("ecs-task-state-change-essential-container-exited", ["detail", "stopCode"], "NewCode");
    expect(classify(event)).toMatchObject({ kind: "not-a-crash", why: "unrecognized-stop-code", stopCode: "NewCode" });
  });

  it("without a stop code, the essential-exit reason still identifies a crash", () => {
    const event = variantOf("ecs-task-state-change-essential-container-exited", ["detail", "stopCode"], undefined);
    expect(classify(event)).toMatchObject({ kind: "crash", exitCode: 1 });
  });

  it("an essential exit with no exit code at all is a failed start", () => {
    const event = variantOf("ecs-task-state-change-essential-container-exited", ["detail", "containers", 0], {
      name: "FargateApp",
      lastStatus: "STOPPED",
      reason: "CannotStartContainerError: Error response from daemon: failed to create shim task",
    });
    expect(classify(event)).toEqual({
      kind: "failed-to-start",
      container: "FargateApp",
      reason: "CannotStartContainerError: Error response from daemon: failed to create shim task",
    });
  });

  it("told the essential containers, blames the essential one, not a sidecar stopped along with it", () => {
    const event = variantOf(
      "ecs-task-state-change-essential-container-exited",
      ["detail", "containers"],
      [
        { name: "log-router", lastStatus: "STOPPED", exitCode: 143 },
        { name: PHOENIX_APP.containerName, lastStatus: "STOPPED", exitCode: 1 },
      ],
    );
    // The event does not say which containers are essential: untold, the first non-zero exit is blamed.
    expect(classify(event)).toMatchObject({ kind: "crash", container: "log-router", exitCode: 143 });
    expect(classify(event, [PHOENIX_APP.containerName])).toMatchObject({
      kind: "crash",
      container: PHOENIX_APP.containerName,
      exitCode: 1,
    });
  });
});
