import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitHubStandIn } from "@phoenix/github-stand-in";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOctokitIssueTracker } from "../../../src/adapters/github/octokit-issue-tracker.js";
import { EmbeddedLedger } from "../../../src/adapters/ledger/embedded-ledger.js";
import type { AlarmChange } from "../../../src/domain/notifications/alarm-issue.js";
import { AlarmIssueHandler, type AlarmNotification } from "../../../src/domain/notifications/alarm-issue-handler.js";
import type { LogReader } from "../../../src/ports/log-reader.js";
import type { MetricReader } from "../../../src/ports/metric-reader.js";
import { octokitFor } from "../../support/octokit-for.js";

// Evidence readers are in-process doubles here; the CloudWatch adapters have their own tests.
const metrics: MetricReader = {
  lastHour: async (_query, end) => [{ at: new Date(end.getTime() - 60_000), value: 97.5 }],
};
const logs: LogReader = {
  around: async () => ({ lines: ["GET /generatecert 200 131ms"], streams: [] }),
  tailOfStream: async () => ({ lines: [], streams: [] }),
};

const alarmChange = (
  newState: AlarmChange["newState"],
  oldState: AlarmChange["oldState"],
): AlarmNotification["change"] => ({
  alarmName: "phoenix-staging-cpu-high",
  region: "eu-west-1",
  newState,
  oldState,
  reason: "Threshold Crossed: 1 datapoint [97.5] was greater than the threshold (80.0).",
  changedAt: new Date("2026-11-26T10:29:00Z"),
  threshold: 80,
  comparisonOperator: "GreaterThanThreshold",
  metric: {
    namespace: "AWS/ECS",
    name: "CPUUtilization",
    dimensions: { ClusterName: "c", ServiceName: "s" },
    statistic: "Maximum",
    periodSeconds: 60,
  },
});

describe("CPU alarm notifications become one GitHub issue", () => {
  let dir: string;
  let github: GitHubStandIn;
  let handler: AlarmIssueHandler;
  let handlerDeps: () => ConstructorParameters<typeof AlarmIssueHandler>[0];
  let issues: ReturnType<typeof createOctokitIssueTracker>;
  let now: Date;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "phoenix-alarm-"));
    github = new GitHubStandIn();
    now = new Date("2026-11-26T10:30:00Z");
    const ledger = new EmbeddedLedger(join(dir, "ledger.json"));
    issues = createOctokitIssueTracker(octokitFor(github), { owner: "octo-org", repo: "phoenix" });
    handlerDeps = () => ({
      ledger,
      issues,
      metrics,
      logs,
      policy: { label: "ops:cpu", commentIntervalMs: 15 * 60_000, closeOnOk: true },
      storm: { maxNewIssues: 5, windowSeconds: 3600 },
      now: () => now,
      pause: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
    });
    handler = new AlarmIssueHandler(handlerDeps());
  });
  afterEach(() => {
    github.assertClean();
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens exactly one issue for 50 concurrent ALARM notifications of one alarm", async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        handler.handle({ deliveryKey: `sns:msg-${i}`, fingerprint: "cpu-fp", change: alarmChange("ALARM", "OK") }),
      ),
    );
    expect(outcomes.filter((o) => o === "opened")).toHaveLength(1);
    expect(outcomes.every((o) => o === "opened" || o === "updated" || o === "coalesced")).toBe(true);
    // Repeats coalesce instead of each queueing for its own GitHub round trip.
    expect(github.requests.filter((r) => r.operationId === "issues/update").length).toBeLessThan(49);
    expect(github.issues.size).toBe(1);
    const issue = [...github.issues.values()][0];
    expect(issue?.labels).toEqual(["ops:cpu"]);
    expect(issue?.body).toContain("| Occurrences | 50 |");
    expect(issue?.body).toContain("line [97.5]");
  });

  it("acts once on a redelivered notification (same SNS MessageId)", async () => {
    const notification = { deliveryKey: "sns:same", fingerprint: "cpu-fp", change: alarmChange("ALARM", "OK") };
    expect(await handler.handle(notification)).toBe("opened");
    expect(await handler.handle(notification)).toBe("duplicate");
    expect(github.requests.filter((r) => r.operationId === "issues/create")).toHaveLength(1);
  });

  it("does the work on the sender's retry when GitHub failed the first attempt", async () => {
    const notification = { deliveryKey: "sns:flaky", fingerprint: "cpu-fp", change: alarmChange("ALARM", "OK") };
    const failingOnce = new AlarmIssueHandler({
      ...handlerDeps(),
      issues: {
        ...issues,
        create: async () => {
          throw new Error("GitHub answered 502");
        },
      },
    });
    await expect(failingOnce.handle(notification)).rejects.toThrow("502");
    expect(await handler.handle(notification)).toBe("opened");
    expect(github.issues.size).toBe(1);
  });

  it("closes the issue with a comment when the alarm returns to OK", async () => {
    await handler.handle({ deliveryKey: "sns:1", fingerprint: "cpu-fp", change: alarmChange("ALARM", "OK") });
    expect(
      await handler.handle({ deliveryKey: "sns:2", fingerprint: "cpu-fp", change: alarmChange("OK", "ALARM") }),
    ).toBe("resolved");
    const issue = [...github.issues.values()][0];
    expect(issue?.state).toBe("closed");
    expect(issue?.comments.at(-1)?.body).toMatch(/^Recovered:/);
  });

  it("folds new issues beyond the storm limit into a counter instead of opening them", async () => {
    const outcomes = [];
    for (let i = 0; i < 8; i++) {
      outcomes.push(
        await handler.handle({
          deliveryKey: `sns:${i}`,
          fingerprint: `alarm-${i}`,
          change: alarmChange("ALARM", "OK"),
        }),
      );
    }
    expect(outcomes.filter((o) => o === "opened")).toHaveLength(5);
    expect(outcomes.filter((o) => o === "storm-folded")).toHaveLength(3);
    expect(github.issues.size).toBe(5);
  });
});
