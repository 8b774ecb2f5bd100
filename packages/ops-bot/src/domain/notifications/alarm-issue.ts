import { alarmConsoleUrl } from "../rendering/console-links.js";
import { codeCell, factTable, fenced, oneLine, plainCell } from "../rendering/markdown.js";
import { ALARM_KIND_WORDING, type AlarmKind } from "./alarm-kind.js";
import type { IssueDecision } from "./issue-decision.js";

/** The fields of a CloudWatch alarm state change this decision reads. */
export interface AlarmChange {
  readonly alarmName: string;
  readonly region: string;
  readonly newState: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  readonly oldState: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  readonly reason: string;
  readonly changedAt: Date;
  readonly threshold?: number;
  readonly comparisonOperator?: string;
}

/** What the bot remembers per alarm fingerprint (kept in the Ledger, not found by GitHub search). */
export interface AlarmIssueRecord {
  readonly issueNumber: number;
  readonly open: boolean;
  /** Occurrences shown on the issue. */
  readonly occurrences: number;
  /**
   * The alarm's ALARM counter when this issue's occurrences started (the Ledger counts every
   * ALARM delivery of the fingerprint): occurrences = counter − base.
   */
  readonly counterBase: number;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  /** When the bot last wrote a comment (or opened the issue). */
  readonly lastCommentAt: string;
}

export interface AlarmIssuePolicy {
  /** The label of each kind's issues, e.g. `ops:cpu`, `ops:5xx`. */
  readonly labels: Readonly<Record<AlarmKind, string>>;
  /** At most one comment per this interval while the alarm repeats. */
  readonly commentIntervalMs: number;
  /** Close the issue when the alarm returns to OK. */
  readonly closeOnOk: boolean;
}

/** Evidence gathered before deciding: rendered chart and log lines around the breach. */
export interface AlarmEvidence {
  readonly chart: string;
  readonly logLines: readonly string[];
  readonly logLinks: readonly string[];
}

export type AlarmIssueAction = IssueDecision<AlarmIssueRecord>;

export const ALARM_MARKER_PREFIX = "phoenix-ops:alarm";

/**
 * ALARM opens one issue per fingerprint, titled and labelled for the alarm's kind, or updates the open one (counter, chart) with at most
 * one comment per interval; OK after ALARM comments and, if configured, closes; OK after
 * INSUFFICIENT_DATA, and INSUFFICIENT_DATA itself, change nothing.
 */
export function decideAlarmIssue(input: {
  readonly change: AlarmChange;
  readonly kind: AlarmKind;
  /** The environment of the repository's ops config the alarm belongs to. */
  readonly environment: string;
  readonly fingerprint: string;
  readonly record: AlarmIssueRecord | undefined;
  /** The fingerprint's ALARM counter, this delivery and any coalesced into it included. */
  readonly alarmCount: number;
  readonly policy: AlarmIssuePolicy;
  readonly evidence: AlarmEvidence;
  readonly now: Date;
}): AlarmIssueAction {
  const { change, record, policy, now } = input;
  const at = now.toISOString();

  if (change.newState === "ALARM") {
    const lastSeenAt = change.changedAt.toISOString();
    if (!record?.open) {
      // Occurrences since the last issue closed (or ever) belong to the new one.
      const counterBase = record ? record.counterBase + record.occurrences : 0;
      const occurrences = Math.max(1, input.alarmCount - counterBase);
      const counts = { occurrences, firstSeenAt: lastSeenAt, lastSeenAt };
      return {
        kind: "open",
        title: `${ALARM_KIND_WORDING[input.kind].title}: ${oneLine(change.alarmName)} in ALARM`,
        labels: [policy.labels[input.kind]],
        body: renderAlarmIssueBody(input, counts),
        record: (issueNumber) => ({ issueNumber, open: true, counterBase, ...counts, lastCommentAt: at }),
      };
    }
    const occurrences = Math.max(record.occurrences, input.alarmCount - record.counterBase);
    const commentDue = now.getTime() - Date.parse(record.lastCommentAt) >= policy.commentIntervalMs;
    return {
      kind: "update",
      issueNumber: record.issueNumber,
      body: renderAlarmIssueBody(input, {
        occurrences,
        firstSeenAt: record.firstSeenAt,
        lastSeenAt,
      }),
      ...(commentDue ? { comment: `Still in ALARM (occurrence ${occurrences}): ${oneLine(change.reason)}` } : {}),
      record: { ...record, occurrences, lastSeenAt, lastCommentAt: commentDue ? at : record.lastCommentAt },
    };
  }

  if (change.newState === "OK") {
    if (change.oldState !== "ALARM") return { kind: "nothing", why: `OK after ${change.oldState} is not a recovery` };
    if (!record?.open) return { kind: "nothing", why: "no open issue for this alarm" };
    return {
      kind: "resolve",
      issueNumber: record.issueNumber,
      close: policy.closeOnOk,
      comment: `Recovered: ${oneLine(change.alarmName)} is OK again at ${change.changedAt.toISOString()} after ${record.occurrences} occurrence(s). ${oneLine(change.reason)}`,
      record: { ...record, open: !policy.closeOnOk, lastCommentAt: at },
    };
  }
  return { kind: "nothing", why: "INSUFFICIENT_DATA says nothing about the service" };
}

function renderAlarmIssueBody(
  input: {
    readonly fingerprint: string;
    readonly change: AlarmChange;
    readonly environment: string;
    readonly evidence: AlarmEvidence;
  },
  counts: { occurrences: number; firstSeenAt: string; lastSeenAt: string },
): string {
  const { fingerprint, change, evidence } = input;
  const threshold =
    change.threshold === undefined ? "—" : plainCell(`${change.comparisonOperator ?? "threshold"} ${change.threshold}`);
  const logs = evidence.logLines.length ? fenced(evidence.logLines) : "_No log lines found around the breach._";
  return [
    `<!-- ${ALARM_MARKER_PREFIX}:${fingerprint} -->`,
    `${codeCell(change.alarmName)} went from ${change.oldState} to **${change.newState}**.`,
    "",
    factTable([
      ["Environment", codeCell(input.environment)],
      ["Threshold", threshold],
      ["Reason", plainCell(change.reason)],
      ["Occurrences", String(counts.occurrences)],
      ["First seen", counts.firstSeenAt],
      ["Last seen", counts.lastSeenAt],
    ]),
    "",
    "### Last hour",
    "",
    evidence.chart,
    "",
    "### Service log around the breach",
    "",
    logs,
    "",
    "### Links",
    "",
    `- [Alarm in the CloudWatch console](${alarmConsoleUrl(change.region, change.alarmName)})`,
    ...evidence.logLinks.map((link) => `- ${link}`),
  ].join("\n");
}
