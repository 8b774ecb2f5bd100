import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPhoenixApp } from "../src/stack/phoenix-app.js";
import { cfnLint, testApp } from "./support/synth.js";

// The CDK app exactly as `pnpm synth` builds it: both environments, the app image as a
// Docker asset of packages/phoenix-app/Dockerfile, the bot's code from packages/ops-bot/dist,
// and cdk-nag's AwsSolutions checks as a validation plugin.
describe("requirement 1: the whole system synthesizes as one CDK app", () => {
  let app: App;
  let outdir: string;
  let cleanup: () => void;
  let stacks: Stack[];
  let templates: Map<string, Record<string, unknown>>;

  beforeAll(() => {
    ({ app, cleanup } = testApp());
    outdir = app.outdir;
    stacks = buildPhoenixApp(app);
    const assembly = app.synth();
    templates = new Map(stacks.map((stack) => [stack.stackName, assembly.getStackByName(stack.stackName).template]));
  });
  afterAll(() => cleanup());

  it("offers staging and production stacks", () => {
    expect(stacks.map((stack) => stack.stackName)).toEqual(["Phoenix-staging", "Phoenix-production"]);
  });

  it("passes cdk-nag AwsSolutions with no unacknowledged finding", () => {
    // A failure would have thrown from synth; the report, when written, must hold no failure.
    const report = join(outdir, "validation-report.json");
    if (existsSync(report)) {
      const text = readFileSync(report, "utf8");
      expect(text).not.toMatch(/"status":\s*"failure"/);
    }
  });

  it("passes cfn-lint with no errors on every template", async () => {
    for (const stack of stacks) {
      const findings = await cfnLint(stack, templates.get(stack.stackName));
      const errors = findings.filter((finding) => finding.Level === "Error");
      expect(errors.map((e) => `${e.Rule.Id} ${e.Message} at ${e.Location.Path.join("/")}`)).toEqual([]);
    }
  });

  it("puts no secret value in any template", () => {
    for (const [name, template] of templates) {
      const text = JSON.stringify(template);
      expect(text, name).not.toMatch(/"SecretString"\s*:/);
      expect(text, name).not.toMatch(/"(MasterUserPassword|Password)"\s*:\s*"[^{]/);
      const cluster = Template.fromJSON(template).findResources("AWS::DocDB::DBCluster");
      for (const resource of Object.values(cluster)) {
        expect(JSON.stringify(resource.Properties.MasterUserPassword)).toContain("{{resolve:secretsmanager:");
      }
    }
  });

  it("sizes production for availability and staging for cost", () => {
    const production = Template.fromJSON(templates.get("Phoenix-production") ?? {});
    const staging = Template.fromJSON(templates.get("Phoenix-staging") ?? {});
    production.resourceCountIs("AWS::DocDB::DBInstance", 3);
    staging.resourceCountIs("AWS::DocDB::DBInstance", 1);
    production.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", {
      MinCapacity: 2,
      MaxCapacity: 10,
    });
    staging.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", { MinCapacity: 2, MaxCapacity: 4 });
    production.resourceCountIs("AWS::EC2::NatGateway", 3);
  });
});

describe("choosing an environment by context", () => {
  it("synthesizes only the environment named with -c environment=production", () => {
    const { app, cleanup } = testApp({ environment: "production" });
    try {
      expect(buildPhoenixApp(app).map((stack) => stack.stackName)).toEqual(["Phoenix-production"]);
    } finally {
      cleanup();
    }
  });

  it("refuses an unknown environment with the allowed names", () => {
    const { app, cleanup } = testApp({ environment: "prod" });
    try {
      expect(() => buildPhoenixApp(app)).toThrow(
        /context "environment" must be one of staging, production, got "prod"/,
      );
    } finally {
      cleanup();
    }
  });
});
