import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { opsResourceNames, resourceNames } from "@phoenix/shared";
import type { Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { afterAll, describe, expect, it } from "vitest";
import { phoenixConfigFromContext } from "../src/config/config-source.js";
import { parsePhoenixConfig } from "../src/config/phoenix-config.js";
import { OPS_BOT_BUNDLE_HANDLER, opsBotBundleDirectory } from "../src/ops-bot/ops-bot-bundle.js";
import { buildPhoenixApp, synthesizePhoenixTemplates } from "../src/stack/phoenix-app.js";
import { PhoenixEnvironmentStack } from "../src/stack/phoenix-environment-stack.js";
import { PhoenixLiveImageStack } from "../src/stack/phoenix-live-image-stack.js";
import {
  cleanUpLayouts,
  LAYOUTS,
  layoutConfig,
  layoutConfigFile,
  rawLayoutConfig,
  synthesizedLayout,
} from "./support/phoenix-layouts.js";
import { cfnLint, testApp } from "./support/synth.js";

afterAll(() => cleanUpLayouts());

const names = opsResourceNames("phoenix");
const staging = resourceNames({ app: "phoenix", environment: "staging" });
const template = (layout: (typeof LAYOUTS)[number], stackName: string) =>
  Template.fromJSON(synthesizedLayout(layout).templates[stackName]?.template ?? {});

// The CDK app exactly as `pnpm synth` builds it, for both layouts: the ops stack, and per
// environment its live-image stack and its environment stack, with cdk-nag's AwsSolutions checks.
describe.each(LAYOUTS)("requirement 1: the %s layout synthesizes as one CDK app", (layout) => {
  it("offers the ops stack and, per environment, a live-image stack and an environment stack in its account", () => {
    const { templates, config } = synthesizedLayout(layout);
    expect(
      Object.values(templates).map(({ stackName, kind, account, region }) => ({ stackName, kind, account, region })),
    ).toEqual([
      { stackName: "Phoenix-ops", kind: "ops", account: "111111111111", region: "eu-west-1" },
      ...["staging", "production"].map((environment) => ({
        stackName: `Phoenix-${environment}-live-image`,
        kind: "live-image",
        account: config.environments[environment]?.account,
        region: "eu-west-1",
      })),
      ...["staging", "production"].map((environment) => ({
        stackName: `Phoenix-${environment}`,
        kind: "environment",
        account: config.environments[environment]?.account,
        region: "eu-west-1",
      })),
    ]);
  });

  it("passes cdk-nag AwsSolutions with no unacknowledged finding", () => {
    const { validation } = synthesizedLayout(layout);
    expect(validation.plugins).toContain("AwsSolutions");
    expect(validation.unacknowledged).toEqual([]);
    expect(validation.error).toBeUndefined();
  });

  it("passes cfn-lint with no errors on every template", async () => {
    const { stacks, templates } = synthesizedLayout(layout);
    const all: Stack[] = [stacks.ops, ...Object.values(stacks.liveImages), ...Object.values(stacks.environments)];
    for (const stack of all) {
      const findings = await cfnLint(stack, templates[stack.stackName]?.template);
      const errors = findings.filter((finding) => finding.Level === "Error");
      expect(
        errors.map((e) => `${stack.stackName}: ${e.Rule.Id} ${e.Message} at ${e.Location.Path.join("/")}`),
      ).toEqual([]);
    }
  });

  it("puts no secret value in any template", () => {
    for (const { stackName, template: json } of Object.values(synthesizedLayout(layout).templates)) {
      const text = JSON.stringify(json);
      expect(text, stackName).not.toMatch(/"SecretString"\s*:/);
      expect(text, stackName).not.toMatch(/"(MasterUserPassword|Password)"\s*:\s*"[^{]/);
      for (const resource of Object.values(Template.fromJSON(json).findResources("AWS::DocDB::DBCluster"))) {
        expect(JSON.stringify(resource.Properties.MasterUserPassword)).toContain("{{resolve:secretsmanager:");
      }
    }
  });

  it("runs one bot, with one webhook URL, for every environment", () => {
    const { templates } = synthesizedLayout(layout);
    const functions = Object.values(templates).flatMap(({ template: json }) =>
      Object.values(Template.fromJSON(json).findResources("AWS::Lambda::Function")),
    );
    // The others are CDK's own custom-resource handlers, which carry no name.
    expect(functions.map((fn) => fn.Properties.FunctionName).filter(Boolean)).toEqual([names.botFunction]);
    const urls = Object.values(templates).flatMap(({ template: json }) =>
      Object.values(Template.fromJSON(json).findResources("AWS::Lambda::Url")),
    );
    expect(urls).toHaveLength(1);
  });

  it("builds no image on the operator's machine: no Docker image asset in any stack", () => {
    const { app } = synthesizedLayout(layout);
    const assembly = app.synth();
    for (const artifact of assembly.stacks) {
      const manifest = JSON.parse(readFileSync(join(assembly.directory, `${artifact.stackName}.assets.json`), "utf8"));
      expect(manifest.dockerImages ?? {}, artifact.stackName).toEqual({});
    }
  });
});

describe("requirement 3: the bot owns the running image, CloudFormation everything else", () => {
  it("starts the task definition with the image the live-image parameter holds at deploy time", () => {
    const stagingTemplate = template("single-account", "Phoenix-staging");
    const parameters = stagingTemplate.toJSON().Parameters as Record<string, { Type: string; Default: string }>;
    const [parameterId] = Object.entries(parameters).find(
      ([, parameter]) => parameter.Default === staging.liveImageParameter,
    ) ?? [""];
    expect(parameters[parameterId]?.Type).toBe("AWS::SSM::Parameter::Value<String>");
    stagingTemplate.hasResourceProperties("AWS::ECS::TaskDefinition", {
      Family: staging.service,
      ContainerDefinitions: [Match.objectLike({ Image: { Ref: parameterId } })],
    });
  });

  it("creates the parameter in a companion stack, from the configured initial image, before the environment stack", () => {
    const { stacks, config } = synthesizedLayout("two-accounts");
    template("two-accounts", "Phoenix-production-live-image").templateMatches({
      Resources: {
        [Object.keys(
          template("two-accounts", "Phoenix-production-live-image").findResources("AWS::SSM::Parameter"),
        )[0] ?? ""]: {
          Type: "AWS::SSM::Parameter",
          Properties: {
            Name: resourceNames({ app: "phoenix", environment: "production" }).liveImageParameter,
            Type: "String",
            Value: config.environments.production?.initialImage,
          },
        },
      },
    });
    expect(stacks.environments.production?.dependencies.map((stack) => stack.stackName).sort()).toEqual([
      "Phoenix-ops",
      "Phoenix-production-live-image",
    ]);
    expect(stacks.liveImages.production?.account).toBe(stacks.environments.production?.account);
    expect(stacks.liveImages.production?.region).toBe(stacks.environments.production?.region);
  });

  it("leaves the desired count out of the service, so a deploy keeps the autoscaler's count, and scales from at least 2", () => {
    for (const environment of ["staging", "production"]) {
      const json = template("single-account", `Phoenix-${environment}`);
      json.hasResourceProperties("AWS::ECS::Service", { DesiredCount: Match.absent() });
      const [target] = Object.values(json.findResources("AWS::ApplicationAutoScaling::ScalableTarget"));
      expect(target?.Properties.MinCapacity).toBeGreaterThanOrEqual(2);
    }
  });
});

describe("requirement 7: environments are configuration", () => {
  it("sizes each environment from its config: production for availability, staging for cost", () => {
    const production = template("two-accounts", "Phoenix-production");
    const stagingTemplate = template("two-accounts", "Phoenix-staging");
    production.resourceCountIs("AWS::DocDB::DBInstance", 3);
    stagingTemplate.resourceCountIs("AWS::DocDB::DBInstance", 1);
    production.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", {
      MinCapacity: 2,
      MaxCapacity: 10,
    });
    stagingTemplate.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", {
      MinCapacity: 2,
      MaxCapacity: 4,
    });
    production.resourceCountIs("AWS::EC2::NatGateway", 3);
    stagingTemplate.resourceCountIs("AWS::EC2::NatGateway", 1);
  });

  it("reads the config from the file named by -c phoenixConfig", () => {
    const { app, cleanup } = testApp({ phoenixConfig: layoutConfigFile("two-accounts") });
    try {
      expect(phoenixConfigFromContext(app)).toEqual(layoutConfig("two-accounts"));
    } finally {
      cleanup();
    }
  });

  it("reads the config from the phoenix object of cdk.json's context", () => {
    const raw = rawLayoutConfig("single-account");
    const { app, cleanup } = testApp({ phoenix: raw });
    try {
      expect(phoenixConfigFromContext(app)).toEqual(layoutConfig("single-account"));
    } finally {
      cleanup();
    }
  });

  it("says how to give a config when none is given, and refuses two", () => {
    const none = testApp();
    const both = testApp({ phoenix: {}, phoenixConfig: layoutConfigFile("two-accounts") });
    try {
      expect(() => phoenixConfigFromContext(none.app)).toThrow(
        /^phoenix config: none given; add a "phoenix" object to cdk.json's context or pass -c phoenixConfig=<file>/,
      );
      expect(() => phoenixConfigFromContext(both.app)).toThrow(
        'phoenix config: give the context "phoenix" or "phoenixConfig", not both',
      );
    } finally {
      none.cleanup();
      both.cleanup();
    }
  });

  it.each(["qa", "constructor", "__proto__"])(
    "refuses a stack for %j, an environment the config does not define",
    (name) => {
      const { app, cleanup } = testApp();
      try {
        expect(
          () =>
            new PhoenixLiveImageStack(app, "LiveImage", {
              config: layoutConfig("two-accounts"),
              environmentName: name,
            }),
        ).toThrow(`PhoenixLiveImageStack: environmentName "${name}" is not in the config (staging, production)`);
        expect(
          () =>
            new PhoenixEnvironmentStack(app, "Env", { config: layoutConfig("two-accounts"), environmentName: name }),
        ).toThrow(`PhoenixEnvironmentStack: environmentName "${name}" is not in the config (staging, production)`);
      } finally {
        cleanup();
      }
    },
  );

  it("names the file when it is not JSON", () => {
    const dir = mkdtempSync(join(tmpdir(), "phoenix-config-"));
    const file = join(dir, "broken.json");
    writeFileSync(file, "{ app: phoenix");
    const { app, cleanup } = testApp({ phoenixConfig: file });
    try {
      expect(() => phoenixConfigFromContext(app)).toThrow(`phoenix config: ${file} is not JSON`);
    } finally {
      cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the ops bot's code", () => {
  it("deploys the Lambda bundle @phoenix/ops-bot exports as the bot's code", () => {
    const { app } = synthesizedLayout("single-account");
    const ops = template("single-account", "Phoenix-ops");
    const [bot] = Object.values(
      ops.findResources("AWS::Lambda::Function", { Properties: { FunctionName: names.botFunction } }),
    );
    const assetHash = String(bot?.Properties.Code.S3Key).replace(/\.zip$/, "");
    const staged = readFileSync(join(app.outdir, `asset.${assetHash}`, "index.mjs"));
    expect(staged.equals(readFileSync(join(opsBotBundleDirectory(), "index.mjs")))).toBe(true);
    expect(bot?.Properties.Handler).toBe(OPS_BOT_BUNDLE_HANDLER);
  });

  it("uses the code it is given instead of the built bundle", () => {
    const { app, cleanup } = testApp();
    try {
      const inline = "exports.handler = async () => ({ statusCode: 200 });";
      const { ops } = buildPhoenixApp(app, layoutConfig("single-account"), {
        opsBotCode: { code: lambda.Code.fromInline(inline), handler: "index.handler" },
        validate: false,
      });
      Template.fromStack(ops).hasResourceProperties("AWS::Lambda::Function", {
        FunctionName: names.botFunction,
        Code: { ZipFile: inline },
      });
    } finally {
      cleanup();
    }
  });
});

describe("synthesizePhoenixTemplates: the templates for readers (sandbox, deployability)", () => {
  it("returns every stack's template by stack name, with its account, region and kind", () => {
    const config = parsePhoenixConfig(rawLayoutConfig("two-accounts"));
    const templates = synthesizePhoenixTemplates(config);
    expect(Object.keys(templates)).toEqual([
      "Phoenix-ops",
      "Phoenix-staging-live-image",
      "Phoenix-production-live-image",
      "Phoenix-staging",
      "Phoenix-production",
    ]);
    expect(templates["Phoenix-production"]).toMatchObject({
      kind: "environment",
      environment: "production",
      account: "222222222222",
      region: "eu-west-1",
    });
    expect(templates["Phoenix-production"]?.template).toEqual(
      synthesizedLayout("two-accounts").templates["Phoenix-production"]?.template,
    );
    // Kept per config: a second call is the same object, not a second synth.
    expect(synthesizePhoenixTemplates(config)).toBe(templates);
  });
});
