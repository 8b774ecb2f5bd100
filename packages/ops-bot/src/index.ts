// @phoenix/ops-bot as a library: the delivery ports and their adapters (ECS, Application Auto
// Scaling, CodeBuild, the daemonless OCI builder), the handlers that decide, and the wiring
// (services, server, Probot app) for hosting the bot another way than its Lambda or server.
export {
  ApplicationAutoScalingScaler,
  type ApplicationAutoScalingScalerOptions,
} from "./aws/application-auto-scaling-scaler.js";
export { CodeBuildImageBuilder, type CodeBuildImageBuilderOptions } from "./aws/codebuild-image-builder.js";
export { createDeploymentClients, type DeploymentClients } from "./aws/deployment-clients.js";
export { ecrRegistryCredentials } from "./aws/ecr-registry-credentials.js";
export { EcsDeployer, type EcsDeployerOptions } from "./aws/ecs-deployer.js";
export { createOpsServices, type OpsServices } from "./bot/ops-services.js";
export { CommentCommandHandler, type CommentCommandInput } from "./commands/comment-command-handler.js";
export { BotConfigError, readTargetRepository, type TargetRepository } from "./config/target-repository.js";
export { DeployEventHandler, type ReconcileScope } from "./delivery/deploy-event-handler.js";
export {
  type DeployRequest,
  type DeployStart,
  DeployWorkflow,
  type DeployWorkflowDeps,
} from "./delivery/deploy-workflow.js";
export { decideMergeDeploy, deployLandedChange, type LandedChange } from "./delivery/merge-deploy.js";
export type {
  BuiltImage,
  Deployer,
  ImageBuilder,
  ImageBuildOutcome,
  ImageBuildRequest,
  ImageBuildStart,
  LiveRevision,
  RolloutState,
  Scaler,
  ScalingBounds,
  ServiceTarget,
} from "./delivery/ports.js";
export { DeliveryError } from "./delivery/ports.js";
export { createOctokitRepositoryGateway } from "./github/octokit-repository-gateway.js";
export type { RepositoryGateway } from "./github/repository-gateway.js";
export {
  type DeployableApp,
  type DeployableAppOptions,
  prepareDeployableApp,
} from "./images/oci/deployable-app.js";
export type { ImageRuntimeConfig } from "./images/oci/image-assembly.js";
export { type ImageLayer, LayerCache } from "./images/oci/image-layer.js";
export { type ImageReference, parseImageReference } from "./images/oci/image-reference.js";
export {
  type LocalNodeBaseImage,
  type LocalNodeBaseImageOptions,
  pushLocalNodeBaseImage,
} from "./images/oci/local-base-image.js";
export {
  type OciBuildReport,
  OciImageBuilder,
  type OciImageBuilderOptions,
  type RegistryDestination,
} from "./images/oci/oci-image-builder.js";
export {
  credentialsFromAuthorizationToken,
  type RegistryCredentials,
  type RegistryCredentialsProvider,
} from "./images/oci/registry-auth.js";
export { type FetchFunction, RegistryClient, type RegistryClientOptions } from "./images/oci/registry-client.js";
export { opsBotApp } from "./server/ops-bot-app.js";
export { createOpsBotServer, type OpsBotServer } from "./server/ops-bot-server.js";
