import { describe, expect, it } from "vitest";
import { actionOf, authorizationsFor, UnknownOperationError } from "./operation-authorization.js";

// Requests as the AWS SDK v3 sends them (bodies copied from a flow-test recording, names changed).
const at = { region: "eu-west-1", account: "222222222222" };

describe("what IAM authorizes for each operation the bot calls", () => {
  it("UpdateService: the service's ARN under its cluster, with ecs:cluster", () => {
    const [update] = authorizationsFor({
      ...at,
      signingService: "ecs",
      operation: "UpdateService",
      request: {
        cluster: "phoenix-production",
        service: "phoenix-production-web",
        taskDefinition: "arn:aws:ecs:eu-west-1:222222222222:task-definition/phoenix-production:7",
      },
    });
    expect(update).toEqual({
      action: "ecs:UpdateService",
      resource: "arn:aws:ecs:eu-west-1:222222222222:service/phoenix-production/phoenix-production-web",
      context: {
        "aws:RequestedRegion": "eu-west-1",
        "ecs:cluster": "arn:aws:ecs:eu-west-1:222222222222:cluster/phoenix-production",
        "ecs:task-definition": "arn:aws:ecs:eu-west-1:222222222222:task-definition/phoenix-production:7",
      },
    });
  });

  it("DescribeServices: each service named, by name or ARN", () => {
    const resources = authorizationsFor({
      ...at,
      signingService: "ecs",
      operation: "DescribeServices",
      request: {
        cluster: "arn:aws:ecs:eu-west-1:222222222222:cluster/phoenix-production",
        services: ["web", "arn:aws:ecs:eu-west-1:222222222222:service/phoenix-production/worker"],
      },
    }).map((request) => request.resource);
    expect(resources).toEqual([
      "arn:aws:ecs:eu-west-1:222222222222:service/phoenix-production/web",
      "arn:aws:ecs:eu-west-1:222222222222:service/phoenix-production/worker",
    ]);
  });

  it("RegisterTaskDefinition: * for the action, tag-on-create on the new revision, PassRole of both roles to ECS tasks", () => {
    const requests = authorizationsFor({
      ...at,
      signingService: "ecs",
      operation: "RegisterTaskDefinition",
      request: {
        family: "phoenix-production",
        taskRoleArn: "arn:aws:iam::222222222222:role/task",
        executionRoleArn: "arn:aws:iam::222222222222:role/execution",
        tags: [{ key: "app", value: "phoenix" }],
      },
      response: {
        taskDefinition: {
          taskDefinitionArn: "arn:aws:ecs:eu-west-1:222222222222:task-definition/phoenix-production:8",
        },
      },
    });
    expect(
      requests.map(({ action, resource, context }) => [
        action,
        resource,
        context?.["ecs:CreateAction"] ?? context?.["iam:PassedToService"],
      ]),
    ).toEqual([
      ["ecs:RegisterTaskDefinition", "*", undefined],
      [
        "ecs:TagResource",
        "arn:aws:ecs:eu-west-1:222222222222:task-definition/phoenix-production:8",
        "RegisterTaskDefinition",
      ],
      ["iam:PassRole", "arn:aws:iam::222222222222:role/task", "ecs-tasks.amazonaws.com"],
      ["iam:PassRole", "arn:aws:iam::222222222222:role/execution", "ecs-tasks.amazonaws.com"],
    ]);
  });

  it("Logs: FilterLogEvents on the group (`:*`), GetLogEvents on the stream", () => {
    const filter = authorizationsFor({
      ...at,
      signingService: "logs",
      operation: "FilterLogEvents",
      request: { logGroupName: "/phoenix/phoenix/production" },
    });
    const get = authorizationsFor({
      ...at,
      signingService: "logs",
      operation: "GetLogEvents",
      request: { logGroupName: "/phoenix/phoenix/production", logStreamName: "phoenix/app/abc" },
    });
    expect(filter[0]?.resource).toBe("arn:aws:logs:eu-west-1:222222222222:log-group:/phoenix/phoenix/production:*");
    expect(get[0]?.resource).toBe(
      "arn:aws:logs:eu-west-1:222222222222:log-group:/phoenix/phoenix/production:log-stream:phoenix/app/abc",
    );
  });

  it("names CloudWatch by its IAM prefix, not its signing name (monitoring)", () => {
    expect(actionOf({ signingService: "monitoring", operation: "GetMetricData" })).toBe("cloudwatch:GetMetricData");
  });

  it("SSM parameters: a leading slash is not doubled in the ARN", () => {
    const [put] = authorizationsFor({
      ...at,
      signingService: "ssm",
      operation: "PutParameter",
      request: { Name: "/phoenix/phoenix/production/live-image" },
    });
    expect(put?.resource).toBe("arn:aws:ssm:eu-west-1:222222222222:parameter/phoenix/phoenix/production/live-image");
  });

  it("CodeBuild: a build id is authorized against its project", () => {
    const [get] = authorizationsFor({
      ...at,
      signingService: "codebuild",
      operation: "BatchGetBuilds",
      request: { ids: ["phoenix-image-build:7d3c…"] },
    });
    expect(get?.resource).toBe("arn:aws:codebuild:eu-west-1:222222222222:project/phoenix-image-build");
  });

  it("fails on an operation it has no derivation for, naming where to add it", () => {
    expect(() =>
      authorizationsFor({ ...at, signingService: "ecs", operation: "DeleteService", request: { service: "web" } }),
    ).toThrow(UnknownOperationError);
    expect(() => authorizationsFor({ ...at, signingService: "ecs", operation: "DeleteService", request: {} })).toThrow(
      /ecs:DeleteService: no resource derivation.*operation-authorization\.ts/,
    );
  });
});
