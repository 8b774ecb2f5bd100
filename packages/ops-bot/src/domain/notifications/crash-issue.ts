import { PHOENIX_APP } from "@phoenix/shared";
import { parseArn } from "../events/arn.js";
import { type EcsTaskStateChange, serviceNameOf } from "../events/ecs-task-state-change.js";
import { ecsServiceConsoleUrl, ecsTaskConsoleUrl } from "../rendering/console-links.js";
import { codeCell, factTable, fenced, oneLine, shorten } from "../rendering/markdown.js";
import type { StoppedTaskClassification } from "./classify-stopped-task.js";
import type { CrashIdentity } from "./fingerprints.js";
import type { ImageCommit } from "./image-commit.js";
import type { NoIssueChange, OpenIssue, UpdateIssue } from "./issue-decision.js";

/** A stop worth an issue: every classification but "not-a-crash". */
export type ReportableStop = Exclude<StoppedTaskClassification, { kind: "not-a-crash" }>;
export type CrashKind = ReportableStop["kind"];

/** The facts of one stopped task an issue reports, read from its state change event. */
export interface StoppedTask {
  readonly classification: ReportableStop;
  readonly taskArn: string;
  readonly taskId: string;
  readonly region: string;
  readonly cluster: string;
  /** The ECS service; `undefined` for a standalone task (RunTask). */
  readonly service: string | undefined;
  /** The task's group: `service:<name>` or `family:<family>`. */
  readonly group: string | undefined;
  /** The container the stop is blamed on; when ECS names none, the app container (else the first). */
  readonly container: string;
  readonly exitCode: number | undefined;
  readonly stopCode: string | undefined;
  readonly stoppedReason: string | undefined;
  /** The blamed container's own reason, e.g. "OutOfMemoryError: Container killed due to memory usage". */
  readonly containerReason: string | undefined;
  readonly image: string | undefined;
  readonly imageDigest: string | undefined;
  readonly taskDefinitionArn: string;
  readonly stoppedAt: Date;
}

/** What the bot remembers per crash fingerprint (in the Ledger, not found by GitHub search). */
export interface CrashIssueRecord {
  /** `null` while storm control holds the issue back: the occurrences are counted, nothing is opened. */
  readonly issueNumber: number | null;
  /** False once a person closed the issue (the handler asks GitHub) or while none was opened. */
  readonly open: boolean;
  readonly occurrences: number;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  /** When the bot last wrote a comment (or opened the issue). */
  readonly lastCommentAt: string;
  /**
   * Tasks already counted, newest last. ECS may send a stopped task's event again with a
   * higher version (an attachment deleted later, say): that is no new occurrence.
   */
  readonly recentTaskArns: readonly string[];
  /** The closed issue this one follows, when the crash came back after a person closed it. */
  readonly previousIssueNumber?: number;
}

export interface CrashIssuePolicy {
  /** Label on every crash issue, e.g. "ops:crash". */
  readonly label: string;
  /** At most one "crashed again" comment per this interval; the body is updated every time. */
  readonly commentIntervalMs: number;
}

/** Evidence gathered before deciding: the stopped task's log tail and the commit its image came from. */
export interface CrashEvidence {
  readonly logStream: string;
  /** The last lines of the task's `awslogs` stream, oldest first. */
  readonly logLines: readonly string[];
  readonly logLinks: readonly string[];
  /** The line the signature is made of (see `signatureLineOf`). */
  readonly signatureLine: string | undefined;
  readonly commit: ImageCommit | undefined;
}

/** A crash opens, updates or does nothing; it never resolves (a person closes crash issues). */
export type CrashIssueAction =
  | (OpenIssue<CrashIssueRecord> & {
      /** The record to keep: with the new issue's number, or `null` when storm control held it back. */
      readonly record: (issueNumber: number | null) => CrashIssueRecord;
    })
  | UpdateIssue<CrashIssueRecord>
  | NoIssueChange;

export const CRASH_MARKER_PREFIX = "phoenix-ops:crash";
/** How many log lines of the stopped task an issue carries. */
export const CRASH_LOG_LINES = 50;

const RECENT_TASKS_KEPT = 20;
const TITLE_LINE_CHARS = 90;
// GitHub refuses bodies over 65,536 characters; 50 lines of this stay well below it.
const LOG_LINE_CHARS = 800;

/**
 * A crash opens one issue per fingerprint, or updates the open one (counter, latest task, its
 * log lines) with at most one comment per interval. Nothing here closes an issue: a person
 * does, and a crash after that opens a new issue pointing to the closed one.
 */
