import type { Ledger, LedgerValue } from "../../ports/ledger.js";
import type { OpsLogger } from "../../ports/logger.js";
import type { RepositoryRef } from "../../ports/repository-gateway.js";
import { acquireLockPatiently } from "../coordination/acquire-lock-patiently.js";
import { handleOnce } from "../coordination/handle-once.js";
import type { AlarmStateChange } from "../events/cloudwatch-alarm.js";
import { describeLabels, type EventLabels } from "../events/environment-labels.js";
import { ledgerKeys } from "../ledger-keys.js";
import { logStreamLink } from "../rendering/console-links.js";
import { type AlarmEvidence, type AlarmIssuePolicy, type AlarmIssueRecord, decideAlarmIssue } from "./alarm-issue.js";
import { ALARM_KIND_WORDING, type AlarmKind, alarmKindOf } from "./alarm-kind.js";
import type { EnvironmentScope, EnvironmentScopes } from "./environment-scope.js";
import { alarmFingerprint } from "./fingerprints.js";
import { type AppliedIssueDecision, applyIssueDecision } from "./issue-decision.js";
import { mermaidXyChart } from "./metric-chart.js";
import { admitNewIssue } from "./storm-control.js";

export interface AlarmIssueHandlerDeps {
  readonly ledger: Ledger;
  /** The alarm's environment: its repository's issues, its logs and metrics. */
  readonly scopes: EnvironmentScopes;
  readonly policy: AlarmIssuePolicy;
  /** Storm control: at most this many new alarm issues per window; the rest fold into a counter. */
  readonly storm: { readonly maxNewIssues: number; readonly windowSeconds: number };
  readonly now: () => Date;
  /** Waits between lock attempts; injected so tests need not sleep. */
  readonly pause?: (ms: number) => Promise<void>;
  readonly logger: OpsLogger;
}

/**
 * Where an alarm belongs: the labels its event came with, or, for an alarm message that carries
 * none (SNS), the repository in whose ops config an environment's alarm names must include it.
 */
export type AlarmOrigin = { readonly labels: EventLabels } | { readonly namedIn: RepositoryRef };

export interface AlarmNotification {
  /** Idempotency key of this delivery, e.g. `sns:<MessageId>`. */
  readonly deliveryKey: string;
  readonly origin: AlarmOrigin;
  readonly change: AlarmStateChange;
}

export type AlarmOutcome =
  | "duplicate"
  | "coalesced"
  | "opened"
  | "updated"
  | "resolved"
  | "storm-folded"
  | "ignored"
  /** No environment of the repository's ops config is the alarm's. */
  | "ignored:unknown-environment"
  /** Not one of the service's alarms (CPU, 5xx, load-balancer 5xx, unhealthy hosts). */
  | "ignored:unknown-alarm-kind";

/** One alarm's issue: what `apply` and `evidence` need besides the change. */
interface AlarmIssueSubject {
  readonly scope: EnvironmentScope;
  readonly kind: AlarmKind;
  readonly fingerprint: string;
  readonly change: AlarmStateChange;
}

const ALARM_OUTCOMES: Readonly<Record<AppliedIssueDecision, AlarmOutcome>> = {
  opened: "opened",
  updated: "updated",
  resolved: "resolved",
  "held-back": "storm-folded",
  nothing: "ignored",
};

/** Only ALARM issues show a chart and log lines. */
const NO_EVIDENCE: AlarmEvidence = { chart: "", logLines: [], logLinks: [] };
const RECORD_TTL_SECONDS = 90 * 86_400;
const LOCK_TTL_SECONDS = 60;
const LOCK_ATTEMPTS = 300;
/** A repeat ALARM tries this many times before leaving its count to the lock holder. */
const COALESCE_ATTEMPTS = 3;
/** Passes the lock holder makes to take in ALARMs counted while it worked. */
const CATCH_UP_ROUNDS = 5;
/** Times the holder may take the lock again for ALARMs counted just as it let go. */
const MAX_TURNS = 5;

/**
 * Turns one alarm state change into at most one GitHub write sequence, in the repository of
 * the alarm's environment. Deliveries are deduped by key, changes to one alarm's issue are
 * serialised by a Ledger lock, and the issue number for a fingerprint is remembered in the
 * Ledger, so concurrent and repeated notifications never open a second issue. An alarm of no
 * known environment or kind is ignored with a warning: retrying would not change that.
 */
export class AlarmIssueHandler {
  constructor(private readonly deps: AlarmIssueHandlerDeps) {}

