import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { DEPLOYER_WILDCARD_ACTIONS, DeployerRole, type DeployerRoleProps } from "../src/delivery/deployer-role.js";
import { ENV, NAMES, serviceStack, TWO_AZ_CONTEXT } from "./support/service-stack.js";
import { logicalId, testAppsCleanedAfterEach } from "./support/synth.js";

const newApp = testAppsCleanedAfterEach(TWO_AZ_CONTEXT);
const botRoleArn = "arn:aws:iam::999988887777:role/phoenix-ops-bot";

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The staging service with its deployer role, as `PhoenixEnvironmentStack` wires them. */
function deployerStack(overrides: Partial<DeployerRoleProps> = {}) {
  const { stack, web } = serviceStack(newApp());
  const deployer = new DeployerRole(stack, "Deployer", {
    identity: { app: "phoenix", environment: "staging" },
    trustedRoleArn: botRoleArn,
    cluster: web.cluster,
    service: web.service,
    appLogGroup: web.logGroup,
    liveImageParameterName: NAMES.liveImageParameter,
    ...overrides,
  });
  const template = Template.fromStack(stack);
  const statements = Object.values(template.findResources("AWS::IAM::Policy"))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: logicalId(deployer.role) }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  return { stack, web, deployer, template, statements };
}

const actionsOf = (statement: Statement): string[] => [statement.Action].flat();
const resourcesOf = (statement: Statement): unknown[] => [statement.Resource].flat();
const statementsFor = (statements: Statement[], action: string) =>
  statements.filter((statement) => actionsOf(statement).includes(action));
const partitionArn = (rest: string) => ({ "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, rest]] });

describe("requirement One bot, many environments: the deployer role", () => {
  it("is named for the environment and trusts only the bot's role", () => {
    const { template } = deployerStack();
    template.hasResourceProperties("AWS::IAM::Role", {
      RoleName: NAMES.deployerRole,
      AssumeRolePolicyDocument: {
        Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { AWS: botRoleArn } }],
      },
    });
  });

  it("refuses a trusted principal that is not a role ARN", () => {
    expect(() => deployerStack({ trustedRoleArn: "arn:aws:iam::999988887777:root" })).toThrow(
      'DeployerRole: trustedRoleArn must be an IAM role ARN, got "arn:aws:iam::999988887777:root"',
    );
  });

  it("lets the bot pass only the app's task and execution roles, by name, and only to ECS tasks", () => {
    const { web, template, statements } = deployerStack();
    expect(statementsFor(statements, "iam:PassRole")).toEqual([
      {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: [
          partitionArn(`:iam::${ENV.account}:role/${NAMES.taskRole}`),
          partitionArn(`:iam::${ENV.account}:role/${NAMES.executionRole}`),
        ],
        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
    ]);
    // The names are the task definition's own roles.
    const roleName = (role: typeof web.taskRole) =>
      template.toJSON().Resources[logicalId(role)].Properties.RoleName as string;
    expect([roleName(web.taskRole), roleName(web.executionRole)]).toEqual([NAMES.taskRole, NAMES.executionRole]);
    template.hasResourceProperties("AWS::ECS::TaskDefinition", {
      TaskRoleArn: { "Fn::GetAtt": [logicalId(web.taskRole), "Arn"] },
      ExecutionRoleArn: { "Fn::GetAtt": [logicalId(web.executionRole), "Arn"] },
    });
  });

  it("scopes the service, its tasks, its revisions, its logs and the live image to this environment", () => {
    const { stack, web, statements } = deployerStack();
    const serviceArn = stack.resolve(web.service.serviceArn);
    expect(statementsFor(statements, "ecs:UpdateService").flatMap(resourcesOf)).toEqual([serviceArn]);
    expect(statementsFor(statements, "ecs:DescribeServices").flatMap(resourcesOf)).toEqual([serviceArn]);
    expect(statementsFor(statements, "ecs:DescribeTasks").flatMap(resourcesOf)).toEqual([
      {
        "Fn::Join": [
          "",
          [
            "arn:",
            { Ref: "AWS::Partition" },
            `:ecs:${ENV.region}:${ENV.account}:task/`,
            { Ref: logicalId(web.cluster) },
            "/*",
          ],
        ],
      },
    ]);
    expect(statementsFor(statements, "ecs:TagResource")).toEqual([
      {
        Effect: "Allow",
        Action: "ecs:TagResource",
        Resource: partitionArn(`:ecs:${ENV.region}:${ENV.account}:task-definition/${NAMES.service}:*`),
        Condition: { StringEquals: { "ecs:CreateAction": "RegisterTaskDefinition" } },
      },
    ]);
    expect(statementsFor(statements, "logs:FilterLogEvents").flatMap(resourcesOf)).toEqual([
      { "Fn::GetAtt": [logicalId(web.logGroup), "Arn"] },
    ]);
    expect(statementsFor(statements, "ssm:PutParameter")).toEqual([
      {
        Effect: "Allow",
        Action: ["ssm:GetParameter", "ssm:PutParameter"],
        Resource: partitionArn(`:ssm:${ENV.region}:${ENV.account}:parameter${NAMES.liveImageParameter}`),
      },
    ]);
  });

  it("grants `*` only for actions that have no resource type", () => {
    const { statements } = deployerStack();
    const onWildcard = statements.filter((statement) => resourcesOf(statement).includes("*"));
    expect(onWildcard.flatMap(actionsOf).sort()).toEqual([...DEPLOYER_WILDCARD_ACTIONS].sort());
    for (const statement of onWildcard) expect(resourcesOf(statement)).toEqual(["*"]);
    expect(statements.flatMap(actionsOf).filter((action) => action.includes("*"))).toEqual([]);
  });

  it("limits scaling changes to ECS service desired counts when no target ARN is given", () => {
    const { statements } = deployerStack();
    const [register] = statementsFor(statements, "application-autoscaling:RegisterScalableTarget");
    expect(register?.Condition).toEqual({
      StringEquals: {
        "application-autoscaling:service-namespace": "ecs",
        "application-autoscaling:scalable-dimension": "ecs:service:DesiredCount",
      },
    });
  });

  it("narrows scaling changes to the scalable target when its ARN is given", () => {
    const scalableTargetArn = `arn:aws:application-autoscaling:eu-west-1:111122223333:scalable-target/0123456789abcdef0123456789abcdef`;
    const { statements } = deployerStack({ scalableTargetArn });
    expect(statementsFor(statements, "application-autoscaling:RegisterScalableTarget")).toEqual([
      expect.objectContaining({ Resource: scalableTargetArn }),
    ]);
  });

  it("refuses a live-image parameter name that is not a path", () => {
    expect(() => deployerStack({ liveImageParameterName: "live-image" })).toThrow(
      'DeployerRole: liveImageParameterName must be a path starting with "/", got "live-image"',
    );
  });
});