export function decideCrashIssue(input: {
  readonly stop: StoppedTask;
  readonly fingerprint: string;
  readonly record: CrashIssueRecord | undefined;
  readonly policy: CrashIssuePolicy;
  readonly evidence: CrashEvidence;
  readonly now: Date;
}): CrashIssueAction {
  const { stop, fingerprint, record, policy, evidence, now } = input;
  const at = now.toISOString();
  const seenAt = stop.stoppedAt.toISOString();

  if (record?.recentTaskArns.includes(stop.taskArn)) {
    return { kind: "nothing", why: `task ${stop.taskId} is already counted` };
  }
  const recentTaskArns = [...(record?.recentTaskArns ?? []), stop.taskArn].slice(-RECENT_TASKS_KEPT);

  if (record?.issueNumber == null || !record.open) {
    // Occurrences held back by storm control carry over; a closed issue's do not.
    const heldBack = record?.issueNumber === null ? record : undefined;
    const counts = {
      occurrences: (heldBack?.occurrences ?? 0) + 1,
      firstSeenAt: earliest(heldBack?.firstSeenAt, seenAt),
      lastSeenAt: latest(heldBack?.lastSeenAt, seenAt),
    };
    const closedIssue = record?.issueNumber ?? heldBack?.previousIssueNumber;
    return {
      kind: "open",
      title: crashIssueTitle(stop, evidence.signatureLine),
      labels: [policy.label],
      body: renderCrashIssueBody(fingerprint, stop, evidence, counts, closedIssue),
      record: (issueNumber) => ({
        issueNumber,
        open: issueNumber !== null,
        ...counts,
        lastCommentAt: at,
        recentTaskArns,
        ...(closedIssue === undefined ? {} : { previousIssueNumber: closedIssue }),
      }),
    };
  }

  const counts = {
    occurrences: record.occurrences + 1,
    firstSeenAt: earliest(record.firstSeenAt, seenAt),
    lastSeenAt: latest(record.lastSeenAt, seenAt),
  };
  const commentDue = now.getTime() - Date.parse(record.lastCommentAt) >= policy.commentIntervalMs;
  return {
    kind: "update",
    issueNumber: record.issueNumber,
    body: renderCrashIssueBody(fingerprint, stop, evidence, counts, record.previousIssueNumber),
    ...(commentDue
      ? {
          comment: `${KIND_NAMES[stop.classification.kind]} again (occurrence ${counts.occurrences}): task [${stop.taskId}](${ecsTaskConsoleUrl(stop.region, stop.cluster, stop.taskId)}) stopped at ${seenAt}. The description shows its last log lines.`,
        }
      : {}),
    record: { ...record, ...counts, recentTaskArns, lastCommentAt: commentDue ? at : record.lastCommentAt },
  };
}

/**
 * The facts of a stopped task that a reportable classification of its event is about.
 * `receivedAt` stands in for the stop time when the event carries no readable one.
 */
