import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import type { ProbotOctokit } from "probot";
import { ApplicationAutoScalingScaler } from "../aws/application-auto-scaling-scaler.js";
import { CodeBuildImageBuilder } from "../aws/codebuild-image-builder.js";
import { createDeploymentClients } from "../aws/deployment-clients.js";
import { EcsDeployer } from "../aws/ecs-deployer.js";
import type { BotSettings } from "../config/bot-settings.js";
import { DeployWorkflow } from "../delivery/deploy-workflow.js";
import { DeliveryError, type Deployer, type ImageBuilder, type Scaler } from "../delivery/ports.js";
import { createOctokitRepositoryGateway } from "../github/octokit-repository-gateway.js";
import type { RepositoryRef } from "../github/repository-gateway.js";
import type { IntakeLogger } from "../intake/sns/sns-endpoint.js";
import type { Ledger } from "../ledger/ledger.js";
import type { AwsClientSettings } from "./ops-services.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

/** What the GitHub handlers and the deploy events share: one workflow, one set of AWS adapters. */
export interface DeliveryServices {
  readonly workflow: DeployWorkflow;
  readonly deployer: Deployer;
  readonly scaler: Scaler;
  readonly ledger: Ledger;
  /** Installation Octokit for a repository (AWS events carry none). */
  readonly octokitFor: (repository: RepositoryRef) => Promise<Octokit>;
}

export interface DeliveryServicesDeps {
  readonly settings: BotSettings;
  readonly aws: AwsClientSettings;
  readonly ledger: Ledger;
  readonly octokitFor: (repository: RepositoryRef) => Promise<Octokit>;
  readonly logger: IntakeLogger;
  /** Overrides the builder the settings choose (the local sandbox's daemonless OCI builder). */
  readonly imageBuilder?: ImageBuilder;
  readonly now?: () => Date;
}

export function createDeliveryServices(deps: DeliveryServicesDeps): DeliveryServices {
  const { settings, aws } = deps;
  const clients = createDeploymentClients({
    ...(aws.endpoint ? { endpoint: aws.endpoint } : {}),
    ...(aws.credentials ? { credentials: aws.credentials } : {}),
  });
  const deployer = new EcsDeployer({ clients });
  const scaler = new ApplicationAutoScalingScaler({ clients });
  const builder = deps.imageBuilder ?? imageBuilderFromSettings(settings, aws);
  const workflow = new DeployWorkflow({
    ledger: deps.ledger,
    builder,
    deployer,
    github: async (repository) => createOctokitRepositoryGateway(await deps.octokitFor(repository), repository),
    now: deps.now ?? (() => new Date()),
    timeoutMs: settings.delivery.timeoutMinutes * 60_000,
    logger: deps.logger,
  });
  return { workflow, deployer, scaler, ledger: deps.ledger, octokitFor: deps.octokitFor };
}

function imageBuilderFromSettings(settings: BotSettings, aws: AwsClientSettings): ImageBuilder {
  const build = settings.delivery.codeBuild;
  if (build) {
    return new CodeBuildImageBuilder(new CodeBuildClient(aws), {
      projectName: build.project,
      repositoryUri: build.repositoryUri,
    });
  }
  const refuse = async (): Promise<never> => {
    throw new DeliveryError(
      "no image builder is configured: set PHOENIX_BUILD_PROJECT and PHOENIX_ECR_REPOSITORY_URI (CodeBuild)",
      "NoImageBuilder",
    );
  };
  return { start: refuse, outcome: refuse };
}
