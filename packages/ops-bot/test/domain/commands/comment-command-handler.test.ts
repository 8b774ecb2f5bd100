import { afterEach, describe, expect, it } from "vitest";
import {
  CommentCommandHandler,
  type CommentCommandInput,
} from "../../../src/domain/commands/comment-command-handler.js";
import { FakeScaler, SHA, workflowWithDoubles } from "../../support/delivery-doubles.js";

/** `.github/phoenix-ops.yml` as Probot's config API hands it over (YAML already parsed). */
const config = {
  deployOnMerge: { environment: "staging" },
  environments: {
    staging: { region: "eu-west-1", scaling: { min: 1, max: 8, default: { min: 2, max: 4 } } },
    production: {
      region: "eu-west-1",
      requiredApprovals: 1,
      requiredChecks: ["ci"],
      allowedTeams: ["octo-org/release"],
    },
    preview: { region: "eu-west-1" },
  },
};

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function setUp() {
  const doubles = workflowWithDoubles();
  cleanup = doubles.cleanup;
  const scaler = new FakeScaler();
  const handler = new CommentCommandHandler({
    github: doubles.github,
    workflow: doubles.workflow,
    deployer: doubles.deployer,
    scaler,
  });
  doubles.github.permissions.set("alice", "write");
  doubles.github.permissions.set("rita", "read");
  const run = (body: string, overrides: Partial<CommentCommandInput["comment"]> & { config?: unknown } = {}) =>
    handler.handle({
      issueNumber: 7,
      isPullRequest: true,
      comment: {
        id: 9001,
        body,
        createdAt: "2026-11-26T09:00:00Z",
        author: "alice",
        authorIsBot: false,
        ...overrides,
      },
      loadConfig: async () => ("config" in overrides ? overrides.config : config),
    });
  const reply = () => [...doubles.github.comments.values()].at(-1)?.body ?? "";
  return { ...doubles, scaler, run, reply };
}

