import { defineProject } from "vitest/config";
import { testServiceEnv } from "../../vitest.shared.js";

export default defineProject({
  test: {
    name: "app",
    include: ["test/**/*.test.ts"],
    env: testServiceEnv(),
    // Process and database tests start real servers; generous, never relied on for speed.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
