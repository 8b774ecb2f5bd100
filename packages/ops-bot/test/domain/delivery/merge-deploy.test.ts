import { describe, expect, it } from "vitest";
import { decideMergeDeploy, deployLandedChange, type LandedChange } from "../../../src/domain/delivery/merge-deploy.js";
import { workflowWithDoubles } from "../../support/delivery-doubles.js";

const config = {
  deployOnMerge: { environment: "staging", onPush: false },
  environments: { staging: { region: "eu-west-1" }, production: { region: "eu-west-1" } },
};
const merge = (overrides: Partial<Extract<LandedChange, { kind: "merge" }>> = {}): LandedChange => ({
  kind: "merge",
  pullRequest: 12,
  merged: true,
  baseRef: "main",
  mergeCommitSha: "f".repeat(40),
  mergedBy: "alice",
  ...overrides,
});
const push = (overrides: Partial<Extract<LandedChange, { kind: "push" }>> = {}): LandedChange => ({
  kind: "push",
  ref: "refs/heads/main",
  after: "e".repeat(40),
  pusher: "alice",
  deleted: false,
  ...overrides,
});

describe("which landed changes deploy", () => {
  it("deploys the merge commit of a PR merged into the default branch to the configured environment", () => {
    const decision = decideMergeDeploy(config, "main", merge());
    expect(decision).toMatchObject({
      kind: "deploy",
      app: "phoenix",
      environment: { name: "staging", cluster: "phoenix-staging" },
      sha: "f".repeat(40),
      trigger: { kind: "merge", actor: "alice", pullRequest: 12 },
    });
  });

  it.each([
    ["a PR closed without merging", merge({ merged: false }), "closed without merging"],
    ["a merge into another branch", merge({ baseRef: "release" }), "release is not the default branch"],
    ["a tag push", push({ ref: "refs/tags/v1" }), "not a branch"],
    ["a deleted branch", push({ deleted: true }), "branch deleted"],
  ])("skips %s", (_what, change, reason) => {
    const pushesDeploy = { ...config, deployOnMerge: { environment: "staging", onPush: true } };
    expect(decideMergeDeploy(pushesDeploy, "main", change)).toEqual({ kind: "skip", reason });
  });

  it("deploys a push to the default branch when deployOnMerge.onPush is set", () => {
    const pushesDeploy = { ...config, deployOnMerge: { environment: "staging", onPush: true } };
    expect(decideMergeDeploy(pushesDeploy, "main", push())).toMatchObject({
      kind: "deploy",
      sha: "e".repeat(40),
      trigger: { kind: "push", actor: "alice" },
    });
  });

  it("skips pushes unless deployOnMerge.onPush is set", () => {
    expect(decideMergeDeploy(config, "main", push())).toEqual({
      kind: "skip",
      reason: "pushes do not deploy (deployOnMerge.onPush)",
    });
  });

  it("skips when the repository has no config or no merge environment", () => {
    expect(decideMergeDeploy(undefined, "main", merge())).toMatchObject({ kind: "skip" });
    expect(decideMergeDeploy({ environments: config.environments }, "main", merge())).toEqual({
      kind: "skip",
      reason: "deployOnMerge is not configured",
    });
  });

  it("answers an invalid config with a comment naming each bad path, and deploys nothing", () => {
    const decision = decideMergeDeploy({ deployOnMerge: { environment: "qa" }, environments: {} }, "main", merge());
    expect(decision.kind).toBe("invalid-config");
    expect(decision.kind === "invalid-config" && decision.comment).toContain("`deployOnMerge.environment`");
  });
});

describe("deploying what landed", () => {
  it("answers a merge into an after: environment whose commit never succeeded there with the reason, building nothing", async () => {
    const { workflow, github, builder, cleanup } = workflowWithDoubles();
    try {
      const ordered = {
        deployOnMerge: { environment: "production" },
        environments: { staging: { region: "eu-west-1" }, production: { region: "eu-west-1", after: "staging" } },
      };
      expect(await deployLandedChange({ github, workflow }, ordered, "main", merge())).toBe("deploy:refused");
      expect([...github.comments.values()]).toEqual([
        {
          issueNumber: 12,
          body: "### 😕 Not deployed\n\n**production** accepts only images that succeeded in **staging**; `fffffff` has no image yet, so it has not. Deploy it to **staging** first.",
        },
      ]);
      expect(builder.started).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
