import { defineProject } from "vitest/config";
import { testServiceEnv } from "../../vitest.shared.js";

export default defineProject({
  // These tests start servers, registries and browsers: generous limits, never relied on for speed.
  test: {
    name: "oci-builder",
    include: ["test/**/*.test.ts"],
    env: testServiceEnv(),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
