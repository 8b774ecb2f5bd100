import { describe, expect, it } from "vitest";
import {
  type AlarmChange,
  type AlarmIssueRecord,
  decideAlarmIssue,
} from "../../../src/domain/notifications/alarm-issue.js";

const policy = {
  labels: { cpu: "ops:cpu", "target-5xx": "ops:5xx", "lb-5xx": "ops:lb-5xx", "unhealthy-hosts": "ops:unhealthy" },
  commentIntervalMs: 15 * 60_000,
  closeOnOk: true,
};
const evidence = { chart: "```mermaid\nxychart-beta\n```", logLines: ["GET /generatecert 200"], logLinks: [] };
const now = new Date("2026-11-26T10:30:00Z");
const alarm = (change: Partial<AlarmChange>): AlarmChange => ({
  alarmName: "phoenix-staging-cpu-high",
  region: "eu-west-1",
  newState: "ALARM",
  oldState: "OK",
  reason: "Threshold Crossed: 1 datapoint [97.5] was greater than the threshold (80.0).",
  changedAt: new Date("2026-11-26T10:29:00Z"),
  threshold: 80,
  comparisonOperator: "GreaterThanThreshold",
  ...change,
});
const openRecord: AlarmIssueRecord = {
  issueNumber: 7,
  open: true,
  occurrences: 2,
  counterBase: 0,
  firstSeenAt: "2026-11-26T10:00:00.000Z",
  lastSeenAt: "2026-11-26T10:20:00.000Z",
  lastCommentAt: "2026-11-26T10:10:00.000Z", // 20 minutes before `now`: a comment is due
};
const decide = (change: AlarmChange, record?: AlarmIssueRecord, policyOverride = {}, alarmCount = 3) =>
  decideAlarmIssue({
    change,
    kind: "cpu",
    environment: "staging",
    fingerprint: "ab12",
    record,
    alarmCount,
    policy: { ...policy, ...policyOverride },
    evidence,
    now,
  });