export function stoppedTaskOf(
  event: EcsTaskStateChange,
  classification: ReportableStop,
  receivedAt: Date,
): StoppedTask {
  const { detail } = event;
  const blamed =
    detail.containers.find((container) => container.name === classification.container) ??
    detail.containers.find((container) => container.name === PHOENIX_APP.containerName) ??
    detail.containers[0];
  const clusterResource = parseArn(detail.clusterArn)?.resource ?? detail.clusterArn;
  const taskResource = parseArn(detail.taskArn)?.resource ?? detail.taskArn;
  return {
    classification,
    taskArn: detail.taskArn,
    // task/<cluster>/<id>, or task/<id> in the old ARN format.
    taskId: taskResource.split("/").at(-1) ?? taskResource,
    region: event.region,
    cluster: clusterResource.replace(/^cluster\//, ""),
    service: serviceNameOf(detail),
    group: detail.group,
    container: blamed?.name ?? classification.container ?? PHOENIX_APP.containerName,
    exitCode: typeof blamed?.exitCode === "number" ? blamed.exitCode : undefined,
    stopCode: detail.stopCode,
    stoppedReason: detail.stoppedReason,
    containerReason: blamed?.reason,
    image: blamed?.image,
    imageDigest: blamed?.imageDigest,
    taskDefinitionArn: detail.taskDefinitionArn,
    stoppedAt:
      [detail.stoppedAt, detail.updatedAt, event.time]
        .map((text) => (text === undefined ? undefined : new Date(text)))
        .find((date): date is Date => date !== undefined && !Number.isNaN(date.getTime())) ?? receivedAt,
  };
}

/**
 * The line a stop's signature is made of. A crash is told apart by what the process said last
 * (`lastErrorLine`). Failing to start and failing health checks are stated by ECS itself: their
 * logs are absent or ordinary request logs that differ every time, so ECS's reason is the line.
 */
export function signatureLineOf(stop: StoppedTask, logLines: readonly string[]): string | undefined {
  const { classification } = stop;
  if (classification.kind === "failed-to-start" || classification.kind === "failed-health-check") {
    return classification.reason;
  }
  return lastErrorLine(logLines, stop.containerReason);
}

/**
 * The line that says why the process died: the last line carrying the app's crash message or
 * logged by pino at error level or above (50), as `msg: ErrorType: message`; else the last
 * plain-text error line (`TypeError: …`, what Node prints for an uncaught exception); else the
 * container's reason from ECS; else the last line.
 */
export function lastErrorLine(lines: readonly string[], containerReason: string | undefined): string | undefined {
  const nonBlank = lines.map((line) => line.trim()).filter((line) => line.length > 0);
  for (let i = nonBlank.length - 1; i >= 0; i--) {
    const line = nonBlank[i] as string;
    const pino = pinoErrorOf(line);
    if (pino !== undefined) return pino;
    if (line.includes(PHOENIX_APP.crashLogLine)) return line;
  }
  const plainError = nonBlank.findLast((line) => PLAIN_ERROR_LINE.test(line));
  return plainError ?? containerReason ?? nonBlank.at(-1);
}

// "TypeError: …", "MongoServerError: …", "Error [ERR_X]: …", "Uncaught Error: …".
const PLAIN_ERROR_LINE = /^(?:Uncaught )?[A-Z]?[A-Za-z]*(?:Error|Exception)(?: \[[A-Z0-9_]+\])?: \S/;
const PINO_ERROR_LEVEL = 50;

function pinoErrorOf(line: string): string | undefined {
  if (!line.startsWith("{")) return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof entry !== "object" || entry === null) return undefined;
  const { level, msg, err } = entry as { level?: unknown; msg?: unknown; err?: unknown };
  const isError = typeof level === "number" ? level >= PINO_ERROR_LEVEL : level === "error" || level === "fatal";
  if (!isError) return undefined;
  const message = typeof msg === "string" ? msg : "";
  const cause = errorText(err);
  if (cause === undefined || message.includes(cause)) return message || line;
  return message ? `${message}: ${cause}` : cause;
}

// pino's err serializer: { type, message, stack }; a rejection with a non-Error reason may be anything.
function errorText(err: unknown): string | undefined {
  if (typeof err === "string") return err;
  if (typeof err !== "object" || err === null) return undefined;
  const { type, message } = err as { type?: unknown; message?: unknown };
  if (typeof message !== "string") return undefined;
  return typeof type === "string" ? `${type}: ${message}` : message;
}

/** What the fingerprint is made of: the kind is part of it, so a health-check kill never joins a crash. */
export function crashIdentityOf(stop: StoppedTask, signatureLine: string | undefined): CrashIdentity {
  const { kind } = stop.classification;
  return {
    service: stop.service ?? stop.group ?? "standalone",
    container: stop.container,
    // A task stopped for its health checks exits 143 or 137 depending on how fast it let go
    // of SIGTERM; that says nothing about the failure.
    exitCode: kind === "failed-health-check" ? null : stop.exitCode,
    lastErrorLine: kind === "crash" ? (signatureLine ?? "") : `${kind}: ${signatureLine ?? ""}`,
  };
}

const KIND_NAMES: Readonly<Record<CrashKind, string>> = {
  crash: "Crashed",
  "oom-killed": "OOM-killed",
  "failed-to-start": "Failed to start",
  "failed-health-check": "Failed health checks",
};

export function crashIssueTitle(stop: StoppedTask, signatureLine: string | undefined): string {
  const { classification, container, exitCode } = stop;
  const head = (() => {
    switch (classification.kind) {
      case "crash":
        return `Crash: ${container} exited ${exitCode ?? "non-zero"}`;
      case "oom-killed":
        return `Crash: ${container} OOM-killed${exitCode === undefined ? "" : ` (exit ${exitCode})`}`;
      case "failed-to-start":
        return `Failed to start: ${container}`;
      case "failed-health-check":
        return `Failed ${classification.check === "load-balancer" ? "load balancer" : "container"} health checks: ${container}`;
    }
  })();
  if (!signatureLine) return head;
  return `${head} — ${shorten(oneLine(signatureLine), TITLE_LINE_CHARS)}`;
}

