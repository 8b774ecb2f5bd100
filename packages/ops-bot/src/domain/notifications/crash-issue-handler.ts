import { PHOENIX_APP, tryParseImageReference } from "@phoenix/shared";
import type { ImageTagReader } from "../../ports/image-tag-reader.js";
import type { Ledger, LedgerValue } from "../../ports/ledger.js";
import type { OpsLogger } from "../../ports/logger.js";
import { acquireLockPatiently } from "../coordination/acquire-lock-patiently.js";
import { handleOnce } from "../coordination/handle-once.js";
import { parseEcsTaskStateChange } from "../events/ecs-task-state-change.js";
import { describeLabels, type EventLabels } from "../events/environment-labels.js";
import { ledgerKeys } from "../ledger-keys.js";
import { logStreamLink } from "../rendering/console-links.js";
import { type ClassifyStoppedTaskOptions, classifyStoppedTask, type NotACrashWhy } from "./classify-stopped-task.js";
import {
  CRASH_LOG_LINES,
  type CrashEvidence,
  type CrashIssuePolicy,
  type CrashIssueRecord,
  crashIdentityOf,
  decideCrashIssue,
  type StoppedTask,
  signatureLineOf,
  stoppedTaskOf,
} from "./crash-issue.js";
import type { EnvironmentScope, EnvironmentScopes } from "./environment-scope.js";
import { crashFingerprint } from "./fingerprints.js";
import { type ImageCommit, imageCommit } from "./image-commit.js";
import { type AppliedIssueDecision, applyIssueDecision } from "./issue-decision.js";
import { admitNewIssue } from "./storm-control.js";

export interface CrashIssueHandlerDeps {
  readonly ledger: Ledger;
  /**
   * The task's environment: its repository's issues (commit links point into that repository,
   * which the images are built from) and its log group, where the task's `awslogs` stream is.
   */
  readonly scopes: EnvironmentScopes;
  readonly policy: CrashIssuePolicy;
  /** Storm control: at most this many new crash issues per window; the rest are counted in their record. */
  readonly storm: { readonly maxNewIssues: number; readonly windowSeconds: number };
  /**
   * Finds the commit of an image referenced by digest alone.
   * @default - none: such images show no commit
   */
  readonly imageTags?: ImageTagReader;
  /**
   * The task definition's essential containers, so a sidecar stopped along with the task is not blamed.
   * @default - every container in the event
   */
  readonly essentialContainers?: ClassifyStoppedTaskOptions["essentialContainers"];
  readonly now: () => Date;
  /** Waits between lock attempts; injected so tests need not sleep. */
  readonly pause?: (ms: number) => Promise<void>;
  readonly logger: OpsLogger;
}

/** An ECS Task State Change event and the labels it came with. */
export interface LabelledTaskEvent {
  readonly labels: EventLabels;
  /** Parsed here: a malformed event throws `EventParseError`. */
  readonly event: unknown;
}

export type CrashOutcome =
  | "duplicate"
  | "opened"
  | "updated"
  | "storm-folded"
  /** The same stopped task again, under a higher version: already counted. */
  | "already-counted"
  | `ignored:${NotACrashWhy}`
  /** No environment of the repository's ops config has the labels' name. */
  | "ignored:unknown-environment";

const CRASH_OUTCOMES: Readonly<Record<AppliedIssueDecision, CrashOutcome>> = {
  opened: "opened",
  updated: "updated",
  // Crash decisions never resolve; a person closes crash issues.
  resolved: "updated",
  "held-back": "storm-folded",
  nothing: "already-counted",
};

/** The storm-control family: crash issues share one budget of new issues per window. */
const STORM_FAMILY = "crash";
const RECORD_TTL_SECONDS = 90 * 86_400;
const LOCK_TTL_SECONDS = 60;
const LOCK_ATTEMPTS = 300;

/**
 * Turns one "ECS Task State Change" event into at most one GitHub write sequence, in the
 * repository its labels name. Stops that are not crashes change nothing (not even the Ledger). Deliveries are deduped by task ARN and
 * version, changes to one crash's issue are serialised by a Ledger lock, and the issue number
 * for a fingerprint is remembered in the Ledger, so repeated and concurrent crashes update one
 * issue. It never closes an issue: a person does.
 */
export class CrashIssueHandler {
  constructor(private readonly deps: CrashIssueHandlerDeps) {}

