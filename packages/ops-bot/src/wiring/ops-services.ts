// The composition root: every port gets its production adapter here, and only here. Entry points
// and hosts (the plain server, the Lambda, the sandbox, the tests) hand in what differs: the
// settings, how to reach AWS, an installation Octokit per repository, and optionally the image
// builder (an in-process build where there is no CodeBuild).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECRClient } from "@aws-sdk/client-ecr";
import type { ProbotOctokit } from "probot";
import { ApplicationAutoScalingScaler } from "../adapters/aws/application-auto-scaling-scaler.js";
import { createCloudWatchLogReader } from "../adapters/aws/cloudwatch-log-reader.js";
import { createCloudWatchMetricReader } from "../adapters/aws/cloudwatch-metric-reader.js";
import { CodeBuildImageBuilder } from "../adapters/aws/codebuild-image-builder.js";
import { createDeploymentClients, type DeploymentClients } from "../adapters/aws/deployment-clients.js";
import { createEcrCommitImages, parseEcrRepositoryUri } from "../adapters/aws/ecr-commit-images.js";
import { createEcrImageTags } from "../adapters/aws/ecr-image-tags.js";
import { EcsDeployer } from "../adapters/aws/ecs-deployer.js";
import { createSsmLiveImageRecorder } from "../adapters/aws/ssm-live-image-recorder.js";
import { lazyIssueTracker } from "../adapters/github/lazy-issue-tracker.js";
import { createOctokitRepositoryGateway } from "../adapters/github/octokit-repository-gateway.js";
import { DynamoDbLedger } from "../adapters/ledger/dynamodb-ledger.js";
import { EmbeddedLedger } from "../adapters/ledger/embedded-ledger.js";
import { DeployEventHandler } from "../domain/delivery/deploy-event-handler.js";
import { DeployWorkflow } from "../domain/delivery/deploy-workflow.js";
import { AlarmIssueHandler } from "../domain/notifications/alarm-issue-handler.js";
import { CrashIssueHandler } from "../domain/notifications/crash-issue-handler.js";
import { EnvironmentScopes, type OpsConfigFile } from "../domain/notifications/environment-scope.js";
import { OPS_CONFIG_PATH } from "../domain/ops-config/ops-config-schema.js";
import { parseOpsConfig } from "../domain/ops-config/parse-ops-config.js";
import { AwsInputRouter } from "../intake/aws-input-router.js";
import type { WebhookServices } from "../intake/github/ops-bot-app.js";
import type { CommitImages } from "../ports/commit-images.js";
import { DeliveryError } from "../ports/delivery-error.js";
import type { ImageBuilder } from "../ports/image-builder.js";
import type { Ledger } from "../ports/ledger.js";
import type { OpsLogger } from "../ports/logger.js";
import type { RepositoryRef } from "../ports/repository-gateway.js";
import type { BotSettings } from "./bot-settings.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