  /**
   * Each ALARM delivery counts itself (an atomic Ledger counter per fingerprint). The delivery
   * that holds the fingerprint's lock writes the issue with the current count and, before
   * letting go, takes in the ALARMs that arrived meanwhile. A repeat ALARM that finds the lock
   * busy leaves it at its count ("coalesced") instead of queueing for a GitHub round trip;
   * any other change (OK) waits its turn, since it must be applied.
   */
  async handle(notification: AlarmNotification): Promise<AlarmOutcome> {
    const { ledger, logger } = this.deps;
    const { deliveryKey, change, origin } = notification;
    const context = {
      deliveryKey,
      alarmName: change.alarmName,
      ...("labels" in origin
        ? describeLabels(origin.labels)
        : { repository: `${origin.namedIn.owner}/${origin.namedIn.repo}` }),
    };
    const lookup =
      "labels" in origin
        ? await this.deps.scopes.forLabels(origin.labels)
        : await this.deps.scopes.forAlarmName(origin.namedIn, change.alarmName);
    if (!lookup.found) {
      logger.warn(
        { ...context, why: lookup.why },
        "alarm: no such environment in the repository's ops config; ignored",
      );
      return "ignored:unknown-environment";
    }
    const { scope } = lookup;
    const kind = alarmKindOf(change, { app: scope.app, environment: scope.environment.name });
    if (kind === undefined) {
      logger.warn(
        { ...context, metric: change.metric ? `${change.metric.namespace}/${change.metric.name}` : undefined },
        "alarm: not one of the service's alarms (CPU, 5xx, load-balancer 5xx, unhealthy hosts); ignored",
      );
      return "ignored:unknown-alarm-kind";
    }
    const fingerprint = alarmFingerprint(change, {
      repository: scope.repository,
      environment: scope.environment.name,
    });
    const subject: AlarmIssueSubject = { scope, kind, fingerprint, change };
    const once = await handleOnce(ledger, deliveryKey, async (): Promise<AlarmOutcome> => {
      const counterKey = ledgerKeys.alarmCount(fingerprint);
      const lockName = ledgerKeys.alarmIssueLock(fingerprint);
      const isRepeat = change.newState === "ALARM";
      if (isRepeat) await ledger.incrementCounter(counterKey, RECORD_TTL_SECONDS);
      const attempts = isRepeat ? COALESCE_ATTEMPTS : LOCK_ATTEMPTS;
      let outcome: AlarmOutcome | undefined;
      let shown = 0;
      // Gathered once, when first needed: catch-up rounds only change the count.
      let evidence: Promise<AlarmEvidence> | undefined;
      const evidenceOnce = () => {
        evidence ??= isRepeat ? this.evidence(subject) : Promise.resolve(NO_EVIDENCE);
        return evidence;
      };
      // Let go only once the issue shows every ALARM counted so far (or another delivery
      // holds the lock, and with it that duty).
      for (let turn = 0; turn < MAX_TURNS && (await this.lock(lockName, deliveryKey, attempts)); turn++) {
        try {
          for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
            const counted = await ledger.readCounter(counterKey);
            if (outcome !== undefined && counted <= shown) break;
            shown = counted;
            const result = await this.apply(subject, counted, evidenceOnce);
            outcome ??= result;
            if (!isRepeat) break;
          }
        } finally {
          await ledger.releaseLock(lockName, deliveryKey);
        }
        if (!isRepeat || (await ledger.readCounter(counterKey)) <= shown) break;
      }
      if (outcome !== undefined) return outcome;
      if (isRepeat) return "coalesced";
      throw new Error(`could not take the lock ${lockName} after ${LOCK_ATTEMPTS} attempts`);
    });
    return once.duplicate ? "duplicate" : once.result;
  }

  private async apply(
    { scope, kind, fingerprint, change }: AlarmIssueSubject,
    alarmCount: number,
    gatherEvidence: () => Promise<AlarmEvidence>,
  ): Promise<AlarmOutcome> {
    const { ledger, policy } = this.deps;
    const recordKey = ledgerKeys.alarmIssue(fingerprint);
    const record = (await ledger.getRecord(recordKey)) as AlarmIssueRecord | undefined;
    const evidence = await gatherEvidence();
    const action = decideAlarmIssue({
      change,
      kind,
      environment: scope.environment.name,
      fingerprint,
      record,
      alarmCount,
      policy,
      evidence,
      now: this.deps.now(),
    });
    const remember = (value: AlarmIssueRecord) =>
      ledger.putRecord(recordKey, value as unknown as LedgerValue, RECORD_TTL_SECONDS);

    const applied = await applyIssueDecision(action, {
      issues: scope.issues,
      remember,
      admitNewIssue: () => admitNewIssue(ledger, "alarm", this.deps.storm, this.deps.now()),
      heldBack: async () => {
        await ledger.incrementCounter(ledgerKeys.alarmFolded(fingerprint), RECORD_TTL_SECONDS);
      },
    });
    return ALARM_OUTCOMES[applied];
  }

  /** The metric and log lines, read in the environment's account and region. */
  private async evidence({ scope, kind, change }: AlarmIssueSubject): Promise<AlarmEvidence> {
    const [points, logs] = await Promise.all([
      change.metric ? scope.metrics.lastHour(change.metric, change.changedAt) : Promise.resolve([]),
      scope.logs.around(change.changedAt, 30),
    ]);
    const chart = mermaidXyChart({
      title: change.metric ? `${change.metric.name} (${change.metric.statistic}), last hour` : change.alarmName,
      unit: ALARM_KIND_WORDING[kind].unit,
      points,
      ...(change.threshold !== undefined ? { threshold: change.threshold } : {}),
    });
    return { chart, logLines: logs.lines, logLinks: logs.streams.map(logStreamLink) };
  }

  private lock(name: string, owner: string, attempts: number): Promise<boolean> {
    return acquireLockPatiently(
      this.deps.ledger,
      { name, owner, ttlSeconds: LOCK_TTL_SECONDS },
      attempts,
      this.deps.pause,
    );
  }
}
