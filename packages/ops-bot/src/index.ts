// @phoenix/ops-bot as a library, by layer (see the README's "where things live"): the ports and
// their production adapters, the handlers that decide, the intake that verifies inputs, and the
// wiring that composes them, for hosting the bot another way than its Lambda or plain server.

// Adapters
export {
  ApplicationAutoScalingScaler,
  type ApplicationAutoScalingScalerOptions,
} from "./adapters/aws/application-auto-scaling-scaler.js";
export { createCloudWatchLogReader } from "./adapters/aws/cloudwatch-log-reader.js";
export { createCloudWatchMetricReader } from "./adapters/aws/cloudwatch-metric-reader.js";
export { CodeBuildImageBuilder, type CodeBuildImageBuilderOptions } from "./adapters/aws/codebuild-image-builder.js";
export { createDeploymentClients, type DeploymentClients } from "./adapters/aws/deployment-clients.js";
export { createEcrCommitImages } from "./adapters/aws/ecr-commit-images.js";
export { createEcrImageTags } from "./adapters/aws/ecr-image-tags.js";
export { EcsDeployer, type EcsDeployerOptions } from "./adapters/aws/ecs-deployer.js";
export { createSsmLiveImageRecorder } from "./adapters/aws/ssm-live-image-recorder.js";
export { installationOctokits } from "./adapters/github/installation-access.js";
export { createOctokitIssueTracker } from "./adapters/github/octokit-issue-tracker.js";
export { createOctokitRepositoryGateway } from "./adapters/github/octokit-repository-gateway.js";
export { inProcessImageBuilder } from "./adapters/in-process/image-builder.js";
export { DynamoDbLedger, type DynamoDbLedgerOptions } from "./adapters/ledger/dynamodb-ledger.js";
export { EmbeddedLedger, type EmbeddedLedgerOptions } from "./adapters/ledger/embedded-ledger.js";
export { type ManifestReader, registryCommitImages } from "./adapters/registry/registry-commit-images.js";
// Domain
export { CommentCommandHandler, type CommentCommandInput } from "./domain/commands/comment-command-handler.js";
export { DeployEventHandler, type ReconcileScope } from "./domain/delivery/deploy-event-handler.js";
export {
  type DeployRequest,
  type DeployStart,
  DeployWorkflow,
  type DeployWorkflowDeps,
} from "./domain/delivery/deploy-workflow.js";
export { decideMergeDeploy, deployLandedChange, type LandedChange } from "./domain/delivery/merge-deploy.js";
export { AlarmIssueHandler, type AlarmIssueHandlerDeps } from "./domain/notifications/alarm-issue-handler.js";
export { CrashIssueHandler, type CrashIssueHandlerDeps } from "./domain/notifications/crash-issue-handler.js";
export { EXAMPLE_OPS_CONFIG_YAML } from "./domain/ops-config/example-ops-config.js";
export {
  type EnvironmentConfig,
  OPS_CONFIG_FILE_NAME,
  OPS_CONFIG_PATH,
  type OpsConfig,
  opsConfigSchema,
} from "./domain/ops-config/ops-config-schema.js";
export { type OpsConfigParse, parseOpsConfig } from "./domain/ops-config/parse-ops-config.js";
// Intake
export { AwsInputRouter } from "./intake/aws-input-router.js";
export { opsBotApp, type WebhookServices } from "./intake/github/ops-bot-app.js";
export { createOpsBotServer, type OpsBotServer, type OpsBotServerDeps } from "./intake/http/ops-bot-server.js";
export { createLambdaHandler } from "./intake/lambda/lambda-handler.js";
export { SnsSignatureVerifier } from "./intake/sns/sns-signature-verifier.js";
// Ports
export type { CertificateFetcher } from "./ports/certificate-fetcher.js";
export type { CommitImages } from "./ports/commit-images.js";
export { DeliveryError } from "./ports/delivery-error.js";
export type { Deployer, LiveRevision, RolloutStarted, RolloutState } from "./ports/deployer.js";
export type {
  BuiltImage,
  ImageBuilder,
  ImageBuildOutcome,
  ImageBuildRequest,
  ImageBuildStart,
} from "./ports/image-builder.js";
export type { ImageTagReader, PinnedImage } from "./ports/image-tag-reader.js";
export type { IssueChange, IssueTracker, NewIssue, TrackedIssue } from "./ports/issue-tracker.js";
export type { Ledger, LedgerValue, LockAcquisition } from "./ports/ledger.js";
export type { LiveImageRecorder } from "./ports/live-image-recorder.js";
export type { LogReader, LogWindow } from "./ports/log-reader.js";
export type { OpsLogger } from "./ports/logger.js";
export type { MetricQuery, MetricReader } from "./ports/metric-reader.js";
export type { RepositoryGateway, RepositoryRef } from "./ports/repository-gateway.js";
export type { Scaler, ScalingBounds } from "./ports/scaler.js";
export type { ServiceTarget } from "./ports/service-target.js";
export type { SubscriptionConfirmer } from "./ports/subscription-confirmer.js";
export { createBotLogger } from "./wiring/bot-logger.js";
// Wiring
export { type BotSettings, readBotSettings } from "./wiring/bot-settings.js";
export { createLambdaBot } from "./wiring/lambda-bot.js";
export { type AwsClientSettings, createOpsServices, type OpsServices } from "./wiring/ops-services.js";
export { createPlainServer, type PlainServer, type PlainServerDeps } from "./wiring/plain-server.js";
export { BotConfigError, readTargetRepository } from "./wiring/target-repository.js";
