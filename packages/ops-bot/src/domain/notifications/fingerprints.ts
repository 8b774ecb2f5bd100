/**
 * Fingerprints the bot dedupes GitHub issues on: one open issue per alarm, and one per kind
 * of crash however many tasks hit it. Deterministic and short: the first 16 hex digits of a
 * SHA-256 over the identifying parts.
 */
import { createHash } from "node:crypto";
import type { RepositoryRef } from "../../ports/repository-gateway.js";
import { parseArn } from "../events/arn.js";

const FINGERPRINT_HEX_DIGITS = 16;

function fingerprint(parts: readonly (string | number | null)[]): string {
  // JSON keeps the parts apart: ["a-b", "c"] and ["a", "b-c"] cannot collide.
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, FINGERPRINT_HEX_DIGITS);
}

/**
 * Where an issue is kept. Part of every fingerprint: the issue number a fingerprint's record
 * holds means something in one repository only, and two repositories' environments may run
 * services of the same name (in different accounts).
 */
export interface IssuePlace {
  readonly repository: RepositoryRef;
  readonly environment: string;
}

const placeParts = ({ repository, environment }: IssuePlace) => [
  `${repository.owner}/${repository.repo}`.toLowerCase(),
  environment,
];

/** An alarm's identity; an `AlarmStateChange` is one. */
export interface AlarmIdentity {
  readonly accountId: string;
  readonly region: string;
  readonly alarmName: string;
}

export class InvalidAlarmArnError extends Error {
  override readonly name = "InvalidAlarmArnError";
}

/**
 * The fingerprint of an alarm, from its ARN or from account, Region and name; both give the
 * same fingerprint for the same alarm, whether it arrived by SNS or by EventBridge.
 */
export function alarmFingerprint(alarm: string | AlarmIdentity, place: IssuePlace): string {
  const { accountId, region, alarmName } = typeof alarm === "string" ? alarmIdentityFromArn(alarm) : alarm;
  return fingerprint(["alarm", ...placeParts(place), accountId, region, alarmName]);
}

function alarmIdentityFromArn(alarmArn: string): AlarmIdentity {
  const arn = parseArn(alarmArn);
  const prefix = "alarm:";
  if (arn?.service !== "cloudwatch" || !arn.resource.startsWith(prefix)) {
    throw new InvalidAlarmArnError(
      `"${alarmArn}" is not a CloudWatch alarm ARN (arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>)`,
    );
  }
  return { accountId: arn.account, region: arn.region, alarmName: arn.resource.slice(prefix.length) };
}

export interface CrashIdentity {
  /** The ECS service (from the task's group "service:<name>"). */
  readonly service: string;
  readonly container: string;
  /** `undefined`/`null` when ECS reported none (an OOM kill may carry 137 or nothing). */
  readonly exitCode: number | null | undefined;
  /** The last error line of the container's log, as read; normalised here. Omit when there are no logs. */
  readonly lastErrorLine?: string | undefined;
}

/**
 * The fingerprint of a crash. The error line is normalised first (see `normalizeErrorLine`),
 * so the same failure in two tasks, at two times, shares one fingerprint.
 */
export function crashFingerprint(crash: CrashIdentity, place: IssuePlace): string {
  return fingerprint([
    "crash",
    ...placeParts(place),
    crash.service,
    crash.container,
    crash.exitCode ?? null,
    normalizeErrorLine(crash.lastErrorLine ?? ""),
  ]);
}

// Order matters: whole timestamps and UUIDs go before the digit rules would cut them up.
const ERROR_LINE_NORMALISERS: readonly (readonly [RegExp, string])[] = [
  // ISO 8601 / RFC 3339 date-times, with optional seconds, fraction and offset.
  [/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/gi, "<time>"],
  // Bare dates and clock times.
  [/\b\d{4}[-/]\d{2}[-/]\d{2}\b/g, "<time>"],
  [/\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, "<time>"],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>"],
  [/\b0x[0-9a-f]+\b/gi, "<hex>"],
  // IPv4 addresses, with an optional port: a task's address changes with every task.
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, "<ip>"],
  // Long numbers: epoch times, counters, large pids.
  [/\b\d{6,}\b/g, "<n>"],
  // Hex ids: ECS task ids, ObjectIds, digests, request ids (8+ hex digits, at least one a digit).
  [/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, "<hex>"],
  // Numbers inside identifiers and paths, and JSON number values: worker-3, req_42,
  // ip-10-0-1-2, /users/123, "pid":7.
  [/(?<=[A-Za-z_\-/#=]|":)\d+|\d+(?=[A-Za-z_])/g, "<n>"],
  [/\s+/g, " "],
];

/**
 * An error line with what differs between occurrences of the same failure taken out:
 * timestamps, UUIDs, hex ids, IP addresses and numbers that are part of ids. Numbers standing
 * on their own (a status code, a port) are kept: they tell failures apart.
 */
export function normalizeErrorLine(line: string): string {
  let normalised = line;
  for (const [pattern, replacement] of ERROR_LINE_NORMALISERS) normalised = normalised.replace(pattern, replacement);
  return normalised.trim();
}