  /** Throws `EventParseError` when `event` is not an ECS Task State Change. */
  async handle({ labels, event }: LabelledTaskEvent): Promise<CrashOutcome> {
    const change = parseEcsTaskStateChange(event);
    const classification = classifyStoppedTask(
      change,
      this.deps.essentialContainers ? { essentialContainers: this.deps.essentialContainers } : {},
    );
    if (classification.kind === "not-a-crash") return `ignored:${classification.why}`;

    const lookup = await this.deps.scopes.forLabels(labels);
    if (!lookup.found) {
      this.deps.logger.warn(
        { ...describeLabels(labels), taskArn: change.detail.taskArn, why: lookup.why },
        "crash: no such environment in the repository's ops config; ignored",
      );
      return "ignored:unknown-environment";
    }
    const { scope } = lookup;
    const stop = stoppedTaskOf(change, classification, this.deps.now());
    // Task ARNs name their account and Region: no two environments share one.
    const deliveryKey = ledgerKeys.ecsTaskEvent(change.detail.taskArn, change.detail.version);
    const once = await handleOnce(this.deps.ledger, deliveryKey, async () => {
      const evidence = await this.evidence(scope, stop);
      const fingerprint = crashFingerprint(crashIdentityOf(stop, evidence.signatureLine), {
        repository: scope.repository,
        environment: scope.environment.name,
      });
      const lockName = ledgerKeys.crashIssueLock(fingerprint);
      await this.lock(lockName, deliveryKey);
      try {
        return await this.apply(scope, stop, fingerprint, evidence);
      } finally {
        await this.deps.ledger.releaseLock(lockName, deliveryKey);
      }
    });
    return once.duplicate ? "duplicate" : once.result;
  }

  private async apply(
    scope: EnvironmentScope,
    stop: StoppedTask,
    fingerprint: string,
    evidence: CrashEvidence,
  ): Promise<CrashOutcome> {
    const { ledger: store, policy, storm } = this.deps;
    const { issues } = scope;
    const recordKey = ledgerKeys.crashIssue(fingerprint);
    const record = await this.currentRecord(scope, recordKey);
    const now = this.deps.now();
    const action = decideCrashIssue({ stop, fingerprint, record, policy, evidence, now });
    const remember = (value: CrashIssueRecord) =>
      store.putRecord(recordKey, value as unknown as LedgerValue, RECORD_TTL_SECONDS);

    const applied = await applyIssueDecision(action, {
      issues,
      remember,
      admitNewIssue: () => admitNewIssue(store, STORM_FAMILY, storm, now),
      // Counted in the record: the issue opened after the storm carries these occurrences.
      heldBack: (open) => remember(open.record(null)),
    });
    return CRASH_OUTCOMES[applied];
  }

  /** The stored record, with `open` as GitHub has it now: a person may have closed the issue. */
  private async currentRecord(scope: EnvironmentScope, recordKey: string): Promise<CrashIssueRecord | undefined> {
    const record = (await this.deps.ledger.getRecord(recordKey)) as CrashIssueRecord | undefined;
    if (record?.issueNumber == null || !record.open) return record;
    const issue = await scope.issues.get(record.issueNumber);
    return issue?.state === "open" ? record : { ...record, open: false };
  }

  /** The task's log tail, read in the environment's account, and the commit its image came from. */
  private async evidence(scope: EnvironmentScope, stop: StoppedTask): Promise<CrashEvidence> {
    const logStream = `${PHOENIX_APP.logStreamPrefix}/${stop.container}/${stop.taskId}`;
    const [logs, commit] = await Promise.all([
      scope.logs.tailOfStream(logStream, CRASH_LOG_LINES),
      this.commitOf(scope, stop),
    ]);
    return {
      logStream,
      logLines: logs.lines,
      logLinks: logs.streams.map(logStreamLink),
      signatureLine: signatureLineOf(stop, logs.lines),
      commit,
    };
  }

  /** Best effort: a registry that cannot be asked leaves the commit unknown, not the issue unwritten. */
  private async commitOf({ repository }: EnvironmentScope, stop: StoppedTask): Promise<ImageCommit | undefined> {
    const { imageTags } = this.deps;
    const known = imageCommit({ reference: stop.image }, repository);
    const image = stop.image === undefined ? undefined : tryParseImageReference(stop.image);
    const digest = image?.digest ?? stop.imageDigest;
    if (known || !imageTags || !image || !digest) return known;
    const registryTags = await imageTags
      .tagsOf({ registry: image.registry, repository: image.repository, digest })
      .catch(() => []);
    return imageCommit({ reference: stop.image, registryTags }, repository);
  }

  private async lock(name: string, owner: string): Promise<void> {
    const ttlSeconds = LOCK_TTL_SECONDS;
    if (!(await acquireLockPatiently(this.deps.ledger, { name, owner, ttlSeconds }, LOCK_ATTEMPTS, this.deps.pause))) {
      throw new Error(`could not take the lock ${name} after ${LOCK_ATTEMPTS} attempts`);
    }
  }
}