function renderCrashIssueBody(
  fingerprint: string,
  stop: StoppedTask,
  evidence: CrashEvidence,
  counts: { occurrences: number; firstSeenAt: string; lastSeenAt: string },
  closedIssue: number | undefined,
): string {
  const { classification } = stop;
  const taskUrl = ecsTaskConsoleUrl(stop.region, stop.cluster, stop.taskId);
  const serviceUrl = stop.service ? ecsServiceConsoleUrl(stop.region, stop.cluster, stop.service) : undefined;
  const kind =
    classification.kind === "failed-health-check"
      ? `failed health checks (${classification.check === "load-balancer" ? "load balancer" : "container"})`
      : { crash: "crash", "oom-killed": "OOM-killed", "failed-to-start": "failed to start" }[classification.kind];
  const image = stop.image ?? "—";
  const digest =
    stop.imageDigest && !image.includes(stop.imageDigest) ? ` (running ${codeCell(stop.imageDigest)})` : "";
  const rows: (readonly [string, string])[] = [
    ["Kind", kind],
    [
      "Service",
      stop.service ? codeCell(stop.service) : `— (standalone task${stop.group ? `, ${codeCell(stop.group)}` : ""})`,
    ],
    ["Container", codeCell(stop.container)],
    ["Exit code", stop.exitCode === undefined ? "—" : String(stop.exitCode)],
    ["Stop code", stop.stopCode ? codeCell(stop.stopCode) : "—"],
    ["Stopped reason", stop.stoppedReason ? codeCell(stop.stoppedReason) : "—"],
    ["Container reason", stop.containerReason ? codeCell(stop.containerReason) : "—"],
    // For the other kinds the signature line is ECS's reason, shown above.
    ...(classification.kind === "crash" || classification.kind === "oom-killed"
      ? [
          [
            "Last error line",
            evidence.signatureLine ? codeCell(shorten(evidence.signatureLine, LOG_LINE_CHARS)) : "—",
          ] as const,
        ]
      : []),
    ["Task", `[${stop.taskId}](${taskUrl}) — ${codeCell(stop.taskArn)}`],
    ["Task definition", codeCell(stop.taskDefinitionArn)],
    ["Image", `${stop.image ? codeCell(image) : image}${digest}`],
    [
      "Built from",
      evidence.commit
        ? `[${evidence.commit.sha.slice(0, 12)}](${evidence.commit.url})`
        : "unknown (the image is not tagged with a commit sha)",
    ],
    ["Occurrences", String(counts.occurrences)],
    ["First seen", counts.firstSeenAt],
    ["Last seen", counts.lastSeenAt],
  ];
  const headline = {
    crash: `Container ${codeCell(stop.container)} exited with code ${stop.exitCode ?? "non-zero"} and stopped its task.`,
    "oom-killed": `Container ${codeCell(stop.container)} was killed for running out of memory.`,
    "failed-to-start": "A task failed to start.",
    "failed-health-check": "A task was stopped because it failed its health checks.",
  }[classification.kind];
  return [
    `<!-- ${CRASH_MARKER_PREFIX}:${fingerprint} -->`,
    `${headline}${stop.service ? " The service starts a replacement." : ""} This issue stays open until a person closes it.`,
    ...(closedIssue === undefined ? [] : ["", `Seen before in #${closedIssue}, which was closed.`]),
    "",
    factTable(rows),
    "",
    `### Last log lines of the most recent task (${evidence.logLines.length})`,
    "",
    evidence.logLines.length
      ? fenced(evidence.logLines, LOG_LINE_CHARS)
      : `_No log lines in ${codeCell(evidence.logStream)}._`,
    "",
    "### Links",
    "",
    `- [Task in the ECS console](${taskUrl})`,
    ...(serviceUrl ? [`- [Service in the ECS console](${serviceUrl})`] : []),
    ...evidence.logLinks.map((link) => `- Log stream ${link}`),
    ...(evidence.commit ? [`- [Commit ${evidence.commit.sha}](${evidence.commit.url})`] : []),
  ].join("\n");
}

function earliest(a: string | undefined, b: string): string {
  return a !== undefined && a < b ? a : b;
}

function latest(a: string | undefined, b: string): string {
  return a !== undefined && a > b ? a : b;
}
