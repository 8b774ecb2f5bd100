import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { GitHubStandIn } from "@phoenix/github-stand-in";
import { PHOENIX_APP } from "@phoenix/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../../test-support/moto.js";
import { createCloudWatchLogReader } from "../../../src/adapters/aws/cloudwatch-log-reader.js";
import { EmbeddedLedger } from "../../../src/adapters/ledger/embedded-ledger.js";
import type { EventLabels } from "../../../src/domain/events/environment-labels.js";
import {
  CrashIssueHandler,
  type CrashIssueHandlerDeps,
} from "../../../src/domain/notifications/crash-issue-handler.js";
import { awsFixture } from "../../support/aws-fixtures.js";
import {
  environmentScopes,
  ISSUES_FAILING_WITH_502,
  RecordingLogger,
  STAGING,
} from "../../support/environment-scopes.js";

// Documented ECS examples and their stopped-task variants; each file's `source` says where it came from.
type TaskEvent = {
  id: string;
  detail: {
    taskArn: string;
    version: number;
    group?: string;
    containers: { name: string; exitCode?: number; image?: string; imageDigest?: string }[];
  };
};
const fixture = (name: string): TaskEvent => awsFixture(name) as unknown as TaskEvent;

const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const taskArn = (taskId: string) => `arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/${taskId}`;
const newTaskId = () => randomUUID().replace(/-/g, "");

/** A documented stopped-task example with its own task, as several tasks of one service would send. */
const stoppedTask = (name: string, taskId = newTaskId()): TaskEvent => {
  const event = fixture(name);
  event.id = randomUUID();
  event.detail.taskArn = taskArn(taskId);
  return event;
};
/** The guide's "essential container exited" example as the Phoenix service runs it. */
const phoenixCrash = (taskId: string, exitCode = 1, version = 6): TaskEvent => {
  const event = stoppedTask("ecs-task-state-change-essential-container-exited", taskId);
  event.detail.version = version;
  event.detail.group = "service:phoenix-staging";
  const [container] = event.detail.containers;
  if (!container) throw new Error("fixture has no container");
  container.name = PHOENIX_APP.containerName;
  container.exitCode = exitCode;
  container.image = `111122223333.dkr.ecr.us-west-2.amazonaws.com/phoenix:${SHA}`;
  return event;
};
// What the app logs on GET /crash (pino, error level) just before it exits.
const crashLine = (host: string) =>
  JSON.stringify({ level: 50, time: Date.now(), pid: 7, hostname: host, msg: PHOENIX_APP.crashLogLine });
const streamOf = (taskId: string, container: string = PHOENIX_APP.containerName) =>
  `${PHOENIX_APP.logStreamPrefix}/${container}/${taskId}`;
const NON_CRASHES = [
  "ecs-task-state-change-clean-exit",
  "ecs-task-state-change-deployment-replacement",
  "ecs-task-state-change-scale-in",
  "ecs-task-state-change-spot-interruption",
  "ecs-task-state-change-termination-notice",
  "ecs-task-state-change-user-initiated",
  "ecs-task-state-change-running",
];

