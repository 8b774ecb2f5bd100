import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitHubStandIn } from "@phoenix/github-stand-in";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EmbeddedLedger } from "../../../src/adapters/ledger/embedded-ledger.js";
import type { AlarmStateChange } from "../../../src/domain/events/cloudwatch-alarm.js";
import { AlarmIssueHandler, type AlarmNotification } from "../../../src/domain/notifications/alarm-issue-handler.js";
import type { LogSource } from "../../../src/domain/notifications/environment-scope.js";
import type { LogReader } from "../../../src/ports/log-reader.js";
import type { MetricReader } from "../../../src/ports/metric-reader.js";
import type { ServiceTarget } from "../../../src/ports/service-target.js";
import {
  environmentScopes,
  ISSUES_FAILING_WITH_502,
  REPOSITORY,
  RecordingLogger,
  STAGING,
} from "../../support/environment-scopes.js";

// Evidence readers are in-process doubles here; the CloudWatch adapters have their own tests.
const metrics: MetricReader = {
  lastHour: async (_query, end) => [{ at: new Date(end.getTime() - 60_000), value: 97.5 }],
};
const logs: LogReader = {
  around: async () => ({ lines: ["GET /generatecert 200 131ms"], streams: [] }),
  tailOfStream: async () => ({ lines: [], streams: [] }),
};

