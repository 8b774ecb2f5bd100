import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECRClient } from "@aws-sdk/client-ecr";
import type { ProbotOctokit } from "probot";
import { createCloudWatchLogReader } from "../aws/cloudwatch-log-reader.js";
import { createCloudWatchMetricReader } from "../aws/cloudwatch-metric-reader.js";
import { createEcrImageTags } from "../aws/ecr-image-tags.js";
import type { LogReader } from "../aws/evidence-readers.js";
import type { BotSettings } from "../config/bot-settings.js";
import { lazyIssueTracker } from "../github/lazy-issue-tracker.js";
import type { IntakeLogger } from "../intake/sns/sns-endpoint.js";
import { DynamoDbLedger } from "../ledger/dynamodb-ledger.js";
import { EmbeddedLedger } from "../ledger/embedded-ledger.js";
import type { Ledger } from "../ledger/ledger.js";
import { AlarmIssueHandler } from "../notifications/alarm-issue-handler.js";
import { CrashIssueHandler } from "../notifications/crash-issue-handler.js";
import { AwsInputRouter } from "./aws-input-router.js";

/** How the AWS SDK clients reach AWS; tests point them at moto. */
export interface AwsClientSettings {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface OpsServicesDeps {
  readonly settings: BotSettings;
  readonly octokit: () => Promise<InstanceType<typeof ProbotOctokit>>;
  readonly aws: AwsClientSettings;
  readonly logger: IntakeLogger;
  readonly now?: () => Date;
}

export interface OpsServices {
  readonly router: AwsInputRouter;
  readonly ledger: Ledger;
}

/** Wires the ports to their production adapters; the transports only see the router. */
export function createOpsServices(deps: OpsServicesDeps): OpsServices {
  const { settings, aws } = deps;
  const ledger = createLedger(settings, aws);
  const issues = lazyIssueTracker(deps.octokit, settings.targetRepository);
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
  return { router: new AwsInputRouter({ alarms, stoppedTasks, logger: deps.logger }), ledger };
}

function createLedger(settings: BotSettings, aws: AwsClientSettings): Ledger {
  if (settings.ledger.kind === "dynamodb") {
    return new DynamoDbLedger({ client: new DynamoDBClient(aws), tableName: settings.ledger.table });
  }
  mkdirSync(dirname(settings.ledger.file), { recursive: true });
  return new EmbeddedLedger(settings.ledger.file);
}