/** How the AWS SDK clients reach AWS; tests point them at moto. */
export interface AwsClientSettings {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface OpsServicesDeps {
  readonly settings: BotSettings;
  /** An installation Octokit for a repository; alarms and crashes go to the target repository. */
  readonly octokitFor: (repository: RepositoryRef) => Promise<Octokit>;
  /** Replaces the image builder the settings choose (an in-process build in the sandbox and tests). */
  readonly imageBuilder?: ImageBuilder;
  /**
   * Where the deploy workflow looks for a commit's image before building it. Hosts that pass
   * `imageBuilder` pass this too, reading the registry that builder pushes to.
   * @default the ECR repository of the CodeBuild settings; none known without them
   */
  readonly commitImages?: CommitImages;
  readonly aws: AwsClientSettings;
  readonly logger: OpsLogger;
  readonly now?: () => Date;
}

export interface OpsServices {
  /** Where every verified AWS input goes, whatever transport brought it. */
  readonly router: AwsInputRouter;
  readonly ledger: Ledger;
  /** What the Probot app's webhook handlers act through (the same workflow the AWS events resume). */
  readonly webhooks: WebhookServices;
  readonly deployEvents: DeployEventHandler;
}

export function createOpsServices(deps: OpsServicesDeps): OpsServices {
  const { settings, aws } = deps;
  const now = deps.now ?? (() => new Date());
  const ledger = createLedger(settings, aws);
  const targetOctokit = () => deps.octokitFor(settings.targetRepository);
  const clients = createDeploymentClients({
    ...(aws.endpoint ? { endpoint: aws.endpoint } : {}),
    ...(aws.credentials ? { credentials: aws.credentials } : {}),
  });

  // Alarm and crash issues: in the repository an event's labels name, with evidence read in
  // the environment's account through its deployer role.
  const scopes = environmentScopes(deps, clients);
  const alarms = new AlarmIssueHandler({
    ledger,
    scopes,
    policy: settings.alarmIssues,
    storm: settings.storm,
    now,
    logger: deps.logger,
  });
  const stoppedTasks = new CrashIssueHandler({
    ledger,
    scopes,
    policy: { label: settings.crashLabel, commentIntervalMs: settings.alarmIssues.commentIntervalMs },
    storm: settings.storm,
    // Images live in the ops account's repository: read with the bot's own credentials.
    imageTags: createEcrImageTags(new ECRClient(aws)),
    now,
    logger: deps.logger,
  });

  const deployer = new EcsDeployer({ clients });
  const scaler = new ApplicationAutoScalingScaler({ clients });
  const workflow = new DeployWorkflow({
    ledger,
    builder: deps.imageBuilder ?? imageBuilderFromSettings(settings, aws),
    images: deps.commitImages ?? commitImagesFromSettings(settings, aws),
    deployer,
    liveImages: createSsmLiveImageRecorder(clients),
    github: async (repository) => createOctokitRepositoryGateway(await deps.octokitFor(repository), repository),
    now,
    timeoutMs: settings.delivery.timeoutMinutes * 60_000,
    logger: deps.logger,
  });
  const deployEvents = new DeployEventHandler({
    workflow,
    ledger,
    reconcileScope: async () => ({
      repository: settings.targetRepository,
      environments: await configuredEnvironments(await targetOctokit(), settings.targetRepository),
    }),
  });
  return {
    router: new AwsInputRouter({
      alarms,
      stoppedTasks,
      deploys: deployEvents,
      snsRepository: settings.targetRepository,
      logger: deps.logger,
    }),
    ledger,
    webhooks: { workflow, deployer, scaler, ledger, repositoryGateway: createOctokitRepositoryGateway },
    deployEvents,
  };
}

/** Environments of the repository's `.github/phoenix-ops.yml` (none when absent or invalid). */
async function configuredEnvironments(octokit: Octokit, repository: RepositoryRef): Promise<string[]> {
  const { config } = await octokit.config.get({
    owner: repository.owner,
    repo: repository.repo,
    path: OPS_CONFIG_PATH,
  });
  const parsed = parseOpsConfig(config);
  return parsed.ok ? Object.keys(parsed.config.environments) : [];
}

function createLedger(settings: BotSettings, aws: AwsClientSettings): Ledger {
  if (settings.ledger.kind === "dynamodb") {
    return new DynamoDbLedger({ client: new DynamoDBClient(aws), tableName: settings.ledger.table });
  }
  mkdirSync(dirname(settings.ledger.file), { recursive: true });
  return new EmbeddedLedger(settings.ledger.file);
}

/** The ops account's image repository (the bot's own credentials), where CodeBuild pushes. */
function commitImagesFromSettings(settings: BotSettings, aws: AwsClientSettings): CommitImages {
  const build = settings.delivery.codeBuild;
  if (!build) return { builtAt: async () => undefined };
  const { region } = parseEcrRepositoryUri(build.repositoryUri);
  return createEcrCommitImages(new ECRClient({ ...aws, region }), build.repositoryUri);
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

/** How long a repository's ops config is reused for alarm and crash issues (a burst of alarms reads it once). */
const OPS_CONFIG_REUSE_MS = 60_000;

/**
 * Each labelled environment's issues (its repository's), logs and metrics (its account and
 * region, through its deployer role: `clients` assumes `target.roleArn`).
 */
function environmentScopes(deps: OpsServicesDeps, clients: DeploymentClients): EnvironmentScopes {
  const configs = new Map<string, { readonly at: number; readonly file: Promise<OpsConfigFile> }>();
  const opsConfig = (repository: RepositoryRef): Promise<OpsConfigFile> => {
    const key = `${repository.owner}/${repository.repo}`.toLowerCase();
    const cached = configs.get(key);
    if (cached && Date.now() - cached.at < OPS_CONFIG_REUSE_MS) return cached.file;
    const file = readOpsConfigFile(deps.octokitFor, repository);
    configs.set(key, { at: Date.now(), file });
    file.catch(() => configs.delete(key));
    return file;
  };
  return new EnvironmentScopes({
    opsConfig,
    issues: (repository) => lazyIssueTracker(() => deps.octokitFor(repository), repository),
    logs: ({ target, logGroup }) =>
      createCloudWatchLogReader(clients.logs(target), { region: target.region, logGroupName: logGroup }),
    metrics: (target) => createCloudWatchMetricReader(clients.cloudWatch(target)),
  });
}

async function readOpsConfigFile(
  octokitFor: OpsServicesDeps["octokitFor"],
  repository: RepositoryRef,
): Promise<OpsConfigFile> {
  const octokit = await octokitFor(repository);
  try {
    const { config, files } = await octokit.config.get({
      owner: repository.owner,
      repo: repository.repo,
      path: OPS_CONFIG_PATH,
    });
    return files.every((file) => file.config === null) ? { kind: "absent" } : { kind: "file", content: config };
  } catch (error) {
    // The config plugin throws plain errors for a file it cannot parse; HTTP errors carry a status.
    if (typeof (error as { status?: unknown }).status === "number") throw error;
    return { kind: "unreadable", why: String((error as Error).message ?? error) };
  }
}
