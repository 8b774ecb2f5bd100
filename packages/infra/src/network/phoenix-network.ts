import { Annotations, RemovalPolicy, Stack, Token, Validations } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { ALLOWED_RETENTION_DAYS } from "../observability/app-log-group.js";
import { requireExistingOrProps, requireIntegerInRange, requireOneOf } from "../validation/prop-validation.js";

export interface PhoenixNetworkProps {
  /**
   * A VPC to use instead of creating one. Nothing is created in it but, when
   * `createEndpoints` is set, the VPC endpoints. Give either this or `vpcProps`.
   * @default - a new VPC
   */
  readonly existingVpc?: ec2.IVpc;
  /**
   * Settings for the created VPC, laid over this construct's defaults (three subnet tiers,
   * `maxAzs`, `natGateways`, restricted default security group). Not allowed with `existingVpc`.
   * @default - the defaults described on the other props
   */
  readonly vpcProps?: ec2.VpcProps;
  /**
   * Availability Zones the created VPC spans (1 to 6). CDK resolves them against the stack's
   * environment: a stack with an explicit `env` gets up to this many (from the AZ lookup); an
   * environment-agnostic stack gets at most 2, because CloudFormation cannot tell CDK how many
   * AZs a region has. Deploy the Phoenix stack with an explicit `env` to get 3.
   * @default 3
   */
  readonly maxAzs?: number;
  /**
   * NAT gateways for the tasks' outbound traffic (1 to the number of AZs). One is the cost
   * default (about 32 USD a month each, plus data): if its AZ fails, tasks in the other AZs
   * lose outbound internet access until it recovers — the VPC endpoints below keep image
   * pulls, logs and secrets working meanwhile. Use one per AZ for production HA.
   * @default 1
   */
  readonly natGateways?: number;
  /**
   * Days CloudWatch keeps the VPC flow logs of a created VPC (a value CloudWatch accepts).
   * @default 7
   */
  readonly flowLogRetentionDays?: number;
  /**
   * Whether to add the S3 gateway endpoint and the ECR API, ECR Docker, CloudWatch Logs and
   * Secrets Manager interface endpoints.
   * @default - true for a created VPC, false for an existing one (it may have its own)
   */
  readonly createEndpoints?: boolean;
  /**
   * Subnets the interface endpoints are placed in (and whose route tables get the S3 route).
   * @default - the private subnets with egress, where the tasks run
   */
  readonly endpointSubnets?: ec2.SubnetSelection;
}

/** The VPC endpoints that keep image pulls, logs and secret reads off the NAT gateway. */
export interface PhoenixNetworkEndpoints {
  /** S3 gateway endpoint: ECR serves image layers from S3. */
  readonly s3: ec2.GatewayVpcEndpoint;
  readonly ecrApi: ec2.InterfaceVpcEndpoint;
  readonly ecrDocker: ec2.InterfaceVpcEndpoint;
  readonly logs: ec2.InterfaceVpcEndpoint;
  readonly secretsManager: ec2.InterfaceVpcEndpoint;
  /** Shared by the interface endpoints; admits HTTPS from inside the VPC only. */
  readonly securityGroup: ec2.SecurityGroup;
}

/** Names of the created VPC's subnet groups, one per tier. */
export const PHOENIX_SUBNET_GROUPS = {
  /** Public: the load balancer and the NAT gateways. */
  public: "Public",
  /** Private with egress through NAT: the ECS tasks and the interface endpoints. */
  application: "Application",
  /** Isolated, no route out: the database. */
  database: "Database",
} as const;

/**
 * The network Phoenix runs in (requirement "Network"): a VPC over three AZs with public,
 * private and isolated subnets, flow logs kept a week, and VPC endpoints for the AWS services
 * the tasks call, so those calls neither pay for nor depend on the NAT gateway.
 */
export class PhoenixNetwork extends Construct {
  public readonly vpc: ec2.IVpc;
  /** Where the created VPC's flow logs go; undefined for an existing VPC. */
  public readonly flowLogGroup?: logs.LogGroup;
  /** Undefined when `createEndpoints` is false. */
  public readonly endpoints?: PhoenixNetworkEndpoints;

