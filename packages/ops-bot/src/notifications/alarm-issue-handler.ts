import type { LogReader, MetricQuery, MetricReader } from "../aws/evidence-readers.js";
import type { IssueTracker } from "../github/issue-tracker.js";
import type { Ledger, LedgerValue } from "../ledger/ledger.js";
import {
  type AlarmChange,
  type AlarmEvidence,
  type AlarmIssuePolicy,
  type AlarmIssueRecord,
  decideAlarmIssue,
} from "./cpu-alarm-issue.js";
import { mermaidXyChart } from "./metric-chart.js";

export interface AlarmIssueHandlerDeps {
  readonly ledger: Ledger;
  readonly issues: IssueTracker;
  readonly metrics: MetricReader;
  readonly logs: LogReader;
  readonly policy: AlarmIssuePolicy;
  /** Storm control: at most this many new alarm issues per window; the rest fold into a counter. */
  readonly storm: { readonly maxNewIssues: number; readonly windowSeconds: number };
  readonly now: () => Date;
  /** Waits between lock attempts; injected so tests need not sleep. */
  readonly pause?: (ms: number) => Promise<void>;
}

export interface AlarmNotification {
  /** Idempotency key of this delivery, e.g. `sns:<MessageId>`. */
  readonly deliveryKey: string;
  readonly fingerprint: string;
  readonly change: AlarmChange & { readonly metric?: MetricQuery };
}

export type AlarmOutcome = "duplicate" | "opened" | "updated" | "resolved" | "storm-folded" | "ignored";

const DELIVERY_TTL_SECONDS = 7 * 86_400;
const RECORD_TTL_SECONDS = 90 * 86_400;
const LOCK_TTL_SECONDS = 60;
const LOCK_ATTEMPTS = 300;

/**
 * Turns one alarm state change into at most one GitHub write sequence. Deliveries are deduped
 * by key, changes to one alarm's issue are serialised by a Ledger lock, and the issue number
 * for a fingerprint is remembered in the Ledger, so concurrent and repeated notifications
 * never open a second issue.
 */
export class AlarmIssueHandler {
  constructor(private readonly deps: AlarmIssueHandlerDeps) {}

  async handle(notification: AlarmNotification): Promise<AlarmOutcome> {
    const { ledger } = this.deps;
    if (!(await ledger.claim(notification.deliveryKey, DELIVERY_TTL_SECONDS))) return "duplicate";

    const lockName = `alarm-issue:${notification.fingerprint}`;
    await this.lock(lockName, notification.deliveryKey);
    try {
      return await this.apply(notification);
    } finally {
      await ledger.releaseLock(lockName, notification.deliveryKey);
    }
  }

  private async apply({ fingerprint, change }: AlarmNotification): Promise<AlarmOutcome> {
    const { ledger, issues, policy } = this.deps;
    const recordKey = `alarm-issue:${fingerprint}`;
    const record = (await ledger.getRecord(recordKey)) as AlarmIssueRecord | undefined;
    const evidence =
      change.newState === "ALARM" ? await this.evidence(change) : { chart: "", logLines: [], logLinks: [] };
    const action = decideAlarmIssue({ change, fingerprint, record, policy, evidence, now: this.deps.now() });
    const remember = (value: AlarmIssueRecord) =>
      ledger.putRecord(recordKey, value as unknown as LedgerValue, RECORD_TTL_SECONDS);

    switch (action.kind) {
      case "open": {
        const window = Math.floor(this.deps.now().getTime() / 1000 / this.deps.storm.windowSeconds);
        const opened = await ledger.incrementCounter(`new-issues:alarm:${window}`, this.deps.storm.windowSeconds);
        if (opened > this.deps.storm.maxNewIssues) {
          await ledger.incrementCounter(`folded:alarm:${fingerprint}`, RECORD_TTL_SECONDS);
          return "storm-folded";
        }
        const issue = await issues.create({ title: action.title, body: action.body, labels: action.labels });
        await remember(action.record(issue.number));
        return "opened";
      }
      case "update":
        await issues.update(action.issueNumber, { body: action.body });
        if (action.comment) await issues.comment(action.issueNumber, action.comment);
        await remember(action.record);
        return "updated";
      case "resolve":
        await issues.comment(action.issueNumber, action.comment);
        if (action.close) await issues.update(action.issueNumber, { state: "closed", stateReason: "completed" });
        await remember(action.record);
        return "resolved";
      case "nothing":
        return "ignored";
    }
  }

  private async evidence(change: AlarmNotification["change"]): Promise<AlarmEvidence> {
    const [points, logs] = await Promise.all([
      change.metric ? this.deps.metrics.lastHour(change.metric, change.changedAt) : Promise.resolve([]),
      this.deps.logs.around(change.changedAt, 30),
    ]);
    const chart = mermaidXyChart({
      title: change.metric ? `${change.metric.name} (${change.metric.statistic}), last hour` : change.alarmName,
      unit: change.metric?.namespace === "AWS/ECS" ? "Percent" : "Value",
      points,
      ...(change.threshold !== undefined ? { threshold: change.threshold } : {}),
    });
    return { chart, logLines: logs.lines, logLinks: logs.links };
  }

  private async lock(name: string, owner: string): Promise<void> {
    const pause = this.deps.pause ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
      const lock = await this.deps.ledger.acquireLock(name, owner, LOCK_TTL_SECONDS);
      if (lock.acquired) return;
      await pause(20 + Math.random() * 80);
    }
    throw new Error(`could not take the lock ${name} after ${LOCK_ATTEMPTS} attempts`);
  }
}
