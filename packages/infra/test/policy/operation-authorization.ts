import { createHash } from "node:crypto";
import type { RecordedAwsCall } from "../../../../test-support/aws-call-recording.js";
import type { AuthorizationRequest } from "../../src/template/index.js";

// What IAM authorizes for each API operation the bot calls: the action, the resource ARN the
// Service Authorization Reference names for it (built from the request as AWS builds it), and
// the condition keys the request carries. Sources, per service: "Actions, resources, and
// condition keys for <service>" in the Service Authorization Reference
// (https://docs.aws.amazon.com/service-authorization/latest/reference/), plus:
// - ECS tag-on-create: RegisterTaskDefinition with tags also needs ecs:TagResource, with
//   ecs:CreateAction naming the creating action ("Grant permission to tag resources on
//   creation", Amazon ECS Developer Guide).
// - A task definition's taskRoleArn and executionRoleArn are passed to ECS tasks: iam:PassRole
//   with iam:PassedToService = ecs-tasks.amazonaws.com (Amazon ECS Developer Guide, "Task IAM
//   role" and "Task execution IAM role").
// - CloudWatch Logs: a log group's ARN ends in `:*` in IAM policies for every action but a few
//   (CloudWatch Logs User Guide, "Overview of managing access permissions").

export class UnknownOperationError extends Error {
  override readonly name = "UnknownOperationError";
}

/** The SigV4 signing name of a service, where it differs from its IAM service prefix. */
const IAM_PREFIX_BY_SIGNING_NAME: Readonly<Record<string, string>> = { monitoring: "cloudwatch" };

/** The partition moto's ARNs are in. */
const PARTITION = "aws";

/**
 * A scalable target's ARN ends in an id Application Auto Scaling makes up (and moto does not
 * return): a stand-in derived from what identifies the target, for a request whose response has none.
 */
export function scalableTargetArn(
  region: string,
  account: string,
  serviceNamespace: string,
  resourceId: string,
  scalableDimension: string,
): string {
  const id = createHash("sha256").update(`${serviceNamespace}|${resourceId}|${scalableDimension}`).digest("hex");
  return `arn:${PARTITION}:application-autoscaling:${region}:${account}:scalable-target/${id.slice(0, 36)}`;
}

type Call = Pick<RecordedAwsCall, "signingService" | "operation" | "region" | "account" | "request" | "response">;
type Derive = (call: Call) => readonly AuthorizationRequest[];

const arn = (call: Call, service: string, resource: string) =>
  `arn:${PARTITION}:${service}:${call.region}:${call.account}:${resource}`;

const field = (call: Call, name: string): string => {
  const value = call.request[name];
  if (typeof value !== "string" || value === "") {
    throw new UnknownOperationError(`${call.signingService}:${call.operation} request without ${name}`);
  }
  return value;
};

/** The last path segment of an ARN, or the value itself when it is a plain name. */
const nameOf = (nameOrArn: string, marker: string) =>
  nameOrArn.startsWith("arn:") ? nameOrArn.slice(nameOrArn.indexOf(marker) + marker.length) : nameOrArn;

const ecsCluster = (call: Call) => {
  const cluster = typeof call.request.cluster === "string" ? call.request.cluster : "default";
  const name = nameOf(cluster, ":cluster/");
  return { name, arn: arn(call, "ecs", `cluster/${name}`) };
};

/** A service given by name or by ARN (`…:service/<cluster>/<name>` or the old `…:service/<name>`). */
const ecsServiceArn = (call: Call, service: string) => {
  const cluster = ecsCluster(call);
  const name = service.startsWith("arn:") ? (service.split("/").pop() ?? service) : service;
  return arn(call, "ecs", `service/${cluster.name}/${name}`);
};

const logGroupArn = (call: Call) => {
  const identifier = call.request.logGroupIdentifier;
  if (typeof identifier === "string" && identifier.startsWith("arn:")) return `${identifier.replace(/:\*$/, "")}:*`;
  const name = typeof identifier === "string" ? identifier : field(call, "logGroupName");
  return arn(call, "logs", `log-group:${name}:*`);
};

const ECS_TASKS = "ecs-tasks.amazonaws.com";

