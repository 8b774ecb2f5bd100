// Uses @phoenix/infra the way another repository would: through the package's public entry
// point only (its built `exports`), composing the constructs around a VPC that already exists.
import { PhoenixDatabase, PhoenixNetwork, PhoenixService, PhoenixServiceScaling } from "@phoenix/infra";
import { resourceNames } from "@phoenix/shared";
import { Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import { describe, expect, it } from "vitest";
import { testApp } from "./support/synth.js";

describe("importing the constructs from another repository", () => {
  it("composes network, database, service and scaling into a fresh stack around an existing VPC", () => {
    const { app, cleanup } = testApp();
    try {
      const stack = new Stack(app, "PaymentsTeam", { env: { account: "444455556666", region: "eu-central-1" } });
      const existingVpc = ec2.Vpc.fromVpcAttributes(stack, "SharedVpc", {
        vpcId: "vpc-0a1b2c3d4e5f67890",
        availabilityZones: ["eu-central-1a", "eu-central-1b"],
        publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b"],
        privateSubnetIds: ["subnet-0000000000000000c", "subnet-0000000000000000d"],
        isolatedSubnetIds: ["subnet-0000000000000000e", "subnet-0000000000000000f"],
        vpcCidrBlock: "10.20.0.0/16",
      });

      const network = new PhoenixNetwork(stack, "Network", { existingVpc });
      const database = new PhoenixDatabase(stack, "Database", { vpc: network.vpc, instances: 1 });
      const web = new PhoenixService(stack, "Web", {
        vpc: network.vpc,
        names: resourceNames({ app: "payments", environment: "qa" }),
        image: ecs.ContainerImage.fromRegistry("public.ecr.aws/docker/library/node:26-slim"),
        databaseUri: database.connectionUri,
        databaseCredentials: database.secret,
      });
      database.allowConnectionsFrom(web);
      new PhoenixServiceScaling(stack, "Scaling", { service: web.service, targetGroup: web.targetGroup });

      const template = Template.fromStack(stack);
      template.resourceCountIs("AWS::EC2::VPC", 0);
      template.resourceCountIs("AWS::ECS::Service", 1);
      template.hasResourceProperties("AWS::ECS::Service", {
        NetworkConfiguration: {
          AwsvpcConfiguration: { Subnets: Match.arrayWith(["subnet-0000000000000000c", "subnet-0000000000000000d"]) },
        },
      });
      template.hasResourceProperties("AWS::DocDB::DBSubnetGroup", {
        SubnetIds: ["subnet-0000000000000000e", "subnet-0000000000000000f"],
      });
      expect(network.endpoints).toBeUndefined();
    } finally {
      cleanup();
    }
  });
});
