import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkDependencyRule, findCycles, readSources, type SourceFile } from "./dependency-rule.js";

const sources = readSources(fileURLToPath(new URL("../../src/", import.meta.url)));
const file = (path: string, ...imports: string[]): SourceFile => ({
  path,
  text: imports.map((specifier) => `import { x } from "${specifier}";`).join("\n"),
});

describe("the ops bot's dependency rule: entry → wiring → intake → domain → ports ← adapters", () => {
  it("holds for every file of src", () => {
    expect(sources.length).toBeGreaterThan(50);
    expect(checkDependencyRule(sources)).toEqual([]);
  });

  it("has no import cycle in src", () => {
    expect(findCycles(sources)).toEqual([]);
  });

  it("catches domain code that imports an adapter, even for a type", () => {
    const violations = checkDependencyRule([
      {
        path: "domain/delivery/deploy-event-handler.ts",
        text: 'import type { X } from "../../adapters/aws/codebuild-image-builder.js";',
      },
    ]);
    expect(violations).toEqual([
      {
        file: "domain/delivery/deploy-event-handler.ts",
        imports: "adapters/aws/codebuild-image-builder.ts",
        rule: "domain may not import adapters",
      },
    ]);
  });

  it("catches an adapter that reaches into the domain, and intake that reaches into the wiring", () => {
    const violations = checkDependencyRule([
      file("adapters/github/octokit-issue-tracker.ts", "../../domain/notifications/alarm-issue.js"),
      file("intake/http/ops-bot-server.ts", "../../wiring/ops-services.js"),
    ]);
    expect(violations.map((violation) => violation.rule)).toEqual([
      "adapters may not import domain",
      "intake may not import wiring",
    ]);
  });

  it("keeps SDKs, transports and file I/O out of the domain and the ports", () => {
    const violations = checkDependencyRule([
      file("domain/notifications/crash-issue.ts", "@aws-sdk/client-ecs", "node:fs", "node:crypto", "@phoenix/shared"),
      file("ports/issue-tracker.ts", "probot"),
    ]);
    expect(violations.map((violation) => `${violation.file}: ${violation.imports}`)).toEqual([
      "domain/notifications/crash-issue.ts: @aws-sdk/client-ecs",
      "domain/notifications/crash-issue.ts: node:fs",
      "ports/issue-tracker.ts: probot",
    ]);
  });

  it("lets nothing import the entry points or the testing entry", () => {
    const violations = checkDependencyRule([
      file("wiring/plain-server.ts", "../entry/lambda.js"),
      file("domain/commands/help.ts", "../../testing/staging-ops-config.js"),
    ]);
    expect(violations.map((violation) => violation.rule)).toEqual([
      "wiring may not import entry",
      "domain may not import testing",
    ]);
  });

  it("finds a cycle of two files and one through three", () => {
    const cycles = findCycles([
      file("wiring/a.ts", "./b.js"),
      file("wiring/b.ts", "./a.js"),
      file("domain/x.ts", "./y.js"),
      file("domain/y.ts", "./z.js"),
      file("domain/z.ts", "./x.js"),
      file("domain/leaf.ts"),
    ]);
    expect(cycles).toEqual([
      ["wiring/a.ts", "wiring/b.ts"],
      ["domain/x.ts", "domain/y.ts", "domain/z.ts"],
    ]);
  });
});
