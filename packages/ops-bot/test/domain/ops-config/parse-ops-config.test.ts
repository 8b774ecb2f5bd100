import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EXAMPLE_OPS_CONFIG_YAML } from "../../../src/domain/ops-config/example-ops-config.js";
import {
  OPS_CONFIG_FILE_NAME,
  OPS_CONFIG_PATH,
  type OpsConfig,
  opsConfigSchema,
} from "../../../src/domain/ops-config/ops-config-schema.js";
import {
  type ConfigProblem,
  parseOpsConfig,
  renderConfigProblems,
} from "../../../src/domain/ops-config/parse-ops-config.js";
import { readYamlSubset } from "./yaml-subset.js";

// Configs here are typed by hand: they exercise one rule each, and no real repository has the file yet.
const staging = { region: "eu-west-1" };

function problemsOf(input: unknown): readonly ConfigProblem[] {
  const result = parseOpsConfig(input);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.config)}`);
  return result.problems;
}

function configOf(input: unknown): OpsConfig {
  const result = parseOpsConfig(input);
  if (!result.ok) throw new Error(`expected a config, got ${renderConfigProblems(result.problems)}`);
  return result.config;
}

function withProduction(production: Record<string, unknown>): unknown {
  return { environments: { staging, production: { region: "eu-west-1", ...production } } };
}

describe("the ops config location", () => {
  it("names the file under .github/ the way Probot's context.config expects", () => {
    expect(OPS_CONFIG_PATH).toBe(".github/phoenix-ops.yml");
    expect(OPS_CONFIG_PATH).toBe(`.github/${OPS_CONFIG_FILE_NAME}`);
  });
});

describe("resolving defaults", () => {
  it("fills every default from resourceNames and the app contract when only the region is given", () => {
    expect(configOf({ environments: { staging } })).toEqual({
      app: "phoenix",
      deployOnMerge: null,
      environments: {
        staging: {
          name: "staging",
          region: "eu-west-1",
          cluster: "phoenix-staging",
          service: "phoenix-staging-web",
          container: "app",
          requiredApprovals: 0,
          requiredChecks: [],
          allowedUsers: [],
          allowedTeams: [],
          allowForks: false,
        },
      },
    });
  });

  it("derives cluster and service names from the configured app", () => {
    const config = configOf({ app: "shop", environments: { production: staging } });
    expect(config.environments.production).toMatchObject({
      cluster: "shop-production",
      service: "shop-production-web",
    });
  });

  it("keeps explicit names and optional settings as written", () => {
    const scaling = { min: 1, max: 10, default: { min: 2, max: 4 } };
    const config = configOf(
      withProduction({
        cluster: "legacy",
        service: "legacy_web",
        container: "web",
        roleArn: "arn:aws:iam::123456789012:role/ops/deployer",
        url: "http://localhost:3000",
        requiredApprovals: 10,
        requiredChecks: ["ci / test"],
        allowedUsers: ["octocat", "renovate[bot]"],
        allowedTeams: ["example-org/platform_team"],
        allowForks: true,
        scaling,
      }),
    );
    expect(config.environments.production).toEqual({
      name: "production",
      region: "eu-west-1",
      cluster: "legacy",
      service: "legacy_web",
      container: "web",
      roleArn: "arn:aws:iam::123456789012:role/ops/deployer",
      url: "http://localhost:3000",
      requiredApprovals: 10,
      requiredChecks: ["ci / test"],
      allowedUsers: ["octocat", "renovate[bot]"],
      allowedTeams: ["example-org/platform_team"],
      allowForks: true,
      scaling,
    });
  });

  it("deploys merges only where deployOnMerge names an environment, pushes only when asked", () => {
    expect(configOf({ deployOnMerge: {}, environments: { staging } }).deployOnMerge).toBeNull();
    expect(configOf({ deployOnMerge: { environment: "staging" }, environments: { staging } }).deployOnMerge).toEqual({
      environment: "staging",
      onPush: false,
    });
    const pushes = configOf({ deployOnMerge: { environment: "staging", onPush: true }, environments: { staging } });
    expect(pushes.deployOnMerge).toEqual({ environment: "staging", onPush: true });
  });

  it("gives each parse its own default lists", () => {
    const first = configOf({ environments: { staging } });
    const second = configOf({ environments: { staging } });
    expect(first.environments.staging?.requiredChecks).not.toBe(second.environments.staging?.requiredChecks);
  });

  it("gives the zod schema's output the same resolved shape", () => {
    expect(opsConfigSchema.parse({ environments: { staging } })).toEqual(configOf({ environments: { staging } }));
  });
});

describe("the documented example", () => {
  it("is valid and resolves to the settings its comments describe", () => {
    const config = configOf(readYamlSubset(EXAMPLE_OPS_CONFIG_YAML));
    expect(config.app).toBe("phoenix");
    expect(config.deployOnMerge).toEqual({ environment: "staging", onPush: false });
    expect(config.environments.staging).toEqual({
      name: "staging",
      region: "eu-west-1",
      cluster: "phoenix-staging",
      service: "phoenix-staging-web",
      container: "app",
      requiredApprovals: 0,
      requiredChecks: ["build"],
      allowedUsers: [],
      allowedTeams: [],
      allowForks: false,
      scaling: { min: 1, max: 4, default: { min: 1, max: 2 } },
    });
    expect(config.environments.production).toEqual({
      name: "production",
      region: "eu-west-1",
      cluster: "phoenix-production",
      service: "phoenix-production-web",
      container: "app",
      roleArn: "arn:aws:iam::123456789012:role/phoenix-production-deployer",
      url: "https://phoenix.example.com",
      requiredApprovals: 1,
      requiredChecks: ["build", "test"],
      allowedUsers: ["octocat"],
      allowedTeams: ["example-org/platform"],
      allowForks: false,
      scaling: { min: 2, max: 10, default: { min: 2, max: 4 } },
      after: "staging",
    });
  });

  it("mentions every setting the schema accepts", () => {
    for (const key of ["app", "deployOnMerge", "environment", "onPush", "environments", "scaling", "default"]) {
      expect(EXAMPLE_OPS_CONFIG_YAML).toMatch(new RegExp(`^\\s*${key}:`, "m"));
    }
    for (const key of Object.keys(configOf(readYamlSubset(EXAMPLE_OPS_CONFIG_YAML)).environments.production ?? {})) {
      if (key !== "name") expect(EXAMPLE_OPS_CONFIG_YAML).toMatch(new RegExp(`^\\s*${key}:`, "m"));
    }
  });
});

describe("one problem per bad path", () => {
  it.each<[string, unknown, string, RegExp]>([
    [
      "a scaling default outside the scaling bounds",
      withProduction({ scaling: { min: 2, max: 10, default: { min: 1, max: 4 } } }),
      "environments.production.scaling.default",
      /must lie within min\.\.max \(2\.\.10\)/,
    ],
    [
      "a scaling default whose min exceeds its max",
      withProduction({ scaling: { min: 1, max: 10, default: { min: 6, max: 3 } } }),
      "environments.production.scaling.default",
      /^min 6 is greater than max 3$/,
    ],
    [
      "a scaling max below its min",
      withProduction({ scaling: { min: 5, max: 3, default: { min: 4, max: 4 } } }),
      "environments.production.scaling.max",
      /must be at least min \(5\)/,
    ],
    [
      "a scaling max beyond 1000",
      withProduction({ scaling: { min: 1, max: 1001, default: { min: 1, max: 1 } } }),
      "environments.production.scaling.max",
      /^must be an integer between 0 and 1000$/,
    ],
    [
      "a scaling policy without its default",
      withProduction({ scaling: { min: 1, max: 4 } }),
      "environments.production.scaling.default",
      /^is required$/,
    ],
    [
      "deployOnMerge naming an undefined environment",
      { deployOnMerge: { environment: "prod" }, environments: { staging } },
      "deployOnMerge.environment",
      /must name an environment defined under environments \(staging\)/,
    ],
    [
      "after naming an undefined environment",
      withProduction({ after: "stagign" }),
      "environments.production.after",
      /^must name another environment defined under environments \(staging\)$/,
    ],
    [
      "after naming the environment itself",
      withProduction({ after: "production" }),
      "environments.production.after",
      /^must name another environment, not this one$/,
    ],
    [
      "after given as a list",
      withProduction({ after: ["staging"] }),
      "environments.production.after",
      /^must be the name of another environment$/,
    ],
    [
      "onPush without an environment to push to",
      { deployOnMerge: { onPush: true }, environments: { staging } },
      "deployOnMerge.onPush",
      /needs deployOnMerge\.environment/,
    ],
    [
      "a misspelt setting",
      { environments: { staging: { ...staging, clustr: "x" } } },
      "environments.staging.clustr",
      /did you mean `cluster`\?/,
    ],
    [
      "a misspelt top-level setting",
      { deployOnMerg: { environment: "staging" }, environments: { staging } },
      "deployOnMerg",
      /did you mean `deployOnMerge`\?/,
    ],
    [
      "a setting that resembles nothing",
      { environments: { staging }, owner: "me" },
      "owner",
      /use one of `app`, `deployOnMerge`, `environments`/,
    ],
    ["a missing region", { environments: { staging: {} } }, "environments.staging.region", /^is required$/],
    [
      "a malformed region",
      { environments: { staging: { region: "Europe" } } },
      "environments.staging.region",
      /AWS region such as eu-west-1/,
    ],
    [
      "too many required approvals",
      withProduction({ requiredApprovals: 11 }),
      "environments.production.requiredApprovals",
      /^must be an integer between 0 and 10$/,
    ],
    [
      "a fractional and too large approval count",
      withProduction({ requiredApprovals: 11.5 }),
      "environments.production.requiredApprovals",
      /^must be an integer between 0 and 10$/,
    ],
    [
      "approvals written as text",
      withProduction({ requiredApprovals: "one" }),
      "environments.production.requiredApprovals",
      /^must be an integer between 0 and 10$/,
    ],
    [
      "a role that is not an IAM role ARN",
      withProduction({ roleArn: "arn:aws:iam::123:user/me" }),
      "environments.production.roleArn",
      /IAM role ARN/,
    ],
    [
      "a URL with another scheme",
      withProduction({ url: "ftp://example.com" }),
      "environments.production.url",
      /http:\/\/ or https:\/\/ URL/,
    ],
    [
      "a bad login among allowed users",
      withProduction({ allowedUsers: ["octocat", "not a login"] }),
      "environments.production.allowedUsers.1",
      /GitHub login/,
    ],
    [
      "a team without its org",
      withProduction({ allowedTeams: ["platform"] }),
      "environments.production.allowedTeams.0",
      /org\/team-slug/,
    ],
    [
      "allowed users given as one string",
      withProduction({ allowedUsers: "octocat" }),
      "environments.production.allowedUsers",
      /list of GitHub logins/,
    ],
    [
      "an empty required check",
      withProduction({ requiredChecks: ["  "] }),
      "environments.production.requiredChecks.0",
      /non-empty check name/,
    ],
    [
      "allowForks written as yes",
      withProduction({ allowForks: "yes" }),
      "environments.production.allowForks",
      /true or false/,
    ],
    [
      "an environment name breaking the resource-name rule",
      { environments: { Prod: staging } },
      "environments.Prod",
      /lower-case letters/,
    ],
    [
      "an environment name too long next to the app",
      { app: "phoenix", environments: { "integration-testing-env": staging } },
      "environments.integration-testing-env",
      /at most 29 fit an ALB target-group name/,
    ],
    ["an app name breaking the rule", { app: "Phoenix", environments: { staging } }, "app", /lower-case letters/],
    ["no environments", { environments: {} }, "environments", /at least one environment/],
    ["a file without environments", { app: "phoenix" }, "environments", /^is required$/],
    ["environments as a list", { environments: ["staging"] }, "environments", /mapping of environment names/],
    ["an empty file", null, "", /is empty/],
    ["a file that is a list", [{ environments: { staging } }], "", /mapping of settings/],
    ["a file that is a string", "environments: {}", "", /mapping of settings/],
  ])("reports %s", (_, input, path, message) => {
    const problems = problemsOf(input);
    expect(problems.map((problem) => problem.path)).toEqual([path]);
    expect(problems[0]?.message).toMatch(message);
  });

  it("lists every bad path at once, including checks across settings", () => {
    const problems = problemsOf({
      app: "phoenix",
      deployOnMerge: { environment: "prod" },
      environments: {
        staging: { region: "nowhere", clustr: "x", scaling: { min: 3, max: 2, default: { min: 2, max: 2 } } },
        production: { region: "eu-west-1", requiredApprovals: -1 },
      },
    });
    expect(problems.map((problem) => problem.path).sort()).toEqual([
      "deployOnMerge.environment",
      "environments.production.requiredApprovals",
      "environments.staging.clustr",
      "environments.staging.region",
      "environments.staging.scaling.max",
    ]);
  });

  it("does not echo what users typed into messages, where it could mention people", () => {
    const problems = problemsOf({ app: "@everyone", environments: { staging: { region: "@org/team" } } });
    for (const problem of problems) expect(problem.message).not.toMatch(/@/);
  });
});

describe("rendering problems for the bot's comment", () => {
  it("lists each problem as a markdown bullet with its path in code", () => {
    expect(
      renderConfigProblems([
        { path: "environments.production.cluster", message: "is required" },
        { path: "", message: "is empty: it must define at least environments" },
      ]),
    ).toBe(
      [
        "- `environments.production.cluster`: is required",
        "- `.github/phoenix-ops.yml`: is empty: it must define at least environments",
      ].join("\n"),
    );
  });

  it("keeps a key full of backticks and line breaks inside its code span", () => {
    const [rendered] = renderConfigProblems([{ path: "environments.a`b\nc", message: "is not a setting" }]).split("\n");
    expect(rendered).toBe("- ``environments.a`b c``: is not a setting");
  });

  it("shows at most 50 problems and counts the rest", () => {
    const problems = Array.from({ length: 53 }, (_, index) => ({ path: `k${index}`, message: "is not a setting" }));
    const lines = renderConfigProblems(problems).split("\n");
    expect(lines).toHaveLength(51);
    expect(lines.at(-1)).toBe("- …and 3 more problems");
  });
});

