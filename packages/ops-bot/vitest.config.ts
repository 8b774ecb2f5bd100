import { defineProject } from "vitest/config";
import { testServiceEnv } from "../../vitest.shared.js";

export default defineProject({
  // Flow tests start servers and generate keys: generous limits, never relied on for speed.
  test: {
    name: "ops-bot",
    include: ["test/**/*.test.ts"],
    env: testServiceEnv(),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // In one run over every package (scripts/run-tests.mjs): before infra (groupOrder 2), which
    // checks the AWS calls these flow tests record. Not 0: with one worker, vitest runs the
    // group-0 projects last, one file at a time.
    sequence: { groupOrder: 1 },
  },
});
