import { opsResourceNames } from "@phoenix/shared";
import { Aws, CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";
import type { PhoenixConfig } from "../config/phoenix-config.js";
import { ImageBuildProject } from "../delivery/image-build-project.js";
import { ImageRepository } from "../delivery/image-repository.js";
import { OpsBotAlarms } from "../observability/ops-bot-alarms.js";
import { EnvironmentEventRules, ImageBuildStateRule, LabelledEventInput } from "../observability/ops-event-rules.js";
import { OPS_BOT_BUNDLE_HANDLER, opsBotBundleDirectory } from "../ops-bot/ops-bot-bundle.js";
import { OpsBotFunction } from "../ops-bot/ops-bot-function.js";
import { OpsLedgerTable } from "../ops-bot/ops-ledger-table.js";
import { ReconcilerSchedule } from "../ops-bot/reconciler-schedule.js";
import { environmentArns, otherEnvironmentAccounts } from "./topology.js";

/** The bot's code and entry point. */
export interface OpsBotCode {
  readonly code: lambda.Code;
  readonly handler: string;
}

export interface PhoenixOpsStackProps extends Omit<StackProps, "env"> {
  /** The installation; the stack is deployed to `config.ops` and serves every `config.environments`. */
  readonly config: PhoenixConfig;
  /**
   * @default - the Lambda bundle the installed @phoenix/ops-bot exports as `@phoenix/ops-bot/lambda-bundle`
   *   (its directory is the asset), handler `index.handler`
   */
  readonly opsBotCode?: OpsBotCode;
}

/**
 * What an organisation deploys once per app, in its ops account: the one bot (one Lambda, one
 * webhook URL for the GitHub App), its Ledger and alarms, the image repository every
 * environment pulls from (built once per commit, promoted by digest), the image build, and the
 * event bus where every environment's events arrive and are labelled on their way to the bot.
 */
export class PhoenixOpsStack extends Stack {
  public readonly repository: ImageRepository;
  public readonly buildProject: ImageBuildProject;
  public readonly ledger: OpsLedgerTable;
  public readonly opsBot: OpsBotFunction;
  /** The bus environments forward to; its policy admits the environment accounts other than this one. */
  public readonly eventBus: events.EventBus;
  /** Per environment: the rules on the ops bus that label its events and invoke the bot. */
  public readonly environmentRoutes: Readonly<Record<string, EnvironmentEventRules>>;
  public readonly buildEvents: ImageBuildStateRule;
  public readonly reconciler: ReconcilerSchedule;
  public readonly opsBotAlarms: OpsBotAlarms;

  constructor(scope: Construct, id: string, props: PhoenixOpsStackProps) {
    const { config } = props;
    super(scope, id, {
      description: `Phoenix ops: the bot, its Ledger, the image repository and the event bus of ${config.app}`,
      ...props,
      env: { account: config.ops.account, region: config.ops.region },
    });
    const names = opsResourceNames(config.app);
    const [owner, repo] = config.gitHubRepository.split("/");
    const otherAccounts = otherEnvironmentAccounts(config);

    this.repository = new ImageRepository(this, "Images", { app: config.app, pullAccounts: otherAccounts });
    this.buildProject = new ImageBuildProject(this, "ImageBuild", {
      app: config.app,
      repository: this.repository.repository,
      owner,
      repo,
    });
    this.ledger = new OpsLedgerTable(this, "OpsLedger", { app: config.app });

    // Resolved only when no code is given, so a caller with its own code needs no built bundle.
    const botCode = props.opsBotCode ?? {
      code: lambda.Code.fromAsset(opsBotBundleDirectory()),
      handler: OPS_BOT_BUNDLE_HANDLER,
    };
    const routes = Object.entries(config.environments).map(([environment, settings]) => ({
      environment,
      arns: environmentArns(Aws.PARTITION, settings, { app: config.app, environment }),
    }));
    this.opsBot = new OpsBotFunction(this, "OpsBot", {
      app: config.app,
      code: botCode.code,
      handler: botCode.handler,
      targetRepository: config.gitHubRepository,
      repository: this.repository.repository,
      buildProject: this.buildProject.project,
      ledgerTable: this.ledger.table,
      deployerRoleArns: routes.map(({ arns }) => arns.deployerRoleArn),
    });

    this.eventBus = new events.EventBus(this, "EventBus", { eventBusName: names.eventBus });
    // Forwarding within one account needs only the sender's role; other accounts need the bus's word.
    for (const account of otherAccounts) {
      this.eventBus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `PutEventsFrom${account}`,
          principals: [new iam.AccountPrincipal(account)],
          actions: ["events:PutEvents"],
          resources: [this.eventBus.eventBusArn],
        }),
      );
    }
    this.environmentRoutes = Object.fromEntries(
      routes.map(({ environment, arns }) => {
        const input = new LabelledEventInput({ environment, repository: config.gitHubRepository });
        return [
          environment,
          new EnvironmentEventRules(this, `Events-${environment}`, {
            eventBus: this.eventBus,
            environment,
            clusterArn: arns.clusterArn,
            serviceArn: arns.serviceArn,
            alarmArns: Object.values(arns.alarmArns),
            targets: [this.opsBot.eventRuleTarget(input)],
          }),
        ];
      }),
    );
    // CodeBuild reports to the ops account's default bus; these events need no label.
    this.buildEvents = new ImageBuildStateRule(this, "ImageBuildEvents", {
      buildProjectName: names.buildProject,
      targets: [this.opsBot.eventRuleTarget()],
    });
    this.reconciler = new ReconcilerSchedule(this, "Reconciler", { opsBot: this.opsBot });
    this.opsBotAlarms = new OpsBotAlarms(this, "OpsBotAlarms", {
      names,
      opsBot: this.opsBot,
      operatorEmails: config.ops.operatorEmails,
    });

    new CfnOutput(this, "GitHubWebhookUrl", { value: `${this.opsBot.functionUrl.url}api/github/webhooks` });
    new CfnOutput(this, "GitHubAppSecretArn", { value: this.opsBot.gitHubAppSecret.secretArn });
    new CfnOutput(this, "ImageRepositoryUri", { value: this.repository.repository.repositoryUri });
    new CfnOutput(this, "OpsBotRoleArn", { value: this.opsBot.role.roleArn });
    new CfnOutput(this, "OpsEventBusArn", { value: this.eventBus.eventBusArn });
    new CfnOutput(this, "OpsBotAlarmTopicArn", {
      description: "Alarms on the ops bot itself (dead letters, errors): subscribe the people who run it",
      value: this.opsBotAlarms.topic.topicArn,
    });
  }
}
