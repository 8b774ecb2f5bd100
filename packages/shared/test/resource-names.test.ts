import { describe, expect, it } from "vitest";
import { InvalidResourceNameError, resourceNames } from "../src/index.js";

describe("resource names shared by infra and bot", () => {
  it("derives every name from the app and environment", () => {
    expect(resourceNames({ app: "phoenix", environment: "staging" })).toEqual({
      cluster: "phoenix-staging",
      service: "phoenix-staging-web",
      logGroup: "/phoenix/phoenix/staging",
      repository: "phoenix/phoenix",
      alarms: {
        cpuHigh: "phoenix-staging-cpu-high",
        http5xx: "phoenix-staging-http-5xx",
        unhealthyHosts: "phoenix-staging-unhealthy-hosts",
        elb5xx: "phoenix-staging-elb-5xx",
      },
      targetGroup: "phoenix-staging-tg",
      buildProject: "phoenix-staging-image-build",
      alarmTopic: "phoenix-staging-alarms",
      botFunction: "phoenix-staging-ops-bot",
      ledgerTable: "phoenix-staging-ops-ledger",
    });
  });

  it("shares one image repository between environments of an app", () => {
    const staging = resourceNames({ app: "phoenix", environment: "staging" });
    const production = resourceNames({ app: "phoenix", environment: "production" });
    expect(staging.repository).toBe(production.repository);
    expect(staging.cluster).not.toBe(production.cluster);
  });

  it.each(["Prod", "prod_1", "-prod", "prod-", "pr--od", "1prod", ""])(
    "rejects the environment name %j",
    (environment) => {
      expect(() => resourceNames({ app: "phoenix", environment })).toThrow(InvalidResourceNameError);
      expect(() => resourceNames({ app: "phoenix", environment })).toThrow(/^environment /);
    },
  );

  it("refuses names that would overflow the 32-character target-group limit", () => {
    expect(() => resourceNames({ app: "phoenix-payments-gateway", environment: "production" })).toThrow(/target-group/);
    const longest = resourceNames({ app: "a".repeat(14), environment: "b".repeat(14) });
    expect(longest.targetGroup).toHaveLength(32);
  });
});