const alarmChange = (
  newState: AlarmStateChange["newState"],
  oldState: AlarmStateChange["oldState"],
  alarmName = "phoenix-staging-cpu-high",
): AlarmStateChange => ({
  alarmName,
  alarmArn: `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${alarmName}`,
  accountId: "111122223333",
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

const LABELS = {
  cpu: "ops:cpu",
  "target-5xx": "ops:5xx",
  "lb-5xx": "ops:lb-5xx",
  "unhealthy-hosts": "ops:unhealthy",
} as const;

const labelled = (deliveryKey: string, change: AlarmStateChange): AlarmNotification => ({
  deliveryKey,
  origin: { labels: STAGING },
  change,
});

describe("alarm notifications become one GitHub issue per alarm", () => {
  let dir: string;
  let github: GitHubStandIn;
  let handler: AlarmIssueHandler;
  let handlerDeps: () => ConstructorParameters<typeof AlarmIssueHandler>[0];
  let logger: RecordingLogger;
  let now: Date;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "phoenix-alarm-"));
    github = new GitHubStandIn();
    now = new Date("2026-11-26T10:30:00Z");
    logger = new RecordingLogger();
    const ledger = new EmbeddedLedger(join(dir, "ledger.json"));
    handlerDeps = () => ({
      ledger,
      scopes: environmentScopes(github, { sources: { logs: () => logs, metrics: () => metrics } }),
      policy: { labels: LABELS, commentIntervalMs: 15 * 60_000, closeOnOk: true },
      storm: { maxNewIssues: 5, windowSeconds: 3600 },
      now: () => now,
      pause: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
      logger,
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
        handler.handle(labelled(`eventbridge:msg-${i}`, alarmChange("ALARM", "OK"))),
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

  it("acts once on a redelivered notification (same event id)", async () => {
    const notification = labelled("eventbridge:same", alarmChange("ALARM", "OK"));
    expect(await handler.handle(notification)).toBe("opened");
    expect(await handler.handle(notification)).toBe("duplicate");
    expect(github.requests.filter((r) => r.operationId === "issues/create")).toHaveLength(1);
  });

  it("does the work on the sender's retry when GitHub failed the first attempt", async () => {
    const notification = labelled("eventbridge:flaky", alarmChange("ALARM", "OK"));
    const failingOnce = new AlarmIssueHandler({
      ...handlerDeps(),
      scopes: environmentScopes(github, { sources: { issues: () => ISSUES_FAILING_WITH_502 } }),
    });
    await expect(failingOnce.handle(notification)).rejects.toThrow("502");
    expect(await handler.handle(notification)).toBe("opened");
    expect(github.issues.size).toBe(1);
  });

  it("closes the issue with a comment when the alarm returns to OK", async () => {
    await handler.handle(labelled("eventbridge:1", alarmChange("ALARM", "OK")));
    expect(await handler.handle(labelled("eventbridge:2", alarmChange("OK", "ALARM")))).toBe("resolved");
    const issue = [...github.issues.values()][0];
    expect(issue?.state).toBe("closed");
    expect(issue?.comments.at(-1)?.body).toMatch(/^Recovered:/);
  });

  it("folds new issues beyond the storm limit into a counter instead of opening them", async () => {
    const outcomes = [];
    for (let i = 0; i < 8; i++) {
      outcomes.push(
        await handler.handle(labelled(`eventbridge:${i}`, alarmChange("ALARM", "OK", `phoenix-staging-cpu-high-${i}`))),
      );
    }
    expect(outcomes.filter((o) => o === "opened")).toHaveLength(5);
    expect(outcomes.filter((o) => o === "storm-folded")).toHaveLength(3);
    expect(github.issues.size).toBe(5);
  });

  it("opens each kind of service alarm as an issue of its own kind, title and label", async () => {
    const kinds = [
      ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "phoenix-staging-http-5xx", "5xx from the app", "ops:5xx"],
      [
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        "phoenix-staging-elb-5xx",
        "5xx from the load balancer",
        "ops:lb-5xx",
      ],
      [
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        "phoenix-staging-unhealthy-hosts",
        "Unhealthy tasks",
        "ops:unhealthy",
      ],
    ] as const;
    for (const [namespace, name, alarmName] of kinds) {
      const change = alarmChange("ALARM", "OK", alarmName);
      const metric = { ...change.metric, namespace, name } as AlarmStateChange["metric"];
      expect(await handler.handle(labelled(`eventbridge:${alarmName}`, { ...change, metric }))).toBe("opened");
    }
    const opened = [...github.issues.values()].map((issue) => [issue.title, issue.labels]);
    expect(opened).toEqual(kinds.map(([, , alarmName, title, label]) => [`${title}: ${alarmName} in ALARM`, [label]]));
  });

  it("opens the issue in the repository the labels name, reading evidence in that environment's account", async () => {
    const shop = { owner: "octo-shop", repo: "storefront" };
    const reads: { logs: LogSource[]; metrics: ServiceTarget[] } = { logs: [], metrics: [] };
    const roleArn = "arn:aws:iam::444455556666:role/phoenix-production-deployer";
    const shopHandler = new AlarmIssueHandler({
      ...handlerDeps(),
      scopes: environmentScopes(github, {
        configs: { "octo-shop/storefront": { environments: { production: { region: "eu-central-1", roleArn } } } },
        sources: {
          logs: (source) => {
            reads.logs.push(source);
            return logs;
          },
          metrics: (target) => {
            reads.metrics.push(target);
            return metrics;
          },
        },
      }),
    });
    const change = alarmChange("ALARM", "OK", "phoenix-production-cpu-high");
    const outcome = await shopHandler.handle({
      deliveryKey: "eventbridge:shop",
      origin: { labels: { environment: "production", repository: shop } },
      change,
    });

    expect(outcome).toBe("opened");
    const created = github.requests.filter((r) => r.operationId === "issues/create");
    expect(created.map((r) => r.path)).toEqual(["/repos/octo-shop/storefront/issues"]);
    const target = {
      region: "eu-central-1",
      cluster: "phoenix-production",
      service: "phoenix-production-web",
      roleArn,
    };
    expect(reads.logs).toEqual([{ target: expect.objectContaining(target), logGroup: "/phoenix/phoenix/production" }]);
    expect(reads.metrics).toEqual([expect.objectContaining(target)]);
    expect([...github.issues.values()][0]?.body).toContain("| Environment | `production` |");
  });

  it("ignores, with a warning, an alarm whose labelled environment the repository's ops config does not define", async () => {
    const outcome = await handler.handle({
      deliveryKey: "eventbridge:unknown",
      origin: { labels: { environment: "qa", repository: REPOSITORY } },
      change: alarmChange("ALARM", "OK", "phoenix-qa-cpu-high"),
    });
    expect(outcome).toBe("ignored:unknown-environment");
    expect(github.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(logger.warnings()).toEqual([expect.stringMatching(/no such environment/)]);
    expect(logger.entries[0]?.fields).toMatchObject({ environment: "qa", why: expect.stringMatching(/"qa"/) });
  });

  it("ignores, with a warning, an alarm of no service kind (the bot's own errors alarm)", async () => {
    const change = alarmChange("ALARM", "OK", "phoenix-ops-bot-errors");
    const metric = { ...change.metric, namespace: "AWS/Lambda", name: "Errors" } as AlarmStateChange["metric"];
    expect(await handler.handle(labelled("eventbridge:bot", { ...change, metric }))).toBe("ignored:unknown-alarm-kind");
    expect(github.requests).toEqual([]);
    expect(logger.warnings()).toEqual([expect.stringMatching(/not one of the service's alarms/)]);
  });

  it("finds the environment of an unlabelled (SNS) alarm by its name among the repository's environments", async () => {
    const named = (deliveryKey: string, alarmName: string): AlarmNotification => ({
      deliveryKey,
      origin: { namedIn: REPOSITORY },
      change: alarmChange("ALARM", "OK", alarmName),
    });
    expect(await handler.handle(named("sns:1", "phoenix-staging-cpu-high"))).toBe("opened");
    expect(await handler.handle(named("sns:2", "phoenix-production-cpu-high"))).toBe("ignored:unknown-environment");
    expect(await handler.handle(named("sns:3", "someone-elses-alarm"))).toBe("ignored:unknown-environment");
    expect(github.issues.size).toBe(1);
  });

  it("keeps one issue for an alarm whether it came labelled by EventBridge or by name through SNS", async () => {
    expect(await handler.handle(labelled("eventbridge:a", alarmChange("ALARM", "OK")))).toBe("opened");
    const bySns = { deliveryKey: "sns:b", origin: { namedIn: REPOSITORY }, change: alarmChange("ALARM", "OK") };
    expect(await handler.handle(bySns)).toBe("updated");
    expect(github.issues.size).toBe(1);
  });
});