describe("acknowledging and replying", () => {
  it("reacts 👀 at once and answers in one comment that ends in 🚀", async () => {
    const { run, github, reply } = setUp();
    await run("/scale staging 3-6");
    expect(github.reactions).toEqual([{ commentId: 9001, content: "eyes" }]);
    expect(github.comments.size).toBe(1);
    expect(reply()).toMatch(/^### 🚀 `\/scale staging 3-6`/);
  });

  it("ignores comments by bots and comments that are not commands", async () => {
    const { run, github } = setUp();
    expect(await run("/deploy", { authorIsBot: true })).toBe("ignored:bot");
    expect(await run("Looks good to me")).toBe("ignored:not-a-command");
    expect(github.reactions).toEqual([]);
  });

  it("answers an unknown command with the help", async () => {
    const { run, reply } = setUp();
    await run("/deplo staging");
    expect(reply()).toContain("`/deplo` is not a command I know");
    expect(reply()).toContain("/scale");
  });
});

describe("who may run commands", () => {
  it("refuses a read-only collaborator politely and changes nothing", async () => {
    const { run, reply, scaler, builder } = setUp();
    await run("/scale staging 3-6", { author: "rita" });
    await run("/deploy staging", { author: "rita" });
    expect(reply()).toMatch(/^### 😕[\s\S]*only collaborators with write access or higher[\s\S]*your access: read/);
    expect(scaler.changes).toEqual([]);
    expect(builder.started).toEqual([]);
  });

  it("refuses a writer outside the environment's allowed teams", async () => {
    const { run, reply, builder, github } = setUp();
    github.approvals = ["carol"];
    github.checks = ["ci"];
    await run("/deploy production");
    expect(reply()).toContain("only @octo-org/release may act on **production**");
    github.teams.set("octo-org/release", ["alice"]);
    await run("/deploy production", { id: 9002 });
    expect(builder.started).toEqual([SHA]);
  });
});

describe("/scale", () => {
  it("sets the Auto Scaling bounds within the configured limits", async () => {
    const { run, scaler } = setUp();
    await run("/scale staging 3-6");
    expect(scaler.changes).toEqual([{ min: 3, max: 6 }]);
  });

  it("restores the configured default on reset", async () => {
    const { run, scaler } = setUp();
    await run("/scale staging reset");
    expect(scaler.changes).toEqual([{ min: 2, max: 4 }]);
  });

  it.each([
    ["/scale staging 0-6", "outside the limits"],
    ["/scale staging 3-9", "outside the limits"],
    ["/scale staging 6-3", "min 6 is greater than max 3"],
    ["/scale staging three", ""],
    ["/scale qa 1-2", "Unknown environment `qa`; configured: `staging`, `production`, `preview`"],
    // A name every plain object answers to is no environment either.
    ["/scale constructor 1-8", "Unknown environment `constructor`; configured: `staging`, `production`, `preview`"],
    ["/scale preview 1-2", "no `scaling` limits"],
  ])("refuses %s and states what is allowed", async (command, message) => {
    const { run, reply, scaler } = setUp();
    await run(command);
    expect(reply()).toMatch(/^### 😕/);
    expect(reply()).toContain(message);
    expect(scaler.changes).toEqual([]);
  });

  it("names the allowed range in an out-of-bounds refusal", async () => {
    const { run, reply } = setUp();
    await run("/scale staging 3-9");
    expect(reply()).toContain("min ≥ 1, max ≤ 8");
  });
});

describe("/deploy", () => {
  it("deploys the PR's head sha to the default environment", async () => {
    const { run, builder, github } = setUp();
    expect(await run("/deploy")).toBe("deploy:started");
    expect(builder.started).toEqual([SHA]);
    expect(github.deployments[0]?.environment).toBe("staging");
  });

  it("stops when the PR moved after the command was written", async () => {
    const { run, reply, builder, github } = setUp();
    github.headCommittedAt = new Date("2026-11-26T09:05:00Z");
    await run("/deploy staging");
    expect(reply()).toContain("the pull request moved after the command was written");
    expect(builder.started).toEqual([]);
  });

  it("refuses a PR from a fork unless the environment allows forks", async () => {
    const { run, reply, builder, github } = setUp();
    github.pull = { ...github.pull, headRepository: "mallory/phoenix" };
    await run("/deploy staging");
    expect(reply()).toContain("comes from a fork (mallory/phoenix)");
    expect(builder.started).toEqual([]);
  });

  it("holds to the environment's required approvals and checks", async () => {
    const { run, reply, builder, github } = setUp();
    github.teams.set("octo-org/release", ["alice"]);
    await run("/deploy production");
    expect(reply()).toContain("1 approving review(s) required, 0 given; required checks not successful yet: `ci`");
    expect(builder.started).toEqual([]);
  });
});

describe("/deploy to an environment with after:", () => {
  /** The same config, production following staging (`after: staging`), its deploy rules met. */
  const ordered = {
    ...config,
    app: "shop",
    environments: { ...config.environments, production: { region: "eu-west-1", after: "staging" } },
  };

  it("refuses a commit that never succeeded in staging, in the reply, building nothing", async () => {
    const { run, reply, builder, github } = setUp();
    expect(await run("/deploy production", { config: ordered })).toBe("replied:refused");
    expect(reply()).toBe(
      "### 😕 `/deploy production`\n\n**production** accepts only images that succeeded in **staging**; `aaaaaaa` has no image yet, so it has not. Deploy it to **staging** first.",
    );
    expect(builder.started).toEqual([]);
    expect(github.deployments).toEqual([]);
  });

  it("promotes the staging image once it succeeded there, and records it under the app's parameter", async () => {
    const { run, workflow, builder, github, liveImages } = setUp();
    await run("/deploy staging", { config: ordered, id: 9002 });
    await workflow.onRolloutState("ecs-svc/1", { state: "completed" });
    expect(await run("/deploy production", { config: ordered, id: 9003 })).toBe("deploy:started");
    await workflow.onRolloutState("ecs-svc/2", { state: "completed" });
    expect(builder.started).toEqual([SHA]);
    expect(github.deployments.map((d) => [d.environment, d.payload.imageDigest])).toEqual([
      ["staging", `sha256:${"a".repeat(64)}`],
      ["production", `sha256:${"a".repeat(64)}`],
    ]);
    expect(liveImages.recorded.map((r) => r.parameter)).toEqual([
      "/phoenix/shop/staging/live-image",
      "/phoenix/shop/production/live-image",
    ]);
  });
});

describe("configuration", () => {
  it("names each bad path of an invalid config in one comment and does nothing else", async () => {
    const { run, github, reply, scaler } = setUp();
    await run("/scale staging 3-6", {
      config: { environments: { staging: { region: "eu-west-1", clustr: "x", requiredApprovals: 99 } } },
    });
    expect(github.comments.size).toBe(1);
    expect(reply()).toContain("`environments.staging.clustr`");
    expect(reply()).toContain("`environments.staging.requiredApprovals`");
    expect(scaler.changes).toEqual([]);
  });

  it("says so when the repository has no config", async () => {
    const { run, reply } = setUp();
    await run("/status", { config: undefined });
    expect(reply()).toContain("has no `.github/phoenix-ops.yml`");
  });
});

describe("/rollback and /status", () => {
  it("rolls back to the newest successful deployment that is not live", async () => {
    const { run, workflow, deployer, github } = setUp();
    await run("/deploy staging");
    await workflow.onRolloutState("ecs-svc/1", { state: "completed" });
    const first = deployer.liveArn;
    github.pull = { ...github.pull, headSha: "c".repeat(40) };
    await run("/deploy staging", { id: 9002 });
    await workflow.onRolloutState("ecs-svc/2", { state: "completed" });
    await run("/rollback staging", { id: 9003 });
    expect(deployer.pointedAt.at(-1)).toBe(first);
  });

  it("shows what is live next to the PR's head", async () => {
    const { run, reply } = setUp();
    await run("/status staging");
    expect(reply()).toMatch(/^### ℹ️ `\/status staging`/);
    expect(reply()).toContain("| Scaling bounds | 2-4 |");
  });
});
