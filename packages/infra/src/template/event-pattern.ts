/**
 * EventBridge's event-pattern matching ("Amazon EventBridge event patterns" in the EventBridge
 * user guide), for the forms the synthesized rules and their tests use: exact values, `prefix`,
 * `suffix`, `anything-but` (values or a filter), `exists`, `equals-ignore-case`, `wildcard`, and
 * nested fields. A field of the pattern matches when the event's value (or, for an array, any of
 * its elements) equals one of the listed values or passes one of the listed filters; every field
 * of the pattern must match. A filter outside these throws rather than guessing.
 */

export class UnsupportedEventPatternError extends Error {
  override readonly name = "UnsupportedEventPatternError";
}

export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  if (typeof pattern !== "object" || pattern === null || Array.isArray(pattern)) {
    throw new UnsupportedEventPatternError(`an event pattern is an object of fields, got ${JSON.stringify(pattern)}`);
  }
  return Object.entries(pattern).every(([field, expected]) => {
    const actual =
      typeof event === "object" && event !== null && Object.hasOwn(event, field)
        ? (event as Record<string, unknown>)[field]
        : undefined;
    if (Array.isArray(expected)) return matchesField(expected, actual);
    return matchesEventPattern(expected, actual);
  });
}

function matchesField(alternatives: readonly unknown[], actual: unknown): boolean {
  // Every alternative is read before the event is, so an unknown filter fails whatever the event.
  const tests = alternatives.map(valueTest);
  // `exists: false` matches a missing field; every other filter needs a value.
  const values = actual === undefined ? [] : Array.isArray(actual) ? actual : [actual];
  return tests.some((test) => (test.onPresence ? test.onPresence(values.length > 0) : values.some(test.onValue)));
}

interface ValueTest {
  readonly onValue: (value: unknown) => boolean;
  /** Set for `exists`, which asks about the field rather than a value. */
  readonly onPresence?: (present: boolean) => boolean;
}

function isFilter(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function valueTest(alternative: unknown): ValueTest {
  if (!isFilter(alternative)) return { onValue: (value) => alternative === value };
  const entries = Object.entries(alternative);
  const [entry] = entries;
  if (entries.length !== 1 || !entry) {
    throw new UnsupportedEventPatternError(`a content filter has one key, got ${JSON.stringify(alternative)}`);
  }
  const [filter, argument] = entry;
  const onText = (test: (value: string, argument: string) => boolean): ValueTest => ({
    onValue: (value) => typeof value === "string" && typeof argument === "string" && test(value, argument),
  });
  switch (filter) {
    case "exists":
      return { onValue: () => false, onPresence: (present) => present === argument };
    case "prefix":
      return onText((value, prefix) => value.startsWith(prefix));
    case "suffix":
      return onText((value, suffix) => value.endsWith(suffix));
    case "equals-ignore-case":
      return onText((value, other) => value.toLowerCase() === other.toLowerCase());
    case "wildcard":
      return onText((value, pattern) => wildcard(pattern).test(value));
    case "anything-but": {
      if (isFilter(argument)) {
        const inner = valueTest(argument);
        return { onValue: (value) => !inner.onValue(value) };
      }
      const excluded = Array.isArray(argument) ? argument : [argument];
      return { onValue: (value) => !excluded.includes(value) };
    }
    default:
      throw new UnsupportedEventPatternError(
        `content filter "${filter}" is not one this matcher evaluates (add it to @phoenix/infra's template/event-pattern.ts)`,
      );
  }
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`, "s");
}
