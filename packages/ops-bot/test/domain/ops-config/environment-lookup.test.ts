import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { environmentNamed } from "../../../src/domain/ops-config/ops-config-schema.js";
import { parseOpsConfig } from "../../../src/domain/ops-config/parse-ops-config.js";

// A config typed by hand: two environments, the rest defaulted.
const parsed = parseOpsConfig({
  environments: { staging: { region: "eu-west-1" }, production: { region: "eu-west-1" } },
});
if (!parsed.ok) throw new Error("the test config must parse");
const config = parsed.config;

/** Names every plain object answers to, although no config defines them. */
const BUILT_IN_NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"];

describe("environmentNamed", () => {
  it("finds the configured environments", () => {
    expect(environmentNamed(config, "staging")?.name).toBe("staging");
    expect(environmentNamed(config, "production")?.name).toBe("production");
  });

  it.each(BUILT_IN_NAMES)("finds no environment named %j", (name) => {
    expect(environmentNamed(config, name)).toBeUndefined();
  });

  it("finds an environment exactly when the config defines that name", () => {
    const names = fc.oneof(fc.constantFrom(...BUILT_IN_NAMES, "staging", "production"), fc.string());
    fc.assert(
      fc.property(names, (name) => {
        const found = environmentNamed(config, name);
        expect(found !== undefined).toBe(name === "staging" || name === "production");
        if (found) expect(found.name).toBe(name);
      }),
    );
  });
});