describe("stopped ECS tasks become crash issues (moto logs, GitHub stand-in)", () => {
  let dir: string;
  let github: GitHubStandIn;
  let logsClient: CloudWatchLogsClient;
  let logGroupName: string;
  let deps: CrashIssueHandlerDeps;
  let handler: ReturnType<typeof labelledAs>;
  let logger: RecordingLogger;
  /** The handler, given each event with the staging labels (as the ops bus labels them). */
  const labelledAs = (crashes: CrashIssueHandler, labels: EventLabels = STAGING) => ({
    handle: (event: unknown) => crashes.handle({ labels, event }),
  });

  const putLogs = async (logStreamName: string, lines: readonly string[]) => {
    await logsClient.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
    const start = Date.now() - 10 * 60_000;
    await logsClient.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName,
        logEvents: lines.map((message, i) => ({ timestamp: start + i * 1000, message })),
      }),
    );
  };
  const crashedTask = async (exitCode = 1, host = "ip-10-0-0-1") => {
    const taskId = newTaskId();
    await putLogs(streamOf(taskId), ["listening on :3000", "GET /crash", crashLine(host)]);
    return phoenixCrash(taskId, exitCode);
  };
  const writes = () => github.requests.filter((r) => r.method !== "GET");

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "phoenix-crash-"));
    github = new GitHubStandIn();
    logsClient = new CloudWatchLogsClient(motoClientConfig());
    // moto keeps log groups for the life of the server, across test runs.
    logGroupName = `/phoenix/test/${randomUUID().slice(0, 8)}`;
    await logsClient.send(new CreateLogGroupCommand({ logGroupName }));
    logger = new RecordingLogger();
    deps = {
      ledger: new EmbeddedLedger(join(dir, "ledger.json")),
      // This test's own log group stands for the environment's (the flow test reads the real one).
      scopes: environmentScopes(github, {
        sources: { logs: () => createCloudWatchLogReader(logsClient, { region: "us-west-2", logGroupName }) },
      }),
      policy: { label: "ops:crash", commentIntervalMs: 60 * 60_000 },
      storm: { maxNewIssues: 10, windowSeconds: 3600 },
      now: () => new Date(),
      pause: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
      logger,
    };
    handler = labelledAs(new CrashIssueHandler(deps));
  });
  afterEach(() => {
    github.assertClean();
    // Crash issues stay open for a person to close: the bot never changes an issue's state.
    const stateChanges = github.requests.filter((r) => (r.body as { state?: unknown } | undefined)?.state);
    expect(stateChanges).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens an issue carrying exactly the last 50 of the task's 80 log lines, the crash line and the commit", async () => {
    const taskId = newTaskId();
    const crash = crashLine("ip-10-0-0-139");
    const lines = Array.from({ length: 80 }, (_, i) => (i === 76 ? crash : `GET /items/${i} 200 line-${i}`));
    await putLogs(streamOf(taskId), lines);

    expect(await handler.handle(phoenixCrash(taskId))).toBe("opened");

    const [issue, ...others] = [...github.issues.values()];
    expect(others).toEqual([]);
    expect(issue?.title).toBe(`Crash: app exited 1 — ${PHOENIX_APP.crashLogLine}`);
    expect(issue?.labels).toEqual(["ops:crash"]);
    const body = issue?.body ?? "";
    const block = body.slice(body.indexOf("```text\n") + "```text\n".length, body.indexOf("\n```\n\n### Links"));
    expect(block.split("\n")).toEqual(lines.slice(30));
    expect(block).toContain(crash);
    expect(body).toContain(`| Last error line | \`${PHOENIX_APP.crashLogLine}\` |`);
    expect(body).toContain(`https://github.com/octo-org/phoenix/commit/${SHA}`);
    expect(body).toContain("| Occurrences | 1 |");
    expect(body).toMatch(/^<!-- phoenix-ops:crash:[0-9a-f]{16} -->\n/);
  });

  it.each(NON_CRASHES)("sends no GitHub request for %s", async (name) => {
    expect(await handler.handle(stoppedTask(name))).toMatch(/^ignored:/);
    expect(github.requests).toEqual([]);
  });

  it("reports failing to start and failing health checks as their own kinds, one issue each", async () => {
    const outcomes = [];
    for (const name of [
      "ecs-task-state-change-failed-to-start",
      "ecs-task-state-change-elb-health-check",
      "ecs-task-state-change-container-health-check",
    ]) {
      outcomes.push(await handler.handle(stoppedTask(name)));
    }
    expect(outcomes).toEqual(["opened", "opened", "opened"]);
    const titles = [...github.issues.values()].map((issue) => issue.title);
    expect(titles[0]).toMatch(/^Failed to start: FargateApp — CannotPullContainerError: /);
    expect(titles[1]).toMatch(/^Failed load balancer health checks: FargateApp — Task failed ELB health checks in /);
    expect(titles[2]).toBe("Failed container health checks: FargateApp — Task failed container health checks");
    expect(github.issues.get(1)?.body).toContain("| Kind | failed to start |");
    expect(github.issues.get(1)?.body).toContain("_No log lines in `phoenix/FargateApp/");
  });

  it("acts once on a redelivered event (same task ARN and version, even under a new event id)", async () => {
    const event = await crashedTask();
    expect(await handler.handle(event)).toBe("opened");
    expect(await handler.handle(event)).toBe("duplicate");
    expect(await handler.handle({ ...event, id: randomUUID() })).toBe("duplicate");
    expect(github.requests.filter((r) => r.operationId === "issues/create")).toHaveLength(1);
    expect(github.issues.get(1)?.body).toContain("| Occurrences | 1 |");
  });

  it("counts a task once when ECS sends its stop again under a higher version", async () => {
    const event = await crashedTask();
    expect(await handler.handle(event)).toBe("opened");
    const again = { ...event, id: randomUUID(), detail: { ...event.detail, version: event.detail.version + 1 } };
    expect(await handler.handle(again)).toBe("already-counted");
    expect(writes()).toHaveLength(1);
  });

  it("updates one issue when two tasks crash the same way", async () => {
    const first = await crashedTask(1, "ip-10-0-0-1");
    const second = await crashedTask(1, "ip-10-0-0-2");
    expect(await handler.handle(first)).toBe("opened");
    expect(await handler.handle(second)).toBe("updated");
    expect(github.issues.size).toBe(1);
    const body = github.issues.get(1)?.body ?? "";
    expect(body).toContain("| Occurrences | 2 |");
    expect(body).toContain(second.detail.taskArn);
    expect(body).not.toContain(first.detail.taskArn);
    // Inside the comment interval: the counter moves, nobody is notified again.
    expect(github.issues.get(1)?.comments).toEqual([]);
  });

  it("opens a second issue for a crash with another exit code", async () => {
    expect(await handler.handle(await crashedTask(1))).toBe("opened");
    expect(await handler.handle(await crashedTask(2))).toBe("opened");
    expect([...github.issues.values()].map((issue) => issue.title)).toEqual([
      `Crash: app exited 1 — ${PHOENIX_APP.crashLogLine}`,
      `Crash: app exited 2 — ${PHOENIX_APP.crashLogLine}`,
    ]);
  });

  it("opens exactly one issue for 10 tasks crashing the same way at once", async () => {
    const events = await Promise.all(Array.from({ length: 10 }, (_, i) => crashedTask(1, `ip-10-0-1-${i}`)));
    const outcomes = await Promise.all(events.map((event) => handler.handle(event)));
    expect(outcomes.filter((o) => o === "opened")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "updated")).toHaveLength(9);
    expect(github.issues.size).toBe(1);
    expect(github.issues.get(1)?.body).toContain("| Occurrences | 10 |");
  });

  it("folds new crash issues beyond the storm limit into their counters", async () => {
    handler = labelledAs(new CrashIssueHandler({ ...deps, storm: { maxNewIssues: 2, windowSeconds: 3600 } }));
    const outcomes = [];
    for (const exitCode of [1, 2, 3, 3]) outcomes.push(await handler.handle(await crashedTask(exitCode)));
    expect(outcomes).toEqual(["opened", "opened", "storm-folded", "storm-folded"]);
    expect(github.issues.size).toBe(2);

    // After the window, the held-back crash gets its issue with every occurrence counted.
    const later = new Date(Date.now() + 3600_000);
    handler = labelledAs(new CrashIssueHandler({ ...deps, now: () => later }));
    expect(await handler.handle(await crashedTask(3))).toBe("opened");
    expect(github.issues.get(3)?.body).toContain("| Occurrences | 3 |");
  });

  it("opens a new issue when a person closed the old one and the crash returns", async () => {
    expect(await handler.handle(await crashedTask())).toBe("opened");
    const closed = github.issues.get(1);
    if (closed) closed.state = "closed"; // a person closed it on GitHub
    expect(await handler.handle(await crashedTask())).toBe("opened");
    expect(github.issues.get(2)?.body).toContain("Seen before in #1, which was closed.");
    expect(await handler.handle(await crashedTask())).toBe("updated");
    expect(github.issues.get(2)?.body).toContain("Seen before in #1, which was closed.");
    expect(github.issues.get(1)?.state).toBe("closed");
  });

  it("finds the commit of an image pinned by digest through the registry's tags", async () => {
    const digest = `sha256:${"c".repeat(64)}`;
    const asked: unknown[] = [];
    handler = labelledAs(
      new CrashIssueHandler({
        ...deps,
        imageTags: {
          tagsOf: async (image) => {
            asked.push(image);
            return ["latest", SHA];
          },
        },
      }),
    );
    const event = await crashedTask();
    const [container] = event.detail.containers;
    if (container) container.image = `111122223333.dkr.ecr.us-west-2.amazonaws.com/phoenix@${digest}`;
    expect(await handler.handle(event)).toBe("opened");
    expect(asked).toEqual([
      { registry: "111122223333.dkr.ecr.us-west-2.amazonaws.com", repository: "phoenix", digest },
    ]);
    expect(github.issues.get(1)?.body).toContain(`https://github.com/octo-org/phoenix/commit/${SHA}`);
  });

  it("does the work on the sender's retry when GitHub failed the first attempt", async () => {
    const event = await crashedTask();
    const failing = labelledAs(
      new CrashIssueHandler({
        ...deps,
        scopes: environmentScopes(github, { sources: { issues: () => ISSUES_FAILING_WITH_502 } }),
      }),
    );
    await expect(failing.handle(event)).rejects.toThrow("502");
    expect(await handler.handle(event)).toBe("opened");
    expect(github.issues.size).toBe(1);
  });

  it("opens the issue in the labelled repository, its commit link pointing there", async () => {
    const shop: EventLabels = { environment: "production", repository: { owner: "octo-shop", repo: "storefront" } };
    handler = labelledAs(
      new CrashIssueHandler({
        ...deps,
        scopes: environmentScopes(github, {
          configs: { "octo-shop/storefront": { environments: { production: { region: "us-west-2" } } } },
          sources: { logs: () => createCloudWatchLogReader(logsClient, { region: "us-west-2", logGroupName }) },
        }),
      }),
      shop,
    );
    expect(await handler.handle(await crashedTask())).toBe("opened");
    const created = github.requests.filter((r) => r.operationId === "issues/create");
    expect(created.map((r) => r.path)).toEqual(["/repos/octo-shop/storefront/issues"]);
    expect(github.issues.get(1)?.body).toContain(`https://github.com/octo-shop/storefront/commit/${SHA}`);
  });

  it("keeps crashes of two repositories' same-named services apart", async () => {
    const shop: EventLabels = { environment: "staging", repository: { owner: "octo-shop", repo: "storefront" } };
    const scopes = environmentScopes(github, {
      configs: {
        "octo-org/phoenix": { environments: { staging: { region: "us-west-2" } } },
        "octo-shop/storefront": { environments: { staging: { region: "us-west-2" } } },
      },
      sources: { logs: () => createCloudWatchLogReader(logsClient, { region: "us-west-2", logGroupName }) },
    });
    const crashes = new CrashIssueHandler({ ...deps, scopes });
    expect(await labelledAs(crashes).handle(await crashedTask())).toBe("opened");
    expect(await labelledAs(crashes, shop).handle(await crashedTask())).toBe("opened");
    expect(github.requests.filter((r) => r.operationId === "issues/create").map((r) => r.path)).toEqual([
      "/repos/octo-org/phoenix/issues",
      "/repos/octo-shop/storefront/issues",
    ]);
  });

  it("ignores, with a warning, a crash whose labelled environment the repository's ops config does not define", async () => {
    const qa: EventLabels = { ...STAGING, environment: "qa" };
    expect(await labelledAs(new CrashIssueHandler(deps), qa).handle(await crashedTask())).toBe(
      "ignored:unknown-environment",
    );
    expect(github.requests).toEqual([]);
    expect(logger.warnings()).toEqual([expect.stringMatching(/no such environment/)]);
  });
});
