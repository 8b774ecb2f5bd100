import { randomUUID } from "node:crypto";
import { CreateClusterCommand, ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../../test-support/moto.js";
import {
  type AwsCredentials,
  cachedUntilExpiry,
  createDeploymentClients,
} from "../../../src/adapters/aws/deployment-clients.js";
import type { ServiceTarget } from "../../../src/ports/service-target.js";

const base: ServiceTarget = { region: "eu-west-1", cluster: "c", service: "s", container: "app" };

function motoClients() {
  const { endpoint, credentials } = motoClientConfig();
  return createDeploymentClients({ endpoint, credentials });
}

describe("deployment clients (moto server)", () => {
  it("acts in the target's account as the target's role, with session name phoenix-ops-bot", async () => {
    // moto's STS hands out keys of the role's account, so the role's clients reach that account's resources.
    const target = { ...base, roleArn: "arn:aws:iam::222233334444:role/phoenix-deploy" };
    const clients = motoClients();
    const ecs = clients.ecs(target);
    const cluster = `assumed-${randomUUID().slice(0, 8)}`;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));

    const inRoleAccount = await ecs.send(new ListClustersCommand({}));
    expect(inRoleAccount.clusterArns).toContain(`arn:aws:ecs:eu-west-1:222233334444:cluster/${cluster}`);
    const inOwnAccount = await new ECSClient(motoClientConfig()).send(new ListClustersCommand({}));
    expect(inOwnAccount.clusterArns?.some((arn) => arn.endsWith(`/${cluster}`))).toBe(false);

    const identity = await new STSClient({ ...motoClientConfig(), credentials: ecs.config.credentials }).send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity.Arn).toBe("arn:aws:sts::222233334444:assumed-role/phoenix-deploy/phoenix-ops-bot");
    // The scaler's client signs with the same assumed-role credentials: one AssumeRole per role.
    expect(await clients.applicationAutoScaling(target).config.credentials()).toEqual(await ecs.config.credentials());
  });

  it("uses the bot's own credentials in the target's region without a role, one client per region and role", async () => {
    const clients = motoClients();
    const ecs = clients.ecs(base);
    expect(await ecs.config.region()).toBe("eu-west-1");
    expect(await ecs.config.credentials()).toMatchObject({ accessKeyId: "test" });
    expect(clients.ecs({ ...base, cluster: "other" })).toBe(ecs);
    expect(await clients.ecs({ ...base, region: "us-east-1" }).config.region()).toBe("us-east-1");
    expect(clients.ecs({ ...base, roleArn: "arn:aws:iam::222233334444:role/x" })).not.toBe(ecs);
  });
});

describe("assumed-role credentials cache", () => {
  it("reuses credentials until shortly before they expire and shares one AssumeRole between callers", async () => {
    const clock = { now: 0 };
    let calls = 0;
    const fetch = async (): Promise<AwsCredentials> => {
      calls += 1;
      return { accessKeyId: `key-${calls}`, secretAccessKey: "s", expiration: new Date(clock.now + 3_600_000) };
    };
    const credentials = cachedUntilExpiry(fetch, () => clock.now, 300_000);

    const first = await Promise.all([credentials(), credentials()]);
    expect(first.map((c) => c.accessKeyId)).toEqual(["key-1", "key-1"]);
    clock.now = 3_600_000 - 300_001;
    expect((await credentials()).accessKeyId).toBe("key-1");
    clock.now = 3_600_000 - 299_999;
    expect((await credentials()).accessKeyId).toBe("key-2");
    expect(calls).toBe(2);
  });

  it("does not keep a failed AssumeRole", async () => {
    let fail = true;
    const credentials = cachedUntilExpiry(async () => {
      if (fail) throw new Error("AccessDenied");
      return { accessKeyId: "k", secretAccessKey: "s" };
    });
    await expect(credentials()).rejects.toThrow("AccessDenied");
    fail = false;
    expect((await credentials()).accessKeyId).toBe("k");
  });
});
