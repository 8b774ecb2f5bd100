import { PHOENIX_APP } from "@phoenix/shared";
import { describe, expect, it } from "vitest";
import { type EcsTaskStateChange, parseEcsTaskStateChange } from "../../../src/domain/events/ecs-task-state-change.js";
import { classifyStoppedTask } from "../../../src/domain/notifications/classify-stopped-task.js";
import {
  type CrashEvidence,
  type CrashIssueRecord,
  crashIdentityOf,
  decideCrashIssue,
  lastErrorLine,
  type StoppedTask,
  signatureLineOf,
  stoppedTaskOf,
} from "../../../src/domain/notifications/crash-issue.js";
import { crashFingerprint } from "../../../src/domain/notifications/fingerprints.js";
import { imageCommit } from "../../../src/domain/notifications/image-commit.js";
import { awsFixture } from "../../support/aws-fixtures.js";

// Documented ECS examples and their stopped-task variants; each file's `source` says where it came from.
const fixture = (name: string): EcsTaskStateChange => parseEcsTaskStateChange(awsFixture(name));

const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const receivedAt = new Date("2020-01-23T18:20:14Z");
const stopOf = (name: string, edit: (event: EcsTaskStateChange) => void = () => {}): StoppedTask => {
  const event = fixture(name);
  edit(event);
  const classification = classifyStoppedTask(event);
  if (classification.kind === "not-a-crash") throw new Error(`${name} is not a crash`);
  return stoppedTaskOf(event, classification, receivedAt);
};
// The guide's example as the Phoenix service runs it: container "app", image tagged with a commit sha.
const phoenixCrash = (edit: (event: EcsTaskStateChange) => void = () => {}) =>
  stopOf("ecs-task-state-change-essential-container-exited", (event) => {
    const container = event.detail.containers[0];
    if (!container) throw new Error("fixture has no container");
    container.name = PHOENIX_APP.containerName;
    container.image = `111122223333.dkr.ecr.us-west-2.amazonaws.com/phoenix:${SHA}`;
    event.detail.group = "service:phoenix-staging";
    edit(event);
  });

const pinoCrash = JSON.stringify({
  level: 50,
  time: 1579803581884,
  pid: 7,
  hostname: "ip-10-0-0-139",
  reqId: "req-1",
  msg: PHOENIX_APP.crashLogLine,
});
const evidenceFor = (stop: StoppedTask, logLines: readonly string[] = ["GET /crash", pinoCrash]): CrashEvidence => ({
  logStream: `phoenix/${stop.container}/${stop.taskId}`,
  logLines,
  logLinks: ["[phoenix/app/c13b](https://console.example/log)"],
  signatureLine: signatureLineOf(stop, logLines),
  commit: imageCommit({ reference: stop.image }, { owner: "octo-org", repo: "phoenix" }),
});
const policy = { label: "ops:crash", commentIntervalMs: 60 * 60_000 };
const now = new Date("2020-01-23T18:21:00Z");
const openRecord: CrashIssueRecord = {
  issueNumber: 7,
  open: true,
  occurrences: 2,
  firstSeenAt: "2020-01-23T17:00:00.000Z",
  lastSeenAt: "2020-01-23T18:00:00.000Z",
  lastCommentAt: "2020-01-23T17:00:00.000Z", // more than an hour before `now`: a comment is due
  recentTaskArns: ["arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/0000000000000000000000000000000a"],
};
const decide = (stop: StoppedTask, record?: CrashIssueRecord, evidence = evidenceFor(stop)) =>
  decideCrashIssue({ stop, fingerprint: "fp12", record, policy, evidence, now });