describe("alarm → GitHub issue decisions", () => {
  it("titles and labels the issue for the alarm's kind", () => {
    const opened = (["cpu", "target-5xx", "lb-5xx", "unhealthy-hosts"] as const).map((kind) => {
      const action = decideAlarmIssue({
        change: alarm({ alarmName: "a" }),
        kind,
        environment: "staging",
        fingerprint: "ab12",
        record: undefined,
        alarmCount: 1,
        policy,
        evidence,
        now,
      });
      return action.kind === "open" ? [action.title, action.labels] : action.kind;
    });
    expect(opened).toEqual([
      ["CPU peak: a in ALARM", ["ops:cpu"]],
      ["5xx from the app: a in ALARM", ["ops:5xx"]],
      ["5xx from the load balancer: a in ALARM", ["ops:lb-5xx"]],
      ["Unhealthy tasks: a in ALARM", ["ops:unhealthy"]],
    ]);
  });

  it("opens one labelled issue carrying a hidden fingerprint marker, the threshold, reason, chart and logs", () => {
    const action = decide(alarm({}), undefined, {}, 1);
    expect(action.kind).toBe("open");
    if (action.kind !== "open") return;
    expect(action.labels).toEqual(["ops:cpu"]);
    expect(action.body).toContain("<!-- phoenix-ops:alarm:ab12 -->");
    expect(action.body).toContain("GreaterThanThreshold 80");
    expect(action.body).toContain("1 datapoint [97.5]");
    expect(action.body).toContain("xychart-beta");
    expect(action.body).toContain("GET /generatecert 200");
    expect(action.body).toContain("#alarmsV2:alarm/phoenix-staging-cpu-high");
    expect(action.record(12)).toMatchObject({ issueNumber: 12, open: true, occurrences: 1 });
  });

  it("updates the open issue's counter on a repeat ALARM without commenting inside the interval", () => {
    const action = decide(alarm({}), { ...openRecord, lastCommentAt: "2026-11-26T10:25:00.000Z" });
    expect(action).toMatchObject({ kind: "update", issueNumber: 7, record: { occurrences: 3 } });
    expect(action.kind === "update" ? action.comment : "not an update").toBeUndefined();
    expect(action.kind === "update" && action.body).toContain("| Occurrences | 3 |");
  });

  it("adds one comment on a repeat ALARM once the interval has passed", () => {
    const action = decide(alarm({}), openRecord);
    expect(action).toMatchObject({ kind: "update", comment: expect.stringContaining("occurrence 3") });
    expect(action.kind === "update" && action.record.lastCommentAt).toBe(now.toISOString());
  });

  it("opens a new issue when the alarm fires again after its issue was closed, counting only what came since", () => {
    const action = decide(alarm({}), { ...openRecord, open: false }, {}, 3);
    expect(action.kind).toBe("open");
    expect(action.kind === "open" && action.record(9)).toMatchObject({ counterBase: 2, occurrences: 1 });
  });

  it("counts occurrences that were coalesced into this delivery", () => {
    const action = decide(alarm({}), { ...openRecord, lastCommentAt: now.toISOString() }, {}, 50);
    expect(action).toMatchObject({ kind: "update", record: { occurrences: 50 } });
  });

  it("comments and closes on OK after ALARM", () => {
    const action = decide(
      alarm({ newState: "OK", oldState: "ALARM", reason: "Threshold Crossed: back below" }),
      openRecord,
    );
    expect(action).toMatchObject({ kind: "resolve", issueNumber: 7, close: true, record: { open: false } });
  });

  it("only comments on OK after ALARM when closing is turned off", () => {
    const action = decide(alarm({ newState: "OK", oldState: "ALARM" }), openRecord, { closeOnOk: false });
    expect(action).toMatchObject({ kind: "resolve", close: false, record: { open: true } });
  });

  it("does nothing on OK after INSUFFICIENT_DATA", () => {
    expect(decide(alarm({ newState: "OK", oldState: "INSUFFICIENT_DATA" }), openRecord).kind).toBe("nothing");
  });

  it("does nothing on INSUFFICIENT_DATA, and nothing on OK without an open issue", () => {
    expect(decide(alarm({ newState: "INSUFFICIENT_DATA" }), openRecord).kind).toBe("nothing");
    expect(decide(alarm({ newState: "OK", oldState: "ALARM" })).kind).toBe("nothing");
  });

  it("cannot be tricked into breaking the log block by a log line holding a code fence", () => {
    const action = decideAlarmIssue({
      change: alarm({}),
      kind: "cpu",
      environment: "staging",
      fingerprint: "ab12",
      record: undefined,
      alarmCount: 1,
      policy,
      evidence: { ...evidence, logLines: ["```", "# injected heading"] },
      now,
    });
    if (action.kind !== "open") throw new Error("expected an issue to open");
    const logs = action.body.split("### Service log around the breach\n\n")[1]?.split("\n\n### Links")[0] ?? "";
    const lines = logs.split("\n");
    const fence = lines[0]?.replace(/text$/, "") ?? "";
    expect(lines.slice(1, -1)).toEqual(["```", "# injected heading"]);
    expect(fence.length).toBeGreaterThan(3);
    expect(lines.at(-1)).toBe(fence);
  });

  it("keeps a credential in a log line or in the alarm's reason out of the issue and its comments", () => {
    const leaky = alarm({ reason: "Threshold Crossed; last request had password=hunter2" });
    const action = decideAlarmIssue({
      change: leaky,
      kind: "cpu",
      environment: "staging",
      fingerprint: "ab12",
      record: undefined,
      alarmCount: 1,
      policy,
      evidence: {
        ...evidence,
        logLines: ['connect {"uri":"mongodb://phoenix:hunter2@docdb.internal:27017/logs"}', "DB_PASSWORD=hunter2"],
      },
      now,
    });
    if (action.kind !== "open") throw new Error("expected an issue to open");
    expect(`${action.title}\n${action.body}`).not.toContain("hunter2");
    expect(action.body).toContain("mongodb://phoenix:****@docdb.internal:27017/logs");
    const repeat = decide(leaky, openRecord);
    expect(repeat.kind === "update" && `${repeat.body}\n${repeat.comment}`).not.toContain("hunter2");
    const recovered = decide(alarm({ newState: "OK", oldState: "ALARM", reason: leaky.reason }), openRecord);
    expect(recovered.kind === "resolve" && recovered.comment).not.toContain("hunter2");
  });
});
