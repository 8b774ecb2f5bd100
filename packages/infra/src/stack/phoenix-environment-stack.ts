import { resourceNames } from "@phoenix/shared";
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as ssm from "aws-cdk-lib/aws-ssm";
import type { Construct } from "constructs";
import type { PhoenixConfig, PhoenixEnvironmentSettings } from "../config/phoenix-config.js";
import { PhoenixDatabase } from "../database/phoenix-database.js";
import { DeployerRole } from "../delivery/deployer-role.js";
import { IMAGE_PULL_ACTIONS } from "../delivery/image-repository.js";
import { PhoenixNetwork } from "../network/phoenix-network.js";
import { EnvironmentEventRules } from "../observability/ops-event-rules.js";
import { PhoenixAlarms } from "../observability/service-alarms.js";
import { PhoenixService } from "../service/phoenix-service.js";
import { PhoenixServiceScaling } from "../service/service-scaling.js";
import { opsArns, requireEnvironment } from "./topology.js";

export interface PhoenixEnvironmentStackProps extends Omit<StackProps, "env"> {
  /** The installation; the stack is deployed to `config.environments[environmentName]`'s account and region. */
  readonly config: PhoenixConfig;
  /** A key of `config.environments`. */
  readonly environmentName: string;
  /** @default - an existing VPC is not used; PhoenixNetwork creates one */
  readonly existingVpc?: ec2.IVpc;
}

/**
 * One environment of the app, in the ops account or another one: network, database, service,
 * scaling and alarms; rules that forward the environment's ECS and alarm events to the ops bus;
 * and the deployer role through which the bot — and nothing else — acts here.
 *
 * The bot owns the running image, CloudFormation everything else: the container image is read
 * from the live-image SSM parameter (a CloudFormation parameter of type
 * `AWS::SSM::Parameter::Value<String>`, re-read on every deploy) that the bot writes after each
 * successful deploy, and the service carries no desired count, so a `cdk deploy` keeps both the
 * image and the autoscaler's count. The parameter is created by the companion
 * `PhoenixLiveImageStack`, which must be deployed first.
 */
export class PhoenixEnvironmentStack extends Stack {
  public readonly environmentName: string;
  public readonly settings: PhoenixEnvironmentSettings;
  public readonly network: PhoenixNetwork;
  public readonly database: PhoenixDatabase;
  public readonly web: PhoenixService;
  public readonly scaling: PhoenixServiceScaling;
  public readonly alarms: PhoenixAlarms;
  public readonly deployer: DeployerRole;
  /** Rules on this account's default bus that forward the environment's events to the ops bus. */
  public readonly eventForwarding: EnvironmentEventRules;
  /** The image the task definition starts: the live-image parameter's value at deploy time. */
  public readonly liveImage: string;

