import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  COMMAND_USAGE,
  type CommandParse,
  type OpsCommand,
  parseCommand,
  renderCommand,
} from "../../../src/domain/commands/command-grammar.js";
import { renderHelp } from "../../../src/domain/commands/help.js";

// Comment bodies here are typed by hand from the grammar in issue #5.

// Environment names by the resourceNames rule, built independently of the code under test:
// a letter, then letters/digits, single hyphens between runs, at most 27 characters.
const environmentName = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.array(fc.stringMatching(/^[a-z0-9]{1,5}$/), { maxLength: 3 }))
  .map(([head, rest]) => [head, ...rest].join("-"));

const taskCount = fc.integer({ min: 0, max: 1000 });
const bounds = fc.oneof(
  taskCount.map((n) => ({ min: n, max: n })),
  fc.tuple(taskCount, taskCount).map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) })),
);

const opsCommand: fc.Arbitrary<OpsCommand> = fc.oneof(
  fc.constant<OpsCommand>({ name: "help" }),
  fc.record(
    { name: fc.constantFrom("deploy" as const, "rollback" as const, "status" as const), environment: environmentName },
    { requiredKeys: ["name"] },
  ),
  fc.record({
    name: fc.constant("scale" as const),
    environment: environmentName,
    bounds: fc.oneof(fc.constant("reset" as const), bounds),
  }),
);

const blanks = fc.stringMatching(/^[ \t]{0,3}$/);
const separator = fc.stringMatching(/^[ \t]{1,3}$/);
const blankLines = fc.array(fc.stringMatching(/^[ \t]{0,2}(\r\n|\n|\r)$/), { maxLength: 3 }).map((l) => l.join(""));
const laterLines = fc.array(fc.string(), { maxLength: 3 }).map((lines) => lines.map((line) => `\n${line}`).join(""));

function commandOf(body: string): OpsCommand {
  const parsed = parseCommand(body);
  if (parsed.kind !== "command") throw new Error(`expected a command from ${JSON.stringify(body)}, got ${parsed.kind}`);
  return parsed.command;
}

function invalid(body: string): Extract<CommandParse, { kind: "invalid" }> {
  const parsed = parseCommand(body);
  if (parsed.kind !== "invalid") throw new Error(`expected invalid from ${JSON.stringify(body)}, got ${parsed.kind}`);
  return parsed;
}

describe("reading commands", () => {
  it.each<[string, OpsCommand]>([
    ["/deploy", { name: "deploy" }],
    ["/deploy staging", { name: "deploy", environment: "staging" }],
    ["/rollback production", { name: "rollback", environment: "production" }],
    ["/rollback", { name: "rollback" }],
    ["/status", { name: "status" }],
    ["/status eu-1", { name: "status", environment: "eu-1" }],
    ["/help", { name: "help" }],
    ["/scale staging 3", { name: "scale", environment: "staging", bounds: { min: 3, max: 3 } }],
    ["/scale staging 2-6", { name: "scale", environment: "staging", bounds: { min: 2, max: 6 } }],
    ["/scale staging 0", { name: "scale", environment: "staging", bounds: { min: 0, max: 0 } }],
    ["/scale staging 1000", { name: "scale", environment: "staging", bounds: { min: 1000, max: 1000 } }],
    ["/scale staging reset", { name: "scale", environment: "staging", bounds: "reset" }],
    ["/scale reset 2", { name: "scale", environment: "reset", bounds: { min: 2, max: 2 } }],
  ])("reads %j", (body, command) => {
    expect(parseCommand(body)).toEqual({ kind: "command", command });
  });

  it("reads only the first non-empty line, with any spaces and tabs around and between tokens", () => {
    const body = "\r\n  \n\t /scale \t staging   2-4 \t\r\nPlease scale up, traffic is coming.\n/deploy production";
    expect(commandOf(body)).toEqual({ name: "scale", environment: "staging", bounds: { min: 2, max: 4 } });
  });

  it("ignores a command on a later line", () => {
    expect(parseCommand("Looks good!\n/deploy production")).toEqual({ kind: "none" });
  });
});

describe("comments that are not commands", () => {
  it.each([
    "",
    "   \n\t\n",
    "LGTM",
    "Please /deploy staging",
    "> /deploy staging",
    "`/deploy staging`",
    "/",
    "/ deploy",
    "/usr/bin/node crashed",
    "/Deploy staging",
    "/DEPLOY",
    "/deploy,staging",
    "/deploy\u00a0staging",
    "/1deploy",
    "/-deploy",
    "https://example.com/deploy",
    "//deploy",
  ])("stays quiet for %j", (body) => {
    expect(parseCommand(body)).toEqual({ kind: "none" });
  });

  it.each([
    ["/foo", "foo"],
    ["/deploy-all now", "deploy-all"],
    ["/scale-up", "scale-up"],
    ["/helpme", "helpme"],
  ])("answers %j as the unknown command %j", (body, name) => {
    expect(parseCommand(body)).toEqual({ kind: "unknown", name });
  });
});

