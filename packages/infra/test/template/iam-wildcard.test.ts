import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchesWildcard } from "../../src/template/index.js";

// Characters of ARNs and actions, plus the two wildcards and regex metacharacters that a
// regex-based matcher would get wrong.
const arnCharacter = fc.constantFrom(..."aAbB:/-_.*?+()[]$^|\\0".split(""));
const text = fc.string({ unit: arnCharacter, maxLength: 14 });
const literal = fc.string({ unit: fc.constantFrom(..."aAbB:/-_.+()[]$^|\\0".split("")), maxLength: 14 });

/** An independent oracle: the pattern as an anchored regular expression. */
function oracle(pattern: string, value: string, ignoreCase = false): boolean {
  const source = [...pattern]
    .map((c) => (c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

describe("IAM wildcard matching", () => {
  it("agrees with a regular-expression oracle on any pattern and value", () => {
    fc.assert(
      fc.property(text, text, fc.boolean(), (pattern, value, ignoreCase) => {
        expect(matchesWildcard(pattern, value, { ignoreCase })).toBe(oracle(pattern, value, ignoreCase));
      }),
      { numRuns: 3000 },
    );
  });

  it("matches a value against itself when it holds no wildcard, and nothing else of another length", () => {
    fc.assert(
      fc.property(literal, literal, (value, other) => {
        expect(matchesWildcard(value, value)).toBe(true);
        if (other.length !== value.length) expect(matchesWildcard(value, other)).toBe(false);
      }),
    );
  });

  it("matches any value once a run of it is replaced by * or a character by ?", () => {
    fc.assert(
      fc.property(literal, fc.nat(), fc.nat(), fc.boolean(), (value, a, b, star) => {
        const start = value.length === 0 ? 0 : a % value.length;
        const end = star ? start + (value.length === 0 ? 0 : b % (value.length - start + 1)) : start + 1;
        if (!star && value.length === 0) return;
        const pattern = `${value.slice(0, start)}${star ? "*" : "?"}${value.slice(end)}`;
        expect(matchesWildcard(pattern, value)).toBe(true);
      }),
    );
  });

  it("compares resources case-sensitively and actions, when asked, case-insensitively", () => {
    expect(matchesWildcard("arn:aws:ecs:*:*:service/Web/*", "arn:aws:ecs:eu-west-1:1:service/web/x")).toBe(false);
    expect(matchesWildcard("ecs:update*", "ecs:UpdateService", { ignoreCase: true })).toBe(true);
    expect(matchesWildcard("ECS:UpdateService", "ecs:updateservice", { ignoreCase: true })).toBe(true);
  });

  it("lets * match nothing and ? exactly one character", () => {
    expect(matchesWildcard("log-group:/a:*", "log-group:/a:")).toBe(true);
    expect(matchesWildcard("task-definition/web:?", "task-definition/web:12")).toBe(false);
    expect(matchesWildcard("task-definition/web:??", "task-definition/web:12")).toBe(true);
    expect(matchesWildcard("*", "")).toBe(true);
    expect(matchesWildcard("?", "")).toBe(false);
  });
});
