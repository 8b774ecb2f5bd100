import { fileURLToPath } from "node:url";
import { resourceNames } from "@phoenix/shared";
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as lambda from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";
import { PhoenixDatabase } from "../database/phoenix-database.js";
import { ImageBuildProject } from "../delivery/image-build-project.js";
import { ImageRepository } from "../delivery/image-repository.js";
import { PhoenixNetwork } from "../network/phoenix-network.js";
import { OpsBotAlarms } from "../observability/ops-bot-alarms.js";
import { OpsEventRules } from "../observability/ops-event-rules.js";
import { PhoenixAlarms } from "../observability/service-alarms.js";
import { OPS_BOT_BUNDLE_HANDLER, opsBotBundleDirectory } from "../ops-bot/ops-bot-bundle.js";
import { OpsBotFunction } from "../ops-bot/ops-bot-function.js";
import { OpsLedgerTable } from "../ops-bot/ops-ledger-table.js";
import { ReconcilerSchedule } from "../ops-bot/reconciler-schedule.js";
import { PhoenixService } from "../service/phoenix-service.js";
import { PhoenixServiceScaling } from "../service/service-scaling.js";
import type { PhoenixEnvironmentConfig } from "./environments.js";

const repositoryRoot = fileURLToPath(new URL("../../../../", import.meta.url));

export interface PhoenixStackProps extends StackProps {
  readonly config: PhoenixEnvironmentConfig;
  /**
   * The app image the service starts with. Later images are deployed by the ops bot (new
   * task-definition revisions, by digest), not by CloudFormation.
   * @default - built by `cdk deploy` from packages/phoenix-app/Dockerfile at the checked-out commit
   */
  readonly image?: ecs.ContainerImage;
  /** @default - an existing VPC is not used; PhoenixNetwork creates one */
  readonly existingVpc?: ec2.IVpc;
  /**
   * @default - the Lambda bundle the installed @phoenix/ops-bot exports as `@phoenix/ops-bot/lambda-bundle`
   *   (its directory is the asset), handler `index.handler`
   */
  readonly opsBotCode?: { readonly code: lambda.Code; readonly handler: string };
}

/**
 * The whole production system for one environment, each of the team's six requirements
 * traceable to one construct:
 * 1. automated setup — this stack; 2. crash recovery — PhoenixService (ECS replaces stopped
 * tasks, circuit breaker) + OpsEventRules (crash → bot); 3. logs and database backed up for
 * 7 days — AppLogGroup, PhoenixDatabase (retention + AWS Backup); 4. CPU-peak notification —
 * PhoenixAlarms → SNS → OpsBotFunction; 5. CI/CD — ImageRepository, ImageBuildProject,
 * OpsBotFunction; 6. scale-out above 10 req/s per task — PhoenixServiceScaling.
 */
export class PhoenixStack extends Stack {
  public readonly network: PhoenixNetwork;
  public readonly database: PhoenixDatabase;
  public readonly repository: ImageRepository;
  public readonly buildProject: ImageBuildProject;
  public readonly web: PhoenixService;
  public readonly scaling: PhoenixServiceScaling;
  public readonly alarms: PhoenixAlarms;
  public readonly ledger: OpsLedgerTable;
  public readonly opsBot: OpsBotFunction;
  public readonly eventRules: OpsEventRules;
  public readonly reconciler: ReconcilerSchedule;
  public readonly opsBotAlarms: OpsBotAlarms;

