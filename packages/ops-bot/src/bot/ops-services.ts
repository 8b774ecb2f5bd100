import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECRClient } from "@aws-sdk/client-ecr";
import { OPS_CONFIG_PATH, parseOpsConfig } from "@phoenix/shared";
import type { ProbotOctokit } from "probot";
import { createCloudWatchLogReader } from "../aws/cloudwatch-log-reader.js";
import { createCloudWatchMetricReader } from "../aws/cloudwatch-metric-reader.js";
import { createEcrImageTags } from "../aws/ecr-image-tags.js";
import type { LogReader } from "../aws/evidence-readers.js";
import type { BotSettings } from "../config/bot-settings.js";
import { DeployEventHandler } from "../delivery/deploy-event-handler.js";
import type { ImageBuilder } from "../delivery/ports.js";
import { lazyIssueTracker } from "../github/lazy-issue-tracker.js";
import type { RepositoryRef } from "../github/repository-gateway.js";
import type { IntakeLogger } from "../intake/sns/sns-endpoint.js";
import { DynamoDbLedger } from "../ledger/dynamodb-ledger.js";
import { EmbeddedLedger } from "../ledger/embedded-ledger.js";
import type { Ledger } from "../ledger/ledger.js";
import { AlarmIssueHandler } from "../notifications/alarm-issue-handler.js";
import { CrashIssueHandler } from "../notifications/crash-issue-handler.js";
import { AwsInputRouter } from "./aws-input-router.js";
import { createDeliveryServices, type DeliveryServices } from "./delivery-services.js";

/** How the AWS SDK clients reach AWS; tests point them at moto. */
export interface AwsClientSettings {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface OpsServicesDeps {
  readonly settings: BotSettings;
  /** An installation Octokit for a repository; alarms and crashes go to the target repository. */
  readonly octokitFor: (repository: RepositoryRef) => Promise<InstanceType<typeof ProbotOctokit>>;
  /** Replaces the image builder the settings choose (the local sandbox's OCI builder). */
  readonly imageBuilder?: ImageBuilder;
  readonly aws: AwsClientSettings;
  readonly logger: IntakeLogger;
  readonly now?: () => Date;
}

export interface OpsServices {
  readonly router: AwsInputRouter;
  readonly ledger: Ledger;
  readonly delivery: DeliveryServices;
  readonly deployEvents: DeployEventHandler;
}

/** Wires the ports to their production adapters; the transports only see the router. */
export function createOpsServices(deps: OpsServicesDeps): OpsServices {
  const { settings, aws } = deps;
  const ledger = createLedger(settings, aws);
  const targetOctokit = () => deps.octokitFor(settings.targetRepository);
  const issues = lazyIssueTracker(targetOctokit, settings.targetRepository);
  const logs: LogReader = settings.logGroupName
    ? createCloudWatchLogReader(new CloudWatchLogsClient(aws), {
        region: settings.region,
        logGroupName: settings.logGroupName,
      })
    : { around: async () => ({ lines: [], links: [] }), tailOfStream: async () => ({ lines: [], links: [] }) };
  const alarms = new AlarmIssueHandler({
    ledger,
    issues,
    metrics: createCloudWatchMetricReader(new CloudWatchClient(aws)),
    logs,
    policy: settings.alarmIssues,
    storm: settings.storm,
    now: deps.now ?? (() => new Date()),
  });
  const stoppedTasks = new CrashIssueHandler({
    ledger,
    issues,
    logs,
    policy: { label: settings.crashLabel, commentIntervalMs: settings.alarmIssues.commentIntervalMs },
    storm: settings.storm,
    repository: settings.targetRepository,
    imageTags: createEcrImageTags(new ECRClient(aws)),
    now: deps.now ?? (() => new Date()),
  });
  const delivery = createDeliveryServices({
    settings,
    aws,
    ledger,
    octokitFor: deps.octokitFor,
    logger: deps.logger,
    ...(deps.imageBuilder ? { imageBuilder: deps.imageBuilder } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const deployEvents = new DeployEventHandler({
    workflow: delivery.workflow,
    ledger,
    reconcileScope: async () => ({
      repository: settings.targetRepository,
      environments: await configuredEnvironments(await targetOctokit(), settings.targetRepository),
    }),
  });
  return {
    router: new AwsInputRouter({ alarms, stoppedTasks, deploys: deployEvents, logger: deps.logger }),
    ledger,
    delivery,
    deployEvents,
  };
}

/** Environments of the repository's `.github/phoenix-ops.yml` (none when absent or invalid). */
async function configuredEnvironments(
  octokit: InstanceType<typeof ProbotOctokit>,
  repository: RepositoryRef,
): Promise<string[]> {
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
