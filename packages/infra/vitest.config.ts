import { defineProject } from "vitest/config";
import { testServiceEnv } from "../../vitest.shared.js";

export default defineProject({
  // Loading aws-cdk-lib takes seconds on first import; synthesis is not what is timed here.
  test: {
    name: "infra",
    include: ["test/**/*.test.ts"],
    env: testServiceEnv(),
    testTimeout: 60_000,
    // In one run over every package (scripts/run-tests.mjs), after the ops-bot project (groupOrder 1):
    // its flow tests write the AWS call recordings that test/policy checks against the templates.
    sequence: { groupOrder: 2 },
  },
});