  constructor(scope: Construct, id: string, props: PhoenixStackProps) {
    super(scope, id, props);
    const { config } = props;
    const identity = { app: config.app, environment: config.environment };
    const names = resourceNames(identity);
    const [owner, repo] = config.gitHubRepository.split("/");

    this.network = new PhoenixNetwork(
      this,
      "Network",
      props.existingVpc
        ? { existingVpc: props.existingVpc }
        : { natGateways: config.natGateways, vpcProps: { availabilityZones: [...config.availabilityZones] } },
    );
    const vpc = this.network.vpc;

    this.database = new PhoenixDatabase(this, "Database", {
      vpc,
      instances: config.databaseInstances,
      instanceType: new ec2.InstanceType(config.databaseInstanceClass),
      deletionProtection: config.deletionProtection,
      removalPolicy: config.deletionProtection ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    });

    this.repository = new ImageRepository(this, "Images", { identity });
    this.buildProject = new ImageBuildProject(this, "ImageBuild", {
      identity,
      repository: this.repository.repository,
      owner,
      repo,
    });

    this.web = new PhoenixService(this, "Web", {
      vpc,
      names,
      image: props.image ?? ecs.ContainerImage.fromAsset(repositoryRoot, { file: "packages/phoenix-app/Dockerfile" }),
      databaseUri: this.database.connectionUri,
      databaseCredentials: this.database.secret,
      desiredCount: config.minTasks,
      certificate: config.certificateArn
        ? acm.Certificate.fromCertificateArn(this, "Certificate", config.certificateArn)
        : undefined,
      deletionProtection: config.deletionProtection,
    });
    this.database.allowConnectionsFrom(this.web);

    this.scaling = new PhoenixServiceScaling(this, "Scaling", {
      service: this.web.service,
      targetGroup: this.web.targetGroup,
      minCapacity: config.minTasks,
      maxCapacity: config.maxTasks,
    });

    this.alarms = new PhoenixAlarms(this, "Alarms", {
      names,
      service: this.web.service,
      targetGroup: this.web.targetGroup,
      loadBalancer: this.web.loadBalancer,
      cpuThresholdPercent: config.cpuAlarmThresholdPercent,
    });

    this.ledger = new OpsLedgerTable(this, "OpsLedger", { identity });
    // Resolved only when no code is given, so a caller with its own code needs no built bundle.
    const botCode = props.opsBotCode ?? {
      code: lambda.Code.fromAsset(opsBotBundleDirectory()),
      handler: OPS_BOT_BUNDLE_HANDLER,
    };
    this.opsBot = new OpsBotFunction(this, "OpsBot", {
      identity,
      code: botCode.code,
      handler: botCode.handler,
      targetRepository: config.gitHubRepository,
      cluster: this.web.cluster,
      service: this.web.service,
      taskRole: this.web.taskRole,
      executionRole: this.web.executionRole,
      appLogGroup: this.web.logGroup,
      repository: this.repository.repository,
      buildProject: this.buildProject.project,
      ledgerTable: this.ledger.table,
    });
    this.opsBot.subscribeTo(this.alarms.topic);

    this.eventRules = new OpsEventRules(this, "OpsEvents", {
      cluster: this.web.cluster,
      service: this.web.service,
      buildProjectName: names.buildProject,
      targets: [this.opsBot.eventRuleTarget()],
    });
    this.reconciler = new ReconcilerSchedule(this, "Reconciler", { opsBot: this.opsBot });
    this.opsBotAlarms = new OpsBotAlarms(this, "OpsBotAlarms", {
      names,
      opsBot: this.opsBot,
      operatorEmails: config.operatorEmails,
    });

    new CfnOutput(this, "ServiceUrl", {
      value: `${config.certificateArn ? "https" : "http"}://${this.web.loadBalancer.loadBalancerDnsName}`,
    });
    new CfnOutput(this, "GitHubWebhookUrl", { value: `${this.opsBot.functionUrl.url}api/github/webhooks` });
    new CfnOutput(this, "GitHubAppSecretArn", { value: this.opsBot.gitHubAppSecret.secretArn });
    new CfnOutput(this, "OpsBotAlarmTopicArn", {
      description: "Alarms on the ops bot itself (dead letters, errors): subscribe the people who run it",
      value: this.opsBotAlarms.topic.topicArn,
    });
  }
}
