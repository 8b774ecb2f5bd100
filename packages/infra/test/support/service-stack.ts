/**
 * The fixture of the service, scaling and alarm tests: the Phoenix service on a plain two-AZ
 * VPC. The network construct is left out; it has its own tests.
 */
import { resourceNames } from "@phoenix/shared";
import { type App, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import { PhoenixService, type PhoenixServiceProps } from "../../src/service/phoenix-service.js";

export const ENV = { account: "111122223333", region: "eu-west-1" };
/** What `cdk synth` would cache in cdk.context.json for this account and region; give it to the app. */
export const TWO_AZ_CONTEXT = {
  [`availability-zones:account=${ENV.account}:region=${ENV.region}`]: ["eu-west-1a", "eu-west-1b"],
};
export const NAMES = resourceNames({ app: "phoenix", environment: "staging" });
export const IMAGE = ecs.ContainerImage.fromRegistry("public.ecr.aws/docker/library/node:26-slim");
export const DATABASE_URI = "mongodb://phoenix-db.cluster-abc.eu-west-1.docdb.amazonaws.com:27017/phoenix?tls=true";

/** Props over the fixture's, or a function of the stack and VPC for props that need them. */
export type ServiceStackProps =
  | Partial<PhoenixServiceProps>
  | ((stack: Stack, vpc: ec2.Vpc) => Partial<PhoenixServiceProps>);

export interface ServiceStack {
  readonly stack: Stack;
  readonly vpc: ec2.Vpc;
  readonly web: PhoenixService;
}

/** A stack `stackId` in `app` (made with `TWO_AZ_CONTEXT`): a two-AZ VPC with one NAT gateway, and the service. */
export function serviceStack(app: App, props: ServiceStackProps = {}, stackId = "Phoenix"): ServiceStack {
  const stack = new Stack(app, stackId, { env: ENV });
  const vpc = new ec2.Vpc(stack, "Vpc", { maxAzs: 2, natGateways: 1 });
  const web = new PhoenixService(stack, "Web", {
    vpc,
    names: NAMES,
    image: IMAGE,
    databaseUri: DATABASE_URI,
    ...(typeof props === "function" ? props(stack, vpc) : props),
  });
  return { stack, vpc, web };
}
