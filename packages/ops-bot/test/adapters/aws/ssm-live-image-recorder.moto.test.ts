import { randomUUID } from "node:crypto";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../../test-support/moto.js";
import { createDeploymentClients } from "../../../src/adapters/aws/deployment-clients.js";
import { createSsmLiveImageRecorder } from "../../../src/adapters/aws/ssm-live-image-recorder.js";
import type { ServiceTarget } from "../../../src/ports/service-target.js";
import { deployerRoleInMoto, inMotoAccount } from "../../support/moto-accounts.js";

const ENVIRONMENT_ACCOUNT = "210987654321";
const image = (hex: string) => `123456789012.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix@sha256:${hex.repeat(64)}`;

describe("the live-image parameter (moto server, two accounts)", () => {
  it("writes the image in the environment's account through its deployer role, replacing the previous one", async () => {
    const id = randomUUID().slice(0, 8);
    const roleArn = await deployerRoleInMoto(ENVIRONMENT_ACCOUNT, `live-${id}-deployer`);
    const target: ServiceTarget = { region: "eu-west-1", cluster: "c", service: "s", container: "app", roleArn };
    const { endpoint, credentials } = motoClientConfig();
    const recorder = createSsmLiveImageRecorder(createDeploymentClients({ endpoint, credentials }));
    const parameter = `/phoenix/live-${id}/production/live-image`;

    await recorder.record(target, parameter, image("a"));
    await recorder.record(target, parameter, image("b"));

    const inEnvironment = inMotoAccount(new SSMClient(motoClientConfig()), ENVIRONMENT_ACCOUNT);
    const { Parameter } = await inEnvironment.send(new GetParameterCommand({ Name: parameter }));
    expect(Parameter).toMatchObject({ Value: image("b"), Type: "String", Version: 2 });
    // Nothing in the bot's own account.
    await expect(new SSMClient(motoClientConfig()).send(new GetParameterCommand({ Name: parameter }))).rejects.toThrow(
      /ParameterNotFound|not found/i,
    );
  });
});
