import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EventParseError } from "../../src/domain/events/parse-error.js";

const directory = fileURLToPath(new URL("../fixtures/aws-events/", import.meta.url));

/** A documented AWS example (or a variant of one) and where it came from. */
export interface AwsFixture {
  readonly name: string;
  readonly source: string;
  readonly payload: unknown;
}

export function fixtureNames(): string[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length))
    .sort();
}

export function loadFixture(name: string): AwsFixture {
  const parsed = JSON.parse(readFileSync(`${directory}${name}.json`, "utf8")) as { source: string; payload: unknown };
  return { name, source: parsed.source, payload: parsed.payload };
}

/** A fixture's payload as an event object (`name` with or without `.json`); its `source` says where it came from. */
export function awsFixture(name: string): Record<string, unknown> {
  return loadFixture(name.replace(/\.json$/, "")).payload as Record<string, unknown>;
}

/** Marks a field to delete in `variantOf`. */
export const REMOVE = Symbol("remove");

/**
 * A copy of a fixture's payload with one field set (or removed), for malformed variants:
 * `variantOf("ecs-task-state-change-running", ["detail", "taskArn"], REMOVE)`.
 */
export function variantOf(name: string, path: readonly (string | number)[], value: unknown): unknown {
  const payload = structuredClone(loadFixture(name).payload);
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1];
  let parent: unknown = payload;
  for (const segment of parentPath) parent = (parent as Record<string | number, unknown>)[segment];
  if (key === undefined || parent === null || typeof parent !== "object")
    throw new Error(`no field at ${path.join(".")}`);
  const record = parent as Record<string | number, unknown>;
  if (value === REMOVE) delete record[key];
  else record[key] = value;
  return payload;
}

/** The `EventParseError` that `run` throws; fails the test if it throws nothing or something else. */
export function parseErrorFrom(run: () => unknown): EventParseError {
  try {
    run();
  } catch (error) {
    if (error instanceof EventParseError) return error;
    throw error;
  }
  throw new Error("expected an EventParseError, but nothing was thrown");
}