describe("parseOpsConfig on arbitrary input", () => {
  const knownKeys = fc.constantFrom(
    "app",
    "deployOnMerge",
    "environments",
    "environment",
    "staging",
    "region",
    "scaling",
    "default",
    "min",
    "max",
    "__proto__",
    "constructor",
  );
  const key = fc.oneof(knownKeys, fc.string({ maxLength: 12 }));
  const value = fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small" },
      fc.jsonValue({ maxDepth: 1 }),
      fc.dictionary(key, tie("node"), { maxKeys: 5 }),
      fc.constant({ region: "eu-west-1" }),
    ),
  })).node;

  function checkAnswer(input: unknown): void {
    const result = parseOpsConfig(input);
    if (result.ok) return;
    const paths = result.problems.map((problem) => problem.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const problem of result.problems) expect(problem.message).not.toBe("");
    expect(typeof renderConfigProblems(result.problems)).toBe("string");
  }

  it("never throws on any JSON value and answers one problem per path", () => {
    fc.assert(fc.property(fc.jsonValue(), checkAnswer), { numRuns: 300 });
  });

  it("never throws on objects with random and near-miss keys", () => {
    fc.assert(fc.property(fc.dictionary(key, value, { maxKeys: 6 }), checkAnswer), { numRuns: 500 });
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 4 }), (environment) =>
        checkAnswer({ environments: { staging: { region: "eu-west-1", ...environment } } }),
      ),
      { numRuns: 300 },
    );
  });

  it("answers a huge file with one problem per unknown key", () => {
    const huge = Object.fromEntries(Array.from({ length: 20_000 }, (_, index) => [`key${index}`, index]));
    const problems = problemsOf({ ...huge, environments: { staging } });
    expect(problems).toHaveLength(20_000);
  });

  it("answers input it cannot even read without throwing", () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("boom");
        },
        ownKeys() {
          throw new Error("boom");
        },
      },
    );
    expect(parseOpsConfig(hostile)).toEqual({
      ok: false,
      problems: [{ path: "", message: "could not be read as a mapping of settings" }],
    });
  });
});
