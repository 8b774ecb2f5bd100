/**
 * Synth-time checks for construct props. Each throws a `PropValidationError` whose message
 * names the construct and the prop, so a bad value fails `cdk synth` with a fix in sight.
 * Values that are CDK tokens (unresolved until deploy) are passed through unchecked.
 */
import { Token } from "aws-cdk-lib";

export class PropValidationError extends Error {
  override readonly name = "PropValidationError";
}

export function requireIntegerInRange(
  construct: string,
  prop: string,
  value: number,
  min: number,
  max: number,
): number {
  if (Token.isUnresolved(value)) return value;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PropValidationError(`${construct}: ${prop} must be a whole number from ${min} to ${max}, got ${value}`);
  }
  return value;
}

export function requireNumberInRange(construct: string, prop: string, value: number, min: number, max: number): number {
  if (Token.isUnresolved(value)) return value;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new PropValidationError(`${construct}: ${prop} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

export function requireOrdered(construct: string, lowProp: string, low: number, highProp: string, high: number): void {
  if (Token.isUnresolved(low) || Token.isUnresolved(high)) return;
  if (low > high) {
    throw new PropValidationError(`${construct}: ${lowProp} (${low}) must not exceed ${highProp} (${high})`);
  }
}

export function requireOneOf<T>(construct: string, prop: string, value: T, allowed: readonly T[]): T {
  if (typeof value === "number" && Token.isUnresolved(value)) return value;
  if (!allowed.includes(value)) {
    throw new PropValidationError(`${construct}: ${prop} must be one of ${allowed.join(", ")}, got ${String(value)}`);
  }
  return value;
}

/**
 * The bring-your-own pair of a construct (`existingX` / `xProps`): a resource made elsewhere, or
 * overrides for the one the construct would create. Both at once is refused, because the
 * overrides would be silently ignored on a resource that already exists.
 */
export function requireExistingOrProps(
  construct: string,
  existingProp: string,
  existing: unknown,
  propsProp: string,
  props: unknown,
): void {
  if (existing !== undefined && props !== undefined) {
    throw new PropValidationError(`${construct}: give ${existingProp} or ${propsProp}, not both`);
  }
}

/**
 * A prop only a new resource needs (the `identity` that names it): optional in the props type,
 * because an existing resource makes it unnecessary, so checked here when the construct creates one.
 */
export function requireForNewResource<T>(
  construct: string,
  prop: string,
  value: T | undefined,
  existingProp: string,
): T {
  if (value === undefined) {
    throw new PropValidationError(`${construct}: ${prop} is required unless ${existingProp} is given`);
  }
  return value;
}
