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
  },
});
