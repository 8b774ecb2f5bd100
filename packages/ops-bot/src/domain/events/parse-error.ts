import type { z } from "zod";

/** One problem found in an event: where (`detail.containers[0].name`) and what. */
export interface EventIssue {
  readonly path: string;
  readonly problem: string;
}

/**
 * An AWS event or message that does not have the documented shape. The message names the
 * event kind, the path of the first bad field and the problem
 * ("ECS Task State Change: detail.taskArn is required"); `issues` lists every problem.
 * Messages never echo field values, so a rejected payload cannot leak into a log line.
 */
export class EventParseError extends Error {
  override readonly name = "EventParseError";
  /** Path of the first bad field; `""` when the whole input is wrong (not JSON, not an object). */
  readonly path: string;
  readonly issues: readonly EventIssue[];

  constructor(
    /** What was being parsed, e.g. "SNS HTTP message" or "CodeBuild Build State Change". */
    readonly eventKind: string,
    issues: readonly EventIssue[],
  ) {
    const first = issues[0] ?? { path: "", problem: "is invalid" };
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : "";
    super(`${eventKind}: ${describe(first)}${more}`);
    this.path = first.path;
    this.issues = issues;
  }
}

function describe(issue: EventIssue): string {
  return issue.path === "" ? issue.problem : `${issue.path} ${issue.problem}`;
}

/** `["detail", "containers", 0, "name"]` → `detail.containers[0].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

/** Parses `input` with `schema`, or throws an `EventParseError` naming each bad field's path. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, eventKind: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: formatPath(issue.path),
    // zod says "expected string, received undefined"; a reader wants "is required".
    problem:
      issue.code === "invalid_type" && valueAt(input, issue.path) === undefined
        ? "is required"
        : `is invalid: ${issue.message}`,
  }));
  throw new EventParseError(eventKind, issues);
}

/** `JSON.parse` that fails as an `EventParseError` (the SNS body and an alarm's Message are JSON text). */
export function parseJsonText(text: string, eventKind: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new EventParseError(eventKind, [{ path: "", problem: "is not valid JSON" }]);
  }
}

/**
 * AWS writes times as ISO 8601, sometimes with a `+0000` offset (CloudWatch alarms). Returns
 * the instant, or throws naming the field.
 */
export function parseAwsTimestamp(value: string, eventKind: string, path: string): Date {
  const date = new Date(value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  if (Number.isNaN(date.getTime())) {
    throw new EventParseError(eventKind, [{ path, problem: "is not an ISO 8601 timestamp" }]);
  }
  return date;
}
