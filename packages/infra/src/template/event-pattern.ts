/**
 * Whether an EventBridge event pattern matches an event, for the pattern forms the Phoenix
 * rules and their tests use (EventBridge user guide, "Event patterns" and "Content filtering"):
 * lists of exact values, `prefix`, `suffix`, `anything-but` (values or a prefix), `exists`,
 * `equals-ignore-case`, and nested objects. A field whose event value is a list matches when any
 * element does. A filter form outside these throws rather than guessing.
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  if (!pattern || typeof pattern !== "object" || Array.isArray(pattern)) {
    throw new UnsupportedEventPatternError(`a pattern is an object of fields, got ${JSON.stringify(pattern)}`);
  }
  return Object.entries(pattern as Record<string, unknown>).every(([field, expected]) =>
    matchesField(expected, (event as Record<string, unknown> | undefined)?.[field]),
  );
}

export class UnsupportedEventPatternError extends Error {
  override readonly name = "UnsupportedEventPatternError";
}

function matchesField(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) {
    const existence = expected.find(
      (filter): filter is { exists: boolean } => !!filter && typeof filter === "object" && "exists" in filter,
    );
    if (existence) return existence.exists === (actual !== undefined);
    if (actual === undefined) return false;
    const values = Array.isArray(actual) ? actual : [actual];
    return values.some((value) => expected.some((filter) => matchesValue(filter, value)));
  }
  if (expected && typeof expected === "object") {
    if (!actual || typeof actual !== "object" || Array.isArray(actual)) return false;
    return matchesEventPattern(expected, actual);
  }
  throw new UnsupportedEventPatternError(`a field's pattern is a list or an object, got ${JSON.stringify(expected)}`);
}

function matchesValue(filter: unknown, value: unknown): boolean {
  if (filter === null || typeof filter !== "object") return filter === value;
  const entries = Object.entries(filter as Record<string, unknown>);
  const [operator, operand] = entries[0] ?? [];
  if (entries.length !== 1) throw new UnsupportedEventPatternError(`unsupported filter ${JSON.stringify(filter)}`);
  switch (operator) {
    case "prefix":
      return typeof value === "string" && typeof operand === "string" && value.startsWith(operand);
    case "suffix":
      return typeof value === "string" && typeof operand === "string" && value.endsWith(operand);
    case "equals-ignore-case":
      return typeof value === "string" && typeof operand === "string" && value.toLowerCase() === operand.toLowerCase();
    case "anything-but": {
      if (operand && typeof operand === "object" && !Array.isArray(operand)) return !matchesValue(operand, value);
      const excluded = Array.isArray(operand) ? operand : [operand];
      return !excluded.includes(value);
    }
    default:
      throw new UnsupportedEventPatternError(`unsupported filter ${JSON.stringify(filter)}`);
  }
}