const DERIVATIONS: Readonly<Record<string, Derive>> = {
  "ecs:DescribeServices": (call) => {
    const services = call.request.services;
    if (!Array.isArray(services) || services.length === 0) {
      throw new UnknownOperationError("ecs:DescribeServices request without services");
    }
    return services.map((service) => ({
      action: "ecs:DescribeServices",
      resource: ecsServiceArn(call, String(service)),
      context: { "ecs:cluster": ecsCluster(call).arn },
    }));
  },
  "ecs:UpdateService": (call) => {
    const taskDefinition = call.request.taskDefinition;
    return [
      {
        action: "ecs:UpdateService",
        resource: ecsServiceArn(call, field(call, "service")),
        context: {
          "ecs:cluster": ecsCluster(call).arn,
          ...(typeof taskDefinition === "string" ? { "ecs:task-definition": taskDefinition } : {}),
        },
      },
    ];
  },
  "ecs:DescribeTaskDefinition": () => [{ action: "ecs:DescribeTaskDefinition", resource: "*" }],
  "ecs:ListTaskDefinitions": () => [{ action: "ecs:ListTaskDefinitions", resource: "*" }],
  "ecs:RegisterTaskDefinition": (call) => {
    const requests: AuthorizationRequest[] = [{ action: "ecs:RegisterTaskDefinition", resource: "*" }];
    const tags = call.request.tags;
    if (Array.isArray(tags) && tags.length > 0) {
      const registered = (call.response as { taskDefinition?: { taskDefinitionArn?: string } } | undefined)
        ?.taskDefinition?.taskDefinitionArn;
      if (!registered) {
        throw new UnknownOperationError("ecs:RegisterTaskDefinition with tags: no task definition ARN in the response");
      }
      requests.push({
        action: "ecs:TagResource",
        resource: registered,
        context: { "ecs:CreateAction": "RegisterTaskDefinition" },
      });
    }
    for (const role of ["taskRoleArn", "executionRoleArn"]) {
      const roleArn = call.request[role];
      if (typeof roleArn === "string" && roleArn !== "") {
        requests.push({ action: "iam:PassRole", resource: roleArn, context: { "iam:PassedToService": ECS_TASKS } });
      }
    }
    return requests;
  },
  "application-autoscaling:DescribeScalableTargets": () => [
    { action: "application-autoscaling:DescribeScalableTargets", resource: "*" },
  ],
  "application-autoscaling:RegisterScalableTarget": (call) => {
    const returned = (call.response as { ScalableTargetARN?: string } | undefined)?.ScalableTargetARN;
    const resource =
      returned ??
      scalableTargetArn(
        call.region,
        call.account,
        field(call, "ServiceNamespace"),
        field(call, "ResourceId"),
        field(call, "ScalableDimension"),
      );
    return [
      {
        action: "application-autoscaling:RegisterScalableTarget",
        resource,
        context: {
          "application-autoscaling:service-namespace": field(call, "ServiceNamespace"),
          "application-autoscaling:scalable-dimension": field(call, "ScalableDimension"),
        },
      },
    ];
  },
  "logs:FilterLogEvents": (call) => [{ action: "logs:FilterLogEvents", resource: logGroupArn(call) }],
  "logs:GetLogEvents": (call) => [
    {
      action: "logs:GetLogEvents",
      resource: `${logGroupArn(call).replace(/:\*$/, "")}:log-stream:${field(call, "logStreamName")}`,
    },
  ],
  "cloudwatch:GetMetricData": () => [{ action: "cloudwatch:GetMetricData", resource: "*" }],
  "ssm:GetParameter": (call) => [{ action: "ssm:GetParameter", resource: ssmParameterArn(call) }],
  "ssm:PutParameter": (call) => [{ action: "ssm:PutParameter", resource: ssmParameterArn(call) }],
  "ecr:DescribeImages": (call) => [
    {
      action: "ecr:DescribeImages",
      resource: `arn:${PARTITION}:ecr:${call.region}:${String(call.request.registryId ?? call.account)}:repository/${field(call, "repositoryName")}`,
    },
  ],
  "codebuild:StartBuild": (call) => [
    { action: "codebuild:StartBuild", resource: arn(call, "codebuild", `project/${field(call, "projectName")}`) },
  ],
  "codebuild:ListBuildsForProject": (call) => [
    {
      action: "codebuild:ListBuildsForProject",
      resource: arn(call, "codebuild", `project/${field(call, "projectName")}`),
    },
  ],
  // A build id is `<project>:<uuid>` (or the build's ARN); authorized against its project.
  "codebuild:BatchGetBuilds": (call) => {
    const ids = call.request.ids;
    if (!Array.isArray(ids) || ids.length === 0)
      throw new UnknownOperationError("codebuild:BatchGetBuilds without ids");
    return ids.map((id) => {
      const project = nameOf(String(id), ":build/").split(":")[0] ?? "";
      return { action: "codebuild:BatchGetBuilds", resource: arn(call, "codebuild", `project/${project}`) };
    });
  },
  "dynamodb:GetItem": (call) => dynamoDb(call, "dynamodb:GetItem"),
  "dynamodb:PutItem": (call) => dynamoDb(call, "dynamodb:PutItem"),
  "dynamodb:UpdateItem": (call) => dynamoDb(call, "dynamodb:UpdateItem"),
  "dynamodb:DeleteItem": (call) => dynamoDb(call, "dynamodb:DeleteItem"),
  "dynamodb:Query": (call) => dynamoDb(call, "dynamodb:Query"),
  "sts:AssumeRole": (call) => [{ action: "sts:AssumeRole", resource: field(call, "RoleArn") }],
};

function ssmParameterArn(call: Call): string {
  const name = field(call, "Name");
  return name.startsWith("arn:") ? name : arn(call, "ssm", `parameter/${name.replace(/^\//, "")}`);
}

function dynamoDb(call: Call, action: string): AuthorizationRequest[] {
  return [{ action, resource: arn(call, "dynamodb", `table/${nameOf(field(call, "TableName"), ":table/")}`) }];
}

/** The IAM action a recorded call is, as `prefix:Operation`. */
export function actionOf(call: Pick<RecordedAwsCall, "signingService" | "operation">): string {
  return `${IAM_PREFIX_BY_SIGNING_NAME[call.signingService] ?? call.signingService}:${call.operation}`;
}

/**
 * Everything IAM checks for one recorded call. An operation missing from the table fails, so a
 * new call the bot starts making cannot pass unchecked.
 */
export function authorizationsFor(call: Call): readonly AuthorizationRequest[] {
  const action = actionOf(call);
  const derive = DERIVATIONS[action];
  if (!derive) {
    throw new UnknownOperationError(
      `${action}: no resource derivation for this operation; add it to test/policy/operation-authorization.ts from the Service Authorization Reference`,
    );
  }
  const global = { "aws:RequestedRegion": call.region };
  return derive(call).map((request) => ({ ...request, context: { ...global, ...request.context } }));
}

/** The operations the table knows, for a test that each is derived. */
export const KNOWN_ACTIONS: readonly string[] = Object.keys(DERIVATIONS);
