import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type PhoenixConfig, PhoenixConfigError, parsePhoenixConfig } from "../src/config/phoenix-config.js";
import { LAYOUTS, rawLayoutConfig } from "./support/phoenix-layouts.js";

// biome-ignore lint/suspicious/noExplicitAny: raw config JSON, edited by shape to make one value bad
type Json = any;

/** The shipped two-accounts config (packages/infra/config/), as raw JSON to edit. */
const raw = (): Record<string, Json> => rawLayoutConfig("two-accounts") as Record<string, Json>;
function parsedWith(edit: (config: Record<string, Json>) => void): PhoenixConfig {
  const config = raw();
  edit(config);
  return parsePhoenixConfig(config);
}

describe("requirement 7: the config is checked, with one-line errors naming the path", () => {
  it("accepts both shipped layouts", () => {
    for (const layout of LAYOUTS) {
      const config = parsePhoenixConfig(rawLayoutConfig(layout));
      expect(Object.keys(config.environments)).toEqual(["staging", "production"]);
    }
  });

  it.each([
    [
      (c: Record<string, Json>) => {
        c.environments.production.account = "12";
      },
      'phoenix config: environments.production.account must be a 12-digit AWS account id, got "12"',
    ],
    [
      (c: Record<string, Json>) => {
        c.ops.region = "Ireland";
      },
      'phoenix config: ops.region must be an AWS region such as eu-west-1, got "Ireland"',
    ],
    [
      (c: Record<string, Json>) => {
        c.environments.staging.availabilityZones = ["eu-west-1a", "us-east-1b"];
      },
      'phoenix config: environments.staging.availabilityZones[1] must be Availability Zones of eu-west-1 (eu-west-1a, eu-west-1b, …), got "us-east-1b"',
    ],
    [
      (c: Record<string, Json>) => {
        c.environments.production.maxTasks = 1;
      },
      "phoenix config: environments.production.maxTasks must be a whole number from 2 to 100, got 1",
    ],
    [
      (c: Record<string, Json>) => {
        c.environments.staging.minTasks = 1;
      },
      "phoenix config: environments.staging.minTasks must be a whole number from 2 to 100, got 1",
    ],
    [
      (c: Record<string, Json>) => {
        c.environments.staging.natGateways = 4;
      },
      "phoenix config: environments.staging.natGateways must be a whole number from 1 to 3, got 4",
    ],
    [
      (c: Record<string, Json>) => {
        c.environments.production.initialImage = "222222222222.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix:abc";
      },
      'phoenix config: environments.production.initialImage must be an image of the ops repository, 111111111111.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix:<tag> or 111111111111.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix@sha256:<digest>, got "222222222222.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix:abc"',
    ],
    [
      (c: Record<string, Json>) => {
        c.environments.staging.minTask = 2;
      },
      'phoenix config: environments.staging has unknown key "minTask"; allowed: account, region, availabilityZones, natGateways, databaseInstances, databaseInstanceClass, minTasks, maxTasks, cpuAlarmThresholdPercent, deletionProtection, initialImage, certificateArn, operatorEmails',
    ],
    [
      (c: Record<string, Json>) => {
        c.environments.Prod = c.environments.production;
      },
      'phoenix config: environments.Prod is not a usable environment name: environment "Prod" must be lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen',
    ],
    [
      (c: Record<string, Json>) => {
        c.environments.ops = c.environments.production;
      },
      'phoenix config: environments.ops is not a usable environment name: "ops" names the ops stack',
    ],
    [
      (c: Record<string, Json>) => {
        c.environments.production.certificateArn = "arn:aws:acm:eu-west-1:111111111111:certificate/abc-123";
      },
      'phoenix config: environments.production.certificateArn must be a certificate of the environment\'s account 222222222222 and region eu-west-1, got "arn:aws:acm:eu-west-1:111111111111:certificate/abc-123"',
    ],
    [
      (c: Record<string, Json>) => {
        c.environments.staging.deletionProtection = "no";
      },
      'phoenix config: environments.staging.deletionProtection must be true or false, got "no"',
    ],
    [
      (c: Record<string, Json>) => {
        c.environments = {};
      },
      "phoenix config: environments must name at least one environment",
    ],
    [
      (c: Record<string, Json>) => {
        c.gitHubRepository = "phoenix";
      },
      'phoenix config: gitHubRepository must be owner/name, got "phoenix"',
    ],
  ])("refuses a bad value with the path and the problem (case %#)", (edit, message) => {
    expect(() => parsedWith(edit)).toThrow(new PhoenixConfigError(message));
    expect(message).not.toContain("\n");
  });

  it("accepts an initial image by digest and optional certificate and emails", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const config = parsedWith((c) => {
      c.environments.production.initialImage = `111111111111.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix@${digest}`;
      c.environments.production.certificateArn = "arn:aws:acm:eu-west-1:222222222222:certificate/abc-123";
      c.environments.production.operatorEmails = ["oncall@example.com"];
    });
    expect(config.environments.production).toMatchObject({
      certificateArn: "arn:aws:acm:eu-west-1:222222222222:certificate/abc-123",
      operatorEmails: ["oncall@example.com"],
    });
  });

  it("takes any 12-digit account id and refuses anything else, naming the path", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12}$/), (account) => {
        expect(parsedWith((c) => (c.environments.production.account = account)).environments.production?.account).toBe(
          account,
        );
      }),
    );
    fc.assert(
      fc.property(
        fc
          .oneof(fc.string(), fc.integer(), fc.constant(null))
          .filter((value) => !/^\d{12}$/.test(String(value)) || typeof value !== "string"),
        (account) => {
          expect(() => parsedWith((c) => (c.environments.production.account = account))).toThrow(
            /^phoenix config: environments\.production\.account must be a 12-digit AWS account id, got /,
          );
        },
      ),
    );
  });
});
