import { defineProject } from "vitest/config";
import { testServiceEnv } from "../../vitest.shared.js";

export default defineProject({
  test: { name: "bench-kit", include: ["test/**/*.test.ts"], env: testServiceEnv() },
});
