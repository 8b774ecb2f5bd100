import { resourceNames } from "@phoenix/shared";
import { Stack, type StackProps } from "aws-cdk-lib";
import * as ssm from "aws-cdk-lib/aws-ssm";
import type { Construct } from "constructs";
import type { PhoenixConfig } from "../config/phoenix-config.js";
import { requireEnvironment } from "./topology.js";

export interface PhoenixLiveImageStackProps extends Omit<StackProps, "env"> {
  readonly config: PhoenixConfig;
  /** A key of `config.environments`; the stack goes to that environment's account and region. */
  readonly environmentName: string;
}

/**
 * Creates an environment's live-image parameter (`resourceNames(identity).liveImageParameter`)
 * before the environment stack's first deploy, which reads it, holding `initialImage`.
 *
 * From then on the ops bot writes the parameter after each successful deploy, and
 * CloudFormation leaves it alone: an update of this stack with the same `initialImage` changes
 * nothing. Changing `initialImage` in the config, however, makes CloudFormation write the new
 * value, which resets the live image (the next `cdk deploy` of the environment then starts it).
 */
export class PhoenixLiveImageStack extends Stack {
  public readonly parameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: PhoenixLiveImageStackProps) {
    const { config, environmentName } = props;
    const settings = requireEnvironment("PhoenixLiveImageStack", config, environmentName);
    super(scope, id, {
      description: `Phoenix ${environmentName}: the live-image parameter the ops bot owns, created with the initial image`,
      ...props,
      env: { account: settings.account, region: settings.region },
    });
    this.parameter = new ssm.StringParameter(this, "LiveImage", {
      parameterName: resourceNames({ app: config.app, environment: environmentName }).liveImageParameter,
      description: `The image ${environmentName} runs; written by the ops bot after each successful deploy`,
      stringValue: settings.initialImage,
      tier: ssm.ParameterTier.STANDARD,
    });
  }
}