  constructor(scope: Construct, id: string, props: PhoenixNetworkProps = {}) {
    super(scope, id);
    requireExistingOrProps("PhoenixNetwork", "existingVpc", props.existingVpc, "vpcProps", props.vpcProps);
    if (props.existingVpc) {
      this.vpc = props.existingVpc;
    } else {
      const vpc = new ec2.Vpc(this, "Vpc", vpcPropsWithDefaults(props));
      warnIfFewerAzsThanAsked(this, vpc, props);
      // All traffic, accepted and rejected: the record an incident review needs.
      this.flowLogGroup = new logs.LogGroup(this, "FlowLogGroup", {
        retention: requireOneOf(
          "PhoenixNetwork",
          "flowLogRetentionDays",
          props.flowLogRetentionDays ?? 7,
          ALLOWED_RETENTION_DAYS,
        ),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      vpc.addFlowLog("FlowLog", {
        destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
        trafficType: ec2.FlowLogTrafficType.ALL,
      });
      this.vpc = vpc;
    }
    if (props.createEndpoints ?? !props.existingVpc) {
      this.endpoints = addEndpoints(this, this.vpc, props.endpointSubnets ?? APPLICATION_SUBNETS);
    }
  }
}

const APPLICATION_SUBNETS: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

/** This construct's VPC defaults under the caller's `vpcProps`, checked. */
function vpcPropsWithDefaults(props: PhoenixNetworkProps): ec2.VpcProps {
  const merged: ec2.VpcProps = {
    // CDK's Vpc takes either a count or the zones themselves, never both.
    maxAzs: props.vpcProps?.availabilityZones ? undefined : (props.maxAzs ?? 3),
    natGateways: props.natGateways ?? 1,
    subnetConfiguration: [
      { name: PHOENIX_SUBNET_GROUPS.public, subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      // Each Fargate task takes an IP address: room for a few thousand per AZ.
      { name: PHOENIX_SUBNET_GROUPS.application, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      { name: PHOENIX_SUBNET_GROUPS.database, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
    // The default security group admits its own members; nothing should rely on it (CIS EC2.2).
    restrictDefaultSecurityGroup: true,
    ...props.vpcProps,
  };
  const azCount = merged.availabilityZones
    ? merged.availabilityZones.length
    : requireIntegerInRange("PhoenixNetwork", "maxAzs", merged.maxAzs ?? 3, 1, 6);
  requireIntegerInRange("PhoenixNetwork", "natGateways", merged.natGateways ?? 1, 1, azCount);
  return merged;
}

/** An environment-agnostic stack silently caps the VPC at 2 AZs; say so at synth. */
function warnIfFewerAzsThanAsked(scope: Construct, vpc: ec2.Vpc, props: PhoenixNetworkProps): void {
  const asked = props.vpcProps?.maxAzs ?? props.maxAzs ?? 3;
  if (props.vpcProps?.availabilityZones || Token.isUnresolved(asked)) return;
  if (vpc.availabilityZones.length < asked && Token.isUnresolved(Stack.of(scope).region)) {
    Annotations.of(scope).addWarningV2(
      "@phoenix/infra:PhoenixNetwork.fewerAzs",
      `PhoenixNetwork: the VPC spans ${vpc.availabilityZones.length} AZs, not ${asked}: give the stack an explicit env (account and region) to span more`,
    );
  }
}

/** Created in this construct's scope, not the VPC's, so an imported VPC's owner is left untouched. */
function addEndpoints(scope: Construct, vpc: ec2.IVpc, subnets: ec2.SubnetSelection): PhoenixNetworkEndpoints {
  const securityGroup = new ec2.SecurityGroup(scope, "EndpointSecurityGroup", {
    vpc,
    description: "VPC interface endpoints: HTTPS from inside the VPC",
    allowAllOutbound: false,
  });
  securityGroup.addIngressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(443), "HTTPS from inside the VPC");
  if (Token.isUnresolved(vpc.vpcCidrBlock)) {
    Validations.of(securityGroup).acknowledge({
      id: "AwsSolutions::AwsSolutions-EC23",
      reason:
        "Ingress is HTTPS from the VPC's own CIDR block, a Fn::GetAtt that cdk-nag cannot evaluate; nothing outside the VPC is admitted.",
    });
  }
  const interfaceEndpoint = (id: string, service: ec2.InterfaceVpcEndpointAwsService) =>
    new ec2.InterfaceVpcEndpoint(scope, id, {
      vpc,
      service,
      subnets,
      securityGroups: [securityGroup],
      privateDnsEnabled: true,
      open: false,
    });
  return {
    s3: new ec2.GatewayVpcEndpoint(scope, "S3Endpoint", {
      vpc,
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [subnets],
    }),
    ecrApi: interfaceEndpoint("EcrApiEndpoint", ec2.InterfaceVpcEndpointAwsService.ECR),
    ecrDocker: interfaceEndpoint("EcrDockerEndpoint", ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER),
    logs: interfaceEndpoint("LogsEndpoint", ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS),
    // Also what the database's rotation function calls from the isolated subnets.
    secretsManager: interfaceEndpoint("SecretsManagerEndpoint", ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER),
    securityGroup,
  };
}