describe("crash → GitHub issue decisions", () => {
  it("opens a labelled issue with marker, kind, exit code, stop reason, task, commit, counts and logs", () => {
    const stop = phoenixCrash();
    const action = decide(stop);
    expect(action.kind).toBe("open");
    if (action.kind !== "open") return;
    expect(action.title).toBe(`Crash: app exited 1 — ${PHOENIX_APP.crashLogLine}`);
    expect(action.labels).toEqual(["ops:crash"]);
    const body = action.body;
    expect(body.split("\n")[0]).toBe("<!-- phoenix-ops:crash:fp12 -->");
    expect(body).toContain("| Kind | crash |");
    expect(body).toContain("| Service | `phoenix-staging` |");
    expect(body).toContain("| Container | `app` |");
    expect(body).toContain("| Exit code | 1 |");
    expect(body).toContain("| Stop code | `EssentialContainerExited` |");
    expect(body).toContain("| Stopped reason | `Essential container in task exited` |");
    expect(body).toContain("arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad");
    expect(body).toContain("/ecs/v2/clusters/FargateCluster/tasks/c13b4cb40f1f4fe4a2971f76ae5a47ad/configuration");
    expect(body).toContain(`[3f786850e387](https://github.com/octo-org/phoenix/commit/${SHA})`);
    expect(body).toContain("| Occurrences | 1 |");
    expect(body).toContain("| First seen | 2020-01-23T18:20:13.305Z |");
    expect(body).toContain(`\`\`\`text\nGET /crash\n${pinoCrash}\n\`\`\``);
    expect(body).toContain("/ecs/v2/clusters/FargateCluster/services/phoenix-staging/health");
    expect(action.record(12)).toMatchObject({ issueNumber: 12, open: true, occurrences: 1 });
  });

  it("names each kind in the title: OOM-killed, failed to start, failed health checks", () => {
    const title = (name: string) => {
      const stop = stopOf(name);
      const action = decide(stop, undefined, evidenceFor(stop, []));
      return action.kind === "open" ? action.title : action.kind;
    };
    expect(title("ecs-task-state-change-oom-killed")).toBe(
      "Crash: FargateApp OOM-killed (exit 137) — OutOfMemoryError: Container killed due to memory usage",
    );
    expect(title("ecs-task-state-change-failed-to-start")).toMatch(
      /^Failed to start: FargateApp — CannotPullContainerError: pull image manifest has been retried 5 time\(s\).{0,60}…$/,
    );
    expect(title("ecs-task-state-change-elb-health-check")).toMatch(
      /^Failed load balancer health checks: FargateApp — Task failed ELB health checks in \(target-group/,
    );
    expect(title("ecs-task-state-change-container-health-check")).toBe(
      "Failed container health checks: FargateApp — Task failed container health checks",
    );
  });

  it("updates the open issue's counter, task and logs without commenting inside the interval", () => {
    const stop = phoenixCrash();
    const action = decide(stop, { ...openRecord, lastCommentAt: "2020-01-23T18:00:00.000Z" });
    expect(action).toMatchObject({
      kind: "update",
      issueNumber: 7,
      record: { occurrences: 3, firstSeenAt: openRecord.firstSeenAt, lastSeenAt: "2020-01-23T18:20:13.305Z" },
    });
    if (action.kind !== "update") return;
    expect(action.comment).toBeUndefined();
    expect(action.body).toContain("| Occurrences | 3 |");
    expect(action.body).toContain("| First seen | 2020-01-23T17:00:00.000Z |");
    expect(action.body).toContain(pinoCrash);
    expect(action.record.recentTaskArns.at(-1)).toBe(stop.taskArn);
  });

  it("adds one comment on a repeat once the interval has passed", () => {
    const action = decide(phoenixCrash(), openRecord);
    expect(action).toMatchObject({ kind: "update", comment: expect.stringContaining("Crashed again (occurrence 3)") });
    expect(action.kind === "update" && action.record.lastCommentAt).toBe(now.toISOString());
  });

  it("counts a stopped task once, however many versions of its stop event arrive", () => {
    const stop = phoenixCrash();
    expect(decide(stop, { ...openRecord, recentTaskArns: [stop.taskArn] })).toMatchObject({ kind: "nothing" });
  });

  it("opens a new issue pointing to the old one when a person closed it and the crash returns", () => {
    const action = decide(phoenixCrash(), { ...openRecord, open: false });
    expect(action.kind).toBe("open");
    if (action.kind !== "open") return;
    expect(action.body).toContain("Seen before in #7, which was closed.");
    expect(action.record(8)).toMatchObject({ issueNumber: 8, occurrences: 1 });
  });

  it("carries occurrences that storm control held back into the issue it opens later", () => {
    const heldBack = { ...openRecord, issueNumber: null, open: false };
    const action = decide(phoenixCrash(), heldBack);
    expect(action.kind).toBe("open");
    if (action.kind !== "open") return;
    expect(action.body).toContain("| Occurrences | 3 |");
    expect(action.body).toContain("| First seen | 2020-01-23T17:00:00.000Z |");
    expect(action.record(null)).toMatchObject({ issueNumber: null, open: false, occurrences: 3 });
  });

  it("keeps credentials out of the issue", () => {
    const stop = phoenixCrash();
    const line = "MongoServerError: auth failed for mongodb://phoenix:hunter2@docdb.internal:27017/app";
    const action = decide(stop, undefined, evidenceFor(stop, [line, 'connecting {"password":"hunter2"}']));
    expect(action.kind === "open" && [action.title, action.body].join("\n")).not.toContain("hunter2");
  });

  it("shows an image that is not tagged with a commit as built from an unknown commit", () => {
    const stop = stopOf("ecs-task-state-change-essential-container-exited");
    const action = decide(stop);
    expect(action.kind === "open" && action.body).toContain("| Built from | unknown");
  });
});

describe("the last error line of a stopped task's log", () => {
  const fatal = JSON.stringify({
    level: 60,
    msg: "uncaught exception",
    err: { type: "TypeError", message: "Cannot read properties of undefined (reading 'id')", stack: "…" },
  });

  it("prefers the app's crash line over lines logged after it", () => {
    expect(lastErrorLine(["GET /crash", pinoCrash, '{"level":30,"msg":"closing"}', "bye"], undefined)).toBe(
      PHOENIX_APP.crashLogLine,
    );
  });

  it("takes a pino error line as its message and error", () => {
    expect(lastErrorLine(['{"level":50,"msg":"db down"}', fatal, "Node.js v20.20.0"], undefined)).toBe(
      "uncaught exception: TypeError: Cannot read properties of undefined (reading 'id')",
    );
  });

  it("falls back to a plain-text error, then the container's reason, then the last line", () => {
    const uncaught = [
      "/app/dist/main.js:10",
      "Error: boom",
      "    at main (/app/dist/main.js:10:9)",
      "Node.js v20.20.0",
    ];
    expect(lastErrorLine(uncaught, "reason")).toBe("Error: boom");
    expect(lastErrorLine(['{"level":30,"msg":"ok"}'], "OutOfMemoryError: killed")).toBe("OutOfMemoryError: killed");
    expect(lastErrorLine(["starting", "listening", " "], undefined)).toBe("listening");
    expect(lastErrorLine([], undefined)).toBeUndefined();
  });
});

describe("crash signatures", () => {
  const fingerprintOf = (stop: StoppedTask, lines: readonly string[]) =>
    crashFingerprint(crashIdentityOf(stop, signatureLineOf(stop, lines)), {
      repository: { owner: "octo-org", repo: "phoenix" },
      environment: "staging",
    });
  const line = (at: string, host: string) =>
    JSON.stringify({ level: 50, time: Date.parse(at), hostname: host, msg: PHOENIX_APP.crashLogLine });

  it("is shared by two tasks crashing the same way at different times", () => {
    const first = phoenixCrash();
    const second = phoenixCrash((event) => {
      event.detail.taskArn = "arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/ffffffffffffffffffffffffffffffff";
    });
    expect(fingerprintOf(first, [line("2020-01-23T18:19:41Z", "ip-10-0-0-1")])).toBe(
      fingerprintOf(second, [line("2020-01-24T09:00:00Z", "ip-10-0-0-2")]),
    );
  });

  it("differs by exit code, and by kind for the same line", () => {
    const lines = [pinoCrash];
    const exit2 = phoenixCrash((event) => {
      const container = event.detail.containers[0];
      if (container) container.exitCode = 2;
    });
    expect(fingerprintOf(phoenixCrash(), lines)).not.toBe(fingerprintOf(exit2, lines));
    const oom = stopOf("ecs-task-state-change-oom-killed");
    const crash137 = stopOf("ecs-task-state-change-essential-container-exited", (event) => {
      const container = event.detail.containers[0];
      if (container) container.exitCode = 137;
    });
    expect(fingerprintOf(oom, lines)).not.toBe(fingerprintOf(crash137, lines));
  });

  it("groups health-check kills by the check, whatever their exit code and logs", () => {
    const killed = stopOf("ecs-task-state-change-elb-health-check");
    const killedLater = stopOf("ecs-task-state-change-elb-health-check", (event) => {
      const container = event.detail.containers[0];
      if (container) container.exitCode = 137;
    });
    expect(fingerprintOf(killed, ["GET /health 200"])).toBe(fingerprintOf(killedLater, ["GET / 200 12ms"]));
    expect(fingerprintOf(killed, [])).not.toBe(
      fingerprintOf(stopOf("ecs-task-state-change-container-health-check"), []),
    );
  });
});

describe("image → commit", () => {
  const repository = { owner: "octo-org", repo: "phoenix" };

  it("maps an image tagged with a commit sha to that commit", () => {
    expect(
      imageCommit({ reference: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/phoenix:${SHA}` }, repository),
    ).toEqual({ sha: SHA, url: `https://github.com/octo-org/phoenix/commit/${SHA}` });
    expect(imageCommit({ reference: `localhost:5000/phoenix:${SHA}@sha256:${"a".repeat(64)}` }, repository)?.sha).toBe(
      SHA,
    );
  });

  it("maps an image pinned by digest through the tags its registry holds", () => {
    const reference = `111122223333.dkr.ecr.eu-west-1.amazonaws.com/phoenix@sha256:${"b".repeat(64)}`;
    expect(imageCommit({ reference }, repository)).toBeUndefined();
    expect(imageCommit({ reference, registryTags: ["latest", SHA] }, repository)?.sha).toBe(SHA);
  });

  it("finds no commit for other tags", () => {
    expect(imageCommit({ reference: "hello-repository:latest" }, repository)).toBeUndefined();
    expect(imageCommit({ reference: `phoenix:${SHA.slice(0, 12)}` }, repository)).toBeUndefined();
    expect(imageCommit({ reference: `phoenix:${SHA.toUpperCase()}` }, repository)).toBeUndefined();
    expect(imageCommit({ reference: undefined }, repository)).toBeUndefined();
  });

  it("tells a registry port from a tag", () => {
    // localhost:5000 is a registry, not the image `localhost` tagged 5000 (parsing: @phoenix/shared).
    expect(imageCommit({ reference: `localhost:5000/phoenix:${SHA}` }, repository)?.sha).toBe(SHA);
    expect(imageCommit({ reference: "localhost:5000/phoenix" }, repository)).toBeUndefined();
  });

  it("finds no commit in an image that is not a reference, whatever the event carried", () => {
    expect(imageCommit({ reference: `phoenix:${SHA}@not-a-digest` }, repository)).toBeUndefined();
    expect(imageCommit({ reference: `Phoenix:${SHA}` }, repository)).toBeUndefined();
    expect(imageCommit({ reference: "" }, repository)).toBeUndefined();
  });
});
