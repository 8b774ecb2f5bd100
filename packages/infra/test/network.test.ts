import { App, Stack, Validations } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { PhoenixNetwork, type PhoenixNetworkProps } from "../src/network/phoenix-network.js";
import { PropValidationError } from "../src/validation/prop-validation.js";
import { cfnLint, logicalId, synthWithValidation, testApp } from "./support/synth.js";

// An explicit env, as the Phoenix stack is deployed: an environment-agnostic stack gets only
// 2 AZs. The AZ names stand in for what `cdk synth` looks up and records in cdk.context.json.
const ENV = { account: "111122223333", region: "eu-west-1" };
const AZ_CONTEXT = {
  [`availability-zones:account=${ENV.account}:region=${ENV.region}`]: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
};

function networkStack(props: PhoenixNetworkProps = {}): { stack: Stack; network: PhoenixNetwork; template: Template } {
  const stack = new Stack(new App({ context: AZ_CONTEXT }), "Net", { env: ENV });
  const network = new PhoenixNetwork(stack, "Network", props);
  return { stack, network, template: Template.fromStack(stack) };
}

function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is undefined`);
  return value;
}

function subnetIdsOfType(stack: Stack, vpc: ec2.IVpc, subnetType: ec2.SubnetType): unknown[] {
  return vpc.selectSubnets({ subnetType }).subnetIds.map((id) => stack.resolve(id));
}

describe("requirement Network: a VPC over three AZs with public, private and isolated subnets", () => {
  it("spreads subnets over 3 AZs", () => {
    const { template } = networkStack();
    const azs = Object.values(template.findResources("AWS::EC2::Subnet")).map(
      (subnet) => (subnet as { Properties: { AvailabilityZone: string } }).Properties.AvailabilityZone,
    );
    expect(new Set(azs)).toEqual(new Set(["eu-west-1a", "eu-west-1b", "eu-west-1c"]));
  });

  it("has a public, a private-with-egress and an isolated subnet in each AZ", () => {
    const { template } = networkStack();
    template.resourceCountIs("AWS::EC2::Subnet", 9);
    for (const [type, name] of [
      ["Public", "Public"],
      ["Private", "Application"],
      ["Isolated", "Database"],
    ]) {
      const tagged = template.findResources("AWS::EC2::Subnet", {
        Properties: {
          Tags: Match.arrayWith([
            { Key: "aws-cdk:subnet-name", Value: name },
            { Key: "aws-cdk:subnet-type", Value: type },
          ]),
        },
      });
      expect(Object.keys(tagged), `${type} subnets`).toHaveLength(3);
    }
  });

  it("gives the isolated database subnets no route out of the VPC", () => {
    const { stack, network, template } = networkStack();
    const isolatedRouteTables = new Set(
      network.vpc.isolatedSubnets.map((subnet) => JSON.stringify(stack.resolve(subnet.routeTable.routeTableId))),
    );
    const routes = Object.values(template.findResources("AWS::EC2::Route")).map((route) =>
      JSON.stringify((route as { Properties: { RouteTableId: unknown } }).Properties.RouteTableId),
    );
    expect(routes).toHaveLength(6); // 3 public via the internet gateway, 3 private via NAT
    expect(routes.filter((table) => isolatedRouteTables.has(table))).toEqual([]);
  });

  it("routes the private subnets through one NAT gateway by default, to save cost", () => {
    networkStack().template.resourceCountIs("AWS::EC2::NatGateway", 1);
  });

  it("adds one NAT gateway per AZ when asked, for HA", () => {
    networkStack({ natGateways: 3 }).template.resourceCountIs("AWS::EC2::NatGateway", 3);
  });

  it("sends flow logs of all traffic to a log group kept 7 days", () => {
    const { network, template } = networkStack();
    const flowLogGroup = defined(network.flowLogGroup, "flowLogGroup");
    template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 7 });
    template.hasResourceProperties("AWS::EC2::FlowLog", {
      ResourceType: "VPC",
      TrafficType: "ALL",
      LogDestinationType: "cloud-watch-logs",
      LogGroupName: { Ref: logicalId(flowLogGroup) },
    });
  });

  it("strips the rules from the VPC's default security group", () => {
    networkStack().template.resourceCountIs("Custom::VpcRestrictDefaultSG", 1);
  });

  it("keeps image pulls, logs and secret reads off the NAT with VPC endpoints in the private subnets", () => {
    const { stack, network, template } = networkStack();
    const privateSubnets = subnetIdsOfType(stack, network.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS);
    const endpointGroup = defined(network.endpoints, "endpoints").securityGroup;
    for (const service of ["ecr.api", "ecr.dkr", "logs", "secretsmanager"]) {
      template.hasResourceProperties("AWS::EC2::VPCEndpoint", {
        ServiceName: `com.amazonaws.eu-west-1.${service}`,
        VpcEndpointType: "Interface",
        PrivateDnsEnabled: true,
        SubnetIds: privateSubnets,
        SecurityGroupIds: [{ "Fn::GetAtt": [logicalId(endpointGroup), "GroupId"] }],
      });
    }
    const privateRouteTables = network.vpc.privateSubnets.map((subnet) =>
      stack.resolve(subnet.routeTable.routeTableId),
    );
    template.hasResourceProperties("AWS::EC2::VPCEndpoint", {
      ServiceName: { "Fn::Join": ["", ["com.amazonaws.", { Ref: "AWS::Region" }, ".s3"]] },
      VpcEndpointType: "Gateway",
      RouteTableIds: privateRouteTables,
    });
    template.resourceCountIs("AWS::EC2::VPCEndpoint", 5);
  });

  it("admits only HTTPS from inside the VPC to the interface endpoints", () => {
    const { network, template } = networkStack();
    template.hasResourceProperties("AWS::EC2::SecurityGroup", {
      SecurityGroupIngress: [
        {
          IpProtocol: "tcp",
          FromPort: 443,
          ToPort: 443,
          CidrIp: { "Fn::GetAtt": [logicalId(network.vpc), "CidrBlock"] },
        },
      ],
    });
    template.resourceCountIs("AWS::EC2::SecurityGroupIngress", 0);
  });

  it("uses an existing VPC without creating a VPC, flow logs or endpoints", () => {
    const stack = new Stack(new App(), "Net", { env: ENV });
    const network = new PhoenixNetwork(stack, "Network", { existingVpc: importedVpc(stack) });
    const template = Template.fromStack(stack);
    template.resourceCountIs("AWS::EC2::VPC", 0);
    template.resourceCountIs("AWS::EC2::FlowLog", 0);
    template.resourceCountIs("AWS::EC2::VPCEndpoint", 0);
    expect(network.flowLogGroup).toBeUndefined();
    expect(network.endpoints).toBeUndefined();
  });

  it("adds the endpoints to an existing VPC when asked, admitting HTTPS from its CIDR block", () => {
    const stack = new Stack(new App(), "Net", { env: ENV });
    new PhoenixNetwork(stack, "Network", { existingVpc: importedVpc(stack), createEndpoints: true });
    const template = Template.fromStack(stack);
    template.resourceCountIs("AWS::EC2::VPCEndpoint", 5);
    template.hasResourceProperties("AWS::EC2::VPCEndpoint", {
      VpcId: "vpc-0123456789abcdef0",
      SubnetIds: ["subnet-private-a", "subnet-private-b"],
    });
    template.hasResourceProperties("AWS::EC2::SecurityGroup", {
      SecurityGroupIngress: [Match.objectLike({ FromPort: 443, CidrIp: "10.1.0.0/16" })],
    });
  });

  it("warns at synth when an environment-agnostic stack caps the VPC at 2 AZs", () => {
    const stack = new Stack(new App(), "Net");
    new PhoenixNetwork(stack, "Network");
    Annotations.fromStack(stack).hasWarning("/Net/Network", Match.stringLikeRegexp("spans 2 AZs, not 3"));
  });
});

describe("requirement Network: bad props fail at synth with the prop named", () => {
  const build = (props: PhoenixNetworkProps) => () => networkStack(props);

  it("rejects maxAzs outside 1 to 6", () => {
    expect(build({ maxAzs: 9 })).toThrow(PropValidationError);
    expect(build({ maxAzs: 9 })).toThrow("PhoenixNetwork: maxAzs must be a whole number from 1 to 6, got 9");
    expect(build({ maxAzs: 0 })).toThrow(/PhoenixNetwork: maxAzs/);
  });

  it("rejects more NAT gateways than AZs, and none at all", () => {
    expect(build({ maxAzs: 2, natGateways: 3 })).toThrow(
      "PhoenixNetwork: natGateways must be a whole number from 1 to 2, got 3",
    );
    expect(build({ natGateways: 0 })).toThrow(/PhoenixNetwork: natGateways/);
  });

  it("rejects a flow log retention CloudWatch does not offer", () => {
    expect(build({ flowLogRetentionDays: 8 })).toThrow(
      /PhoenixNetwork: flowLogRetentionDays must be one of 1, 3, 5, 7/,
    );
  });

  it("rejects an existing VPC together with props for a new one", () => {
    const stack = new Stack(new App(), "Net", { env: ENV });
    expect(
      () => new PhoenixNetwork(stack, "Network", { existingVpc: importedVpc(stack), vpcProps: { maxAzs: 2 } }),
    ).toThrow("PhoenixNetwork: give existingVpc or vpcProps, not both");
  });
});

describe("requirement Network: passes the template checks", () => {
  it("passes cdk-nag AwsSolutions checks with every finding acknowledged", () => {
    const { app, cleanup } = testApp(AZ_CONTEXT);
    try {
      new PhoenixNetwork(new Stack(app, "Net", { env: ENV }), "Network");
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      const { plugins, unacknowledged, error } = synthWithValidation(app);
      expect(plugins).toContain("AwsSolutions");
      expect(unacknowledged).toEqual([]);
      expect(error).toBeUndefined();
    } finally {
      cleanup();
    }
  });

  it("has no cfn-lint errors", async () => {
    const { stack, template } = networkStack();
    const findings = await cfnLint(stack, template.toJSON());
    expect(findings.filter((finding) => finding.Level === "Error")).toEqual([]);
  });
});

/** A VPC from another stack, as `Vpc.fromLookup` would return it. */
function importedVpc(stack: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, "Existing", {
    vpcId: "vpc-0123456789abcdef0",
    vpcCidrBlock: "10.1.0.0/16",
    availabilityZones: ["eu-west-1a", "eu-west-1b"],
    publicSubnetIds: ["subnet-public-a", "subnet-public-b"],
    privateSubnetIds: ["subnet-private-a", "subnet-private-b"],
    privateSubnetRouteTableIds: ["rtb-private-a", "rtb-private-b"],
  });
}
