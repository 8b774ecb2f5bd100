import { PutParameterCommand } from "@aws-sdk/client-ssm";
import type { LiveImageRecorder } from "../../ports/live-image-recorder.js";
import type { ServiceTarget } from "../../ports/service-target.js";
import { awsCall } from "./aws-call.js";
import type { DeploymentClients } from "./deployment-clients.js";

/**
 * `LiveImageRecorder` on the environment's SSM parameter (`resourceNames(…).liveImageParameter`),
 * which the environment stack's task definition reads on every `cdk deploy`. Written with the
 * target's clients: in the environment's account, as its deployer role.
 */
export function createSsmLiveImageRecorder(clients: Pick<DeploymentClients, "ssm">): LiveImageRecorder {
  return {
    async record(target: ServiceTarget, parameterName: string, imageUri: string) {
      await awsCall(() =>
        clients
          .ssm(target)
          .send(new PutParameterCommand({ Name: parameterName, Value: imageUri, Type: "String", Overwrite: true })),
      );
    },
  };
}
