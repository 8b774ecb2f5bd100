import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { resourceNames } from "@phoenix/shared";
import type { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPS_BOT_BUNDLE_HANDLER, opsBotBundleDirectory } from "../src/ops-bot/ops-bot-bundle.js";
import { PHOENIX_ENVIRONMENTS } from "../src/stack/environments.js";
import { buildPhoenixApp } from "../src/stack/phoenix-app.js";
import { cfnLint, testApp } from "./support/synth.js";

/** Names of the staging deployment, whose stack the bot-code tests read. */
const names = resourceNames(PHOENIX_ENVIRONMENTS.staging);

// The CDK app exactly as `pnpm synth` builds it: both environments, the app image as a
// Docker asset of packages/phoenix-app/Dockerfile, the bot's code from the Lambda bundle the
// installed @phoenix/ops-bot exports, and cdk-nag's AwsSolutions checks as a validation plugin.
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

  it("deploys the Lambda bundle @phoenix/ops-bot exports as the bot's code", () => {
    const staging = Template.fromJSON(templates.get("Phoenix-staging") ?? {});
    const [bot] = Object.values(
      staging.findResources("AWS::Lambda::Function", { Properties: { FunctionName: names.botFunction } }),
    );
    const assetHash = String(bot?.Properties.Code.S3Key).replace(/\.zip$/, "");
    const staged = readFileSync(join(outdir, `asset.${assetHash}`, "index.mjs"));
    expect(staged.equals(readFileSync(join(opsBotBundleDirectory(), "index.mjs")))).toBe(true);
    expect(bot?.Properties.Handler).toBe(OPS_BOT_BUNDLE_HANDLER);
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

describe("the ops bot's code", () => {
  it("uses the code it is given instead of the built bundle", () => {
    const { app, cleanup } = testApp({ environment: "staging" });
    try {
      const inline = "exports.handler = async () => ({ statusCode: 200 });";
      const [stack] = buildPhoenixApp(app, {
        opsBotCode: { code: lambda.Code.fromInline(inline), handler: "index.handler" },
      });
      expect(stack).toBeDefined();
      Template.fromStack(stack as Stack).hasResourceProperties("AWS::Lambda::Function", {
        FunctionName: names.botFunction,
        Code: { ZipFile: inline },
      });
    } finally {
      cleanup();
    }
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