describe("invalid commands", () => {
  it.each<[string, OpsCommand["name"], RegExp]>([
    ["/help me", "help", /^\/help takes no arguments, but got `me`$/],
    ["/deploy staging now", "deploy", /^\/deploy takes at most an environment, but got also `now`$/],
    ["/rollback staging production", "rollback", /takes at most an environment, but got also `production`/],
    ["/status a b c", "status", /but got also `b c`/],
    ["/scale staging 2 4", "scale", /takes an environment and task counts, but got also `4`/],
    ["/scale", "scale", /^\/scale needs an environment and task counts$/],
    ["/scale 3", "scale", /^\/scale needs an environment before `3`$/],
    ["/scale 2-4", "scale", /needs an environment before `2-4`/],
    ["/scale reset", "scale", /needs an environment before `reset`/],
    ["/scale staging", "scale", /needs task counts after the environment: <min>\[-<max>\] or reset/],
    [
      "/scale staging three",
      "scale",
      /^`three` is not a task count: give <min>\[-<max>\] \(e\.g\. 2 or 2-4\) or reset$/,
    ],
    ["/scale staging 2.5", "scale", /`2\.5` is not a task count/],
    ["/scale staging 2-", "scale", /`2-` is not a task count/],
    ["/scale staging 1-2-3", "scale", /`1-2-3` is not a task count/],
    ["/scale staging 6-3", "scale", /^min 6 is greater than max 3$/],
    ["/scale staging -1", "scale", /^task counts cannot be negative: `-1`$/],
    ["/scale staging 2--4", "scale", /cannot be negative: `2--4`/],
    ["/scale staging +3", "scale", /^write task counts without a sign: `\+3`$/],
    ["/scale staging 2-+3", "scale", /without a sign/],
    ["/scale staging 1001", "scale", /^1001 is more than 1000, the most tasks \/scale sets$/],
    ["/scale staging 2-5000", "scale", /^5000 is more than 1000/],
    ["/scale staging 99999999999999999999999", "scale", /^999999999999… is more than 1000/],
    ["/deploy Staging", "deploy", /^`Staging` is not an environment name: it must be lower-case letters/],
    ["/deploy prod_1", "deploy", /`prod_1` is not an environment name/],
    ["/deploy prod-", "deploy", /`prod-` is not an environment name/],
    ["/deploy pr--od", "deploy", /`pr--od` is not an environment name/],
    ["/status 1prod", "status", /`1prod` is not an environment name/],
    ["/scale Staging 2", "scale", /`Staging` is not an environment name/],
    ["/deploy abcdefghijklmnopqrstuvwxyz12", "deploy", /is not an environment name: it is too long/],
  ])("refuses %j", (body, name, problem) => {
    const parsed = invalid(body);
    expect(parsed.name).toBe(name);
    expect(parsed.problem).toMatch(problem);
    expect(parsed.usage).toBe(COMMAND_USAGE[name]);
  });

  it("quotes what users typed in code, so mentions in it notify nobody", () => {
    expect(invalid("/deploy @org/everyone").problem).toMatch(/^`@org\/everyone` is not an environment name/);
    expect(invalid("/status staging @octocat").problem).toMatch(/got also `@octocat`/);
  });
});

describe("usage and help", () => {
  it("spells each command's usage", () => {
    expect(COMMAND_USAGE).toEqual({
      deploy: "/deploy [environment]",
      rollback: "/rollback [environment]",
      scale: "/scale <environment> <min>[-<max>] | /scale <environment> reset",
      status: "/status [environment]",
      help: "/help",
    });
  });

  it("lists every usage form in a markdown table with a description", () => {
    const help = renderHelp();
    expect(help).toContain("| Command | What it does |");
    for (const usage of Object.values(COMMAND_USAGE).flatMap((u) => u.split(" | "))) {
      expect(help).toMatch(new RegExp(`^\\| \`${usage.replace(/[[\]|]/g, "\\$&")}\` \\| \\S.* \\|$`, "m"));
    }
  });
});

describe("grammar properties", () => {
  const commandWord = fc.constantFrom("/deploy", "/rollback", "/scale", "/status", "/help");
  const nearMissToken = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.string({ unit: "binary", maxLength: 8 }),
    fc.constantFrom("staging", "reset", "3", "2-4", "-1", "+2", "1001", "6-3", "Prod", "2--4", "0", "007", "1e3"),
  );
  const nearMiss = fc
    .tuple(blankLines, commandWord, fc.array(fc.tuple(separator, nearMissToken), { maxLength: 4 }), blanks, laterLines)
    .map(([before, word, args, after, later]) => `${before}${word}${args.flat().join("")}${after}${later}`);

  it("never throws, whatever the comment", () => {
    const answers = (body: string) => {
      const parsed = parseCommand(body);
      expect(["none", "command", "unknown", "invalid"]).toContain(parsed.kind);
    };
    fc.assert(fc.property(fc.string(), answers), { numRuns: 500 });
    fc.assert(fc.property(fc.string({ unit: "binary" }), answers), { numRuns: 500 });
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), answers), { numRuns: 200 });
    fc.assert(fc.property(nearMiss, answers), { numRuns: 1000 });
  });

  it("reads back every rendered command, whatever surrounds it", () => {
    fc.assert(
      fc.property(opsCommand, blankLines, blanks, blanks, laterLines, (command, before, indent, after, later) => {
        expect(parseCommand(renderCommand(command))).toEqual({ kind: "command", command });
        expect(parseCommand(`${before}${indent}${renderCommand(command)}${after}${later}`)).toEqual({
          kind: "command",
          command,
        });
      }),
      { numRuns: 1000 },
    );
  });

  it("renders what it reads canonically", () => {
    fc.assert(
      fc.property(nearMiss, (body) => {
        const parsed = parseCommand(body);
        if (parsed.kind !== "command") return;
        const canonical = renderCommand(parsed.command);
        expect(parseCommand(canonical)).toEqual(parsed);
        expect(renderCommand(commandOf(canonical))).toBe(canonical);
      }),
      { numRuns: 1000 },
    );
  });

  it("renders one number when min and max agree", () => {
    expect(renderCommand({ name: "scale", environment: "staging", bounds: { min: 3, max: 3 } })).toBe(
      "/scale staging 3",
    );
    expect(renderCommand(commandOf("/scale   staging 007-010"))).toBe("/scale staging 7-10");
  });
});
