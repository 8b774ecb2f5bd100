import { defineConfig } from "vitest/config";
import "./vitest.shared.js";

// One run over every package, so CI gets a single pass/fail count.
export default defineConfig({
  test: {
    projects: ["packages/*"],
  },
});
