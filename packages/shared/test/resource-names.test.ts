import { describe, expect, it } from "vitest";
import { type DeploymentIdentity, InvalidResourceNameError, opsResourceNames, resourceNames } from "../src/index.js";

describe("resource names shared by infra and bot", () => {
  it("derives every name from the app and environment", () => {
    expect(resourceNames({ app: "phoenix", environment: "staging" })).toEqual({
      cluster: "phoenix-staging",
      service: "phoenix-staging-web",
      logGroup: "/phoenix/phoenix/staging",
      alarms: {
        cpuHigh: "phoenix-staging-cpu-high",
        http5xx: "phoenix-staging-http-5xx",
        unhealthyHosts: "phoenix-staging-unhealthy-hosts",
        elb5xx: "phoenix-staging-elb-5xx",
      },
      targetGroup: "phoenix-staging-tg",
      alarmTopic: "phoenix-staging-alarms",
      deployerRole: "phoenix-staging-deployer",
      taskRole: "phoenix-staging-task",
      executionRole: "phoenix-staging-execution",
      liveImageParameter: "/phoenix/phoenix/staging/live-image",
    });
  });

  it("gives no two environments of an app a common name, so they can share an account", () => {
    const staging = Object.values(flatNames({ app: "phoenix", environment: "staging" }));
    const production = new Set(Object.values(flatNames({ app: "phoenix", environment: "production" })));
    expect(staging.filter((name) => production.has(name))).toEqual([]);
  });

  it("names the ops stack's resources once per app, apart from every environment's", () => {
    const ops = opsResourceNames("phoenix");
    expect(ops).toEqual({
      repository: "phoenix/phoenix",
      buildProject: "phoenix-image-build",
      botFunction: "phoenix-ops-bot",
      botRole: "phoenix-ops-bot",
      ledgerTable: "phoenix-ops-ledger",
      eventBus: "phoenix-ops-events",
    });
    const staging = new Set(Object.values(flatNames({ app: "phoenix", environment: "staging" })));
    expect(Object.values(ops).filter((name) => staging.has(name))).toEqual([]);
    expect(() => opsResourceNames("Phoenix")).toThrow(InvalidResourceNameError);
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

  it("keeps every IAM role name within IAM's 64 characters for the longest identity allowed", () => {
    const longest = resourceNames({ app: "a".repeat(14), environment: "b".repeat(14) });
    for (const role of [longest.deployerRole, longest.taskRole, longest.executionRole]) {
      expect(role.length).toBeLessThanOrEqual(64);
    }
  });
});

function flatNames(identity: DeploymentIdentity): Record<string, string> {
  const { alarms, ...rest } = resourceNames(identity);
  return { ...rest, ...alarms };
}