  constructor(scope: Construct, id: string, props: PhoenixEnvironmentStackProps) {
    const { config, environmentName } = props;
    const settings = requireEnvironment("PhoenixEnvironmentStack", config, environmentName);
    super(scope, id, {
      description: `Phoenix ${environmentName}: network, database, service, scaling, alarms, event forwarding and the bot's deployer role`,
      ...props,
      env: { account: settings.account, region: settings.region },
    });
    // The zones are configuration: answering CDK's zone lookup from it keeps `cdk synth` offline
    // (no credentials for the environment's account) and the VPC on exactly these zones.
    this.node.setContext(`availability-zones:account=${settings.account}:region=${settings.region}`, [
      ...settings.availabilityZones,
    ]);
    this.environmentName = environmentName;
    this.settings = settings;
    const identity = { app: config.app, environment: environmentName };
    const names = resourceNames(identity);
    const ops = opsArns(this.partition, config);

    this.network = new PhoenixNetwork(
      this,
      "Network",
      props.existingVpc
        ? { existingVpc: props.existingVpc }
        : { natGateways: settings.natGateways, vpcProps: { availabilityZones: [...settings.availabilityZones] } },
    );
    const vpc = this.network.vpc;

    this.database = new PhoenixDatabase(this, "Database", {
      vpc,
      instances: settings.databaseInstances,
      instanceType: new ec2.InstanceType(settings.databaseInstanceClass),
      deletionProtection: settings.deletionProtection,
      removalPolicy: settings.deletionProtection ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    });

    // A CloudFormation parameter of type AWS::SSM::Parameter::Value<String>, defaulting to the
    // parameter's name: CloudFormation reads the value on every deploy, so the template never
    // holds an image of its own (and the first deploy needs no Docker).
    this.liveImage = ssm.StringParameter.valueForStringParameter(this, names.liveImageParameter);
    this.web = new PhoenixService(this, "Web", {
      vpc,
      names,
      image: ecs.ContainerImage.fromRegistry(this.liveImage),
      databaseUri: this.database.connectionUri,
      databaseCredentials: this.database.secret,
      certificate: settings.certificateArn
        ? acm.Certificate.fromCertificateArn(this, "Certificate", settings.certificateArn)
        : undefined,
      deletionProtection: settings.deletionProtection,
    });
    this.database.allowConnectionsFrom(this.web);
    // Every image lives in the ops repository; a repository in another account also lets this
    // account pull (its repository policy, see ImageRepository.pullAccounts).
    this.web.executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...IMAGE_PULL_ACTIONS], resources: [ops.repositoryArn] }),
    );
    this.web.executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ["ecr:GetAuthorizationToken"], resources: ["*"] }),
    );

    this.scaling = new PhoenixServiceScaling(this, "Scaling", {
      service: this.web.service,
      targetGroup: this.web.targetGroup,
      minCapacity: settings.minTasks,
      maxCapacity: settings.maxTasks,
    });

    this.alarms = new PhoenixAlarms(this, "Alarms", {
      names,
      service: this.web.service,
      targetGroup: this.web.targetGroup,
      loadBalancer: this.web.loadBalancer,
      cpuThresholdPercent: settings.cpuAlarmThresholdPercent,
    });
    for (const email of settings.operatorEmails ?? []) {
      this.alarms.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    this.deployer = new DeployerRole(this, "Deployer", {
      identity,
      trustedRoleArn: ops.botRoleArn,
      cluster: this.web.cluster,
      service: this.web.service,
      appLogGroup: this.web.logGroup,
      liveImageParameterName: names.liveImageParameter,
    });

    // One role for the three rules; cross-account and cross-region delivery alike go through it.
    const forwardingRole = new iam.Role(this, "EventForwardingRole", {
      assumedBy: new iam.ServicePrincipal("events.amazonaws.com"),
      description: `Forwards ${environmentName}'s ECS and alarm events to the Phoenix ops event bus`,
    });
    const opsBus = events.EventBus.fromEventBusArn(this, "OpsEventBus", ops.eventBusArn);
    this.eventForwarding = new EnvironmentEventRules(this, "EventForwarding", {
      environment: environmentName,
      clusterArn: this.web.cluster.clusterArn,
      serviceArn: this.web.service.serviceArn,
      alarmArns: Object.values(this.alarms.alarms).map((alarm) => alarm.alarmArn),
      targets: [new targets.EventBus(opsBus, { role: forwardingRole })],
    });

    new CfnOutput(this, "ServiceUrl", {
      value: `${settings.certificateArn ? "https" : "http"}://${this.web.loadBalancer.loadBalancerDnsName}`,
    });
    new CfnOutput(this, "DeployerRoleArn", {
      description: "roleArn of this environment in .github/phoenix-ops.yml",
      value: this.deployer.role.roleArn,
    });
    new CfnOutput(this, "AlarmTopicArn", {
      description: "The service's alarms, for people (the bot hears them through EventBridge)",
      value: this.alarms.topic.topicArn,
    });
  }
}
