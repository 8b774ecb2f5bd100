import { OPS_BOT_ENV } from "@phoenix/shared";
import { describe, expect, it } from "vitest";
import { BotConfigError, readTargetRepository } from "../../src/index.js";

describe("the repository AWS events are reported to", () => {
  it("reads owner/name from the variable named in @phoenix/shared", () => {
    expect(readTargetRepository({ [OPS_BOT_ENV.targetRepository]: "octo-org/phoenix.app" })).toEqual({
      owner: "octo-org",
      repo: "phoenix.app",
    });
  });

  it("explains what is missing when the variable is unset", () => {
    expect(() => readTargetRepository({})).toThrow(/PHOENIX_TARGET_REPOSITORY is required/);
  });

  it.each(["octo-org", "octo-org/", "/phoenix", "octo--org/phoenix", "-octo/phoenix", "octo/phoenix/extra", "octo/.."])(
    "rejects %j with a message naming the variable",
    (value) => {
      expect(() => readTargetRepository({ [OPS_BOT_ENV.targetRepository]: value })).toThrow(BotConfigError);
      expect(() => readTargetRepository({ [OPS_BOT_ENV.targetRepository]: value })).toThrow(
        /PHOENIX_TARGET_REPOSITORY must look like owner\/name/,
      );
    },
  );
});
