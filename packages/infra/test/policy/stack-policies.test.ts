import { readFileSync } from "node:fs";
import { opsResourceNames, resourceNames } from "@phoenix/shared";
import { describe, expect, it } from "vitest";
import type { RecordedAwsCall } from "../../../../test-support/aws-call-recording.js";
import { parsePhoenixConfig } from "../../src/config/phoenix-config.js";
import { synthesizePhoenixTemplates } from "../../src/stack/phoenix-app.js";
import { TemplateResolver } from "../../src/template/index.js";
import { deniedCalls, describeDenial } from "./recorded-calls.js";

// The calls a deploy, a /scale, an alarm and a crash make, in the shapes the flow tests recorded
// (request bodies copied from test-results/aws-calls, names set to what the stacks create), for
// the shipped two-account config: the ops stack and staging in one account, production behind
// its deployer role in another. Independent of how the flow tests name their moto resources,
// this checks the templates' grants against the resource ARNs the bot's calls are authorized on.
const config = parsePhoenixConfig(
  JSON.parse(readFileSync(new URL("../../config/two-accounts.json", import.meta.url), "utf8")),
);
const stacks = Object.values(synthesizePhoenixTemplates(config));
const OPS = config.ops.account;
const PRODUCTION = config.environments.production?.account ?? "";
const REGION = config.ops.region;
const production = resourceNames({ app: config.app, environment: "production" });
const ops = opsResourceNames(config.app);
const deployerArn = `arn:aws:iam::${PRODUCTION}:role/${production.deployerRole}`;

/**
 * The task and execution roles production's task definition names. CloudFormation generates
 * their names, so they resolve to unresolved values that only the same role's reference matches: the
 * deployer may pass exactly the roles of its task definition.
 */
function taskDefinitionRoles(): { taskRoleArn: string; executionRoleArn: string } {
  const stack = stacks.find((candidate) => candidate.stackName === "Phoenix-production");
  const [definition] = Object.values(stack?.template.Resources ?? {}).filter(
    (resource) => resource.Type === "AWS::ECS::TaskDefinition",
  );
  if (!stack || !definition) throw new Error("no task definition in Phoenix-production");
  const resolver = new TemplateResolver(stacks);
  return {
    taskRoleArn: resolver.resolveString(stack, definition.Properties?.TaskRoleArn),
    executionRoleArn: resolver.resolveString(stack, definition.Properties?.ExecutionRoleArn),
  };
}

const call = (
  principal: RecordedAwsCall["principal"],
  signingService: string,
  operation: string,
  request: Record<string, unknown>,
  response?: unknown,
): RecordedAwsCall => ({
  test: `${signingService}:${operation}`,
  signingService,
  region: REGION,
  account: principal.kind === "unknown" ? "" : principal.account,
  accessKeyId: "AKID",
  principal,
  operation,
  request,
  status: 200,
  ...(response === undefined ? {} : { response }),
});
const bot = (service: string, operation: string, request: Record<string, unknown>) =>
  call({ kind: "bot", account: OPS }, service, operation, request);
const deployer = (service: string, operation: string, request: Record<string, unknown>, response?: unknown) =>
  call({ kind: "assumed-role", roleArn: deployerArn, account: PRODUCTION }, service, operation, request, response);

describe("the stacks' grants cover the calls the bot makes (shipped two-account config)", () => {
  it("lets the bot build, look up images and assume production's deployer role", () => {
    const calls = [
      bot("codebuild", "StartBuild", { projectName: ops.buildProject, sourceVersion: "a".repeat(40) }),
      bot("codebuild", "ListBuildsForProject", { projectName: ops.buildProject, sortOrder: "DESCENDING" }),
      bot("codebuild", "BatchGetBuilds", { ids: [`${ops.buildProject}:d0c33faa-7e4f-4e30-97db-33de0cdd62a3`] }),
      bot("ecr", "DescribeImages", { repositoryName: ops.repository, registryId: OPS, imageIds: [{ imageTag: "a" }] }),
      bot("sts", "AssumeRole", { RoleArn: deployerArn, RoleSessionName: "phoenix-ops-bot" }),
    ];
    expect(deniedCalls(calls, stacks, config.app).map(describeDenial)).toEqual([]);
  });

  it("lets production's deployer role deploy, scale and read evidence there", () => {
    const taskDefinition = `arn:aws:ecs:${REGION}:${PRODUCTION}:task-definition/${production.service}`;
    const calls = [
      deployer("ecs", "DescribeServices", { cluster: production.cluster, services: [production.service] }),
      deployer("ecs", "DescribeTaskDefinition", { taskDefinition: `${taskDefinition}:1`, include: ["TAGS"] }),
      deployer(
        "ecs",
        "RegisterTaskDefinition",
        { family: production.service, ...taskDefinitionRoles(), tags: [{ key: "app", value: config.app }] },
        { taskDefinition: { taskDefinitionArn: `${taskDefinition}:2` } },
      ),
      deployer("ecs", "UpdateService", {
        cluster: production.cluster,
        service: production.service,
        taskDefinition: `${taskDefinition}:2`,
      }),
      deployer("ssm", "PutParameter", { Name: production.liveImageParameter, Type: "String", Overwrite: true }),
      deployer("application-autoscaling", "DescribeScalableTargets", { ServiceNamespace: "ecs" }),
      deployer("application-autoscaling", "RegisterScalableTarget", {
        ServiceNamespace: "ecs",
        ResourceId: `service/${production.cluster}/${production.service}`,
        ScalableDimension: "ecs:service:DesiredCount",
        MinCapacity: 3,
        MaxCapacity: 6,
      }),
      deployer("logs", "FilterLogEvents", { logGroupName: production.logGroup, limit: 30 }),
      deployer("logs", "GetLogEvents", { logGroupName: production.logGroup, logStreamName: "phoenix/app/7659d1" }),
      deployer("monitoring", "GetMetricData", { MetricDataQueries: [] }),
    ];
    expect(deniedCalls(calls, stacks, config.app).map(describeDenial)).toEqual([]);
  });

  it("refuses production's deployer role another environment's service or a role not its own, and the bot's role production's service", () => {
    const staging = resourceNames({ app: config.app, environment: "staging" });
    const calls = [
      deployer("ecs", "UpdateService", { cluster: staging.cluster, service: staging.service }),
      deployer("ecs", "RegisterTaskDefinition", {
        family: production.service,
        taskRoleArn: `arn:aws:iam::${PRODUCTION}:role/someone-elses-role`,
      }),
      bot("ecs", "UpdateService", { cluster: production.cluster, service: production.service }),
    ];
    expect(deniedCalls(calls, stacks, config.app).map((denial) => `${denial.operation} ${denial.principal}`)).toEqual([
      `ecs:UpdateService ${deployerArn}`,
      `iam:PassRole ${deployerArn}`,
      `ecs:UpdateService arn:aws:iam::${OPS}:role/${ops.botRole}`,
    ]);
  });
});
