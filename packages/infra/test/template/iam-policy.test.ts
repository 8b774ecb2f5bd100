import { describe, expect, it } from "vitest";
import {
  arnMatches,
  documentStatements,
  evaluate,
  type NamedPolicy,
  type PolicyStatement,
  resourcePolicyDecision,
  UnsupportedPolicyError,
} from "../../src/template/index.js";

// Hand-written policies in the shapes CDK synthesizes (fn::join results already resolved).
const SERVICE = "arn:aws:ecs:eu-west-1:111111111111:service/phoenix-staging/phoenix-staging-web";
const TASK_ROLE = "arn:aws:iam::111111111111:role/phoenix-staging-task";

const policy = (...statements: PolicyStatement[]): NamedPolicy[] => [
  { name: "test", document: { Version: "2012-10-17", Statement: statements } },
];

describe("the IAM evaluator", () => {
  it("allows a call an Allow statement names by action and resource", () => {
    const decision = evaluate(policy({ Effect: "Allow", Action: "ecs:UpdateService", Resource: SERVICE }), {
      action: "ecs:UpdateService",
      resource: SERVICE,
    });
    expect(decision).toEqual({ effect: "allow", by: "test statement #0", policy: "test", statement: 0 });
  });

  it("denies implicitly when no statement matches the action or the resource", () => {
    const statements = policy({ Effect: "Allow", Action: ["ecs:DescribeServices"], Resource: SERVICE });
    expect(evaluate(statements, { action: "ecs:UpdateService", resource: SERVICE }).effect).toBe("implicit-deny");
    expect(evaluate(statements, { action: "ecs:DescribeServices", resource: `${SERVICE}-other` }).effect).toBe(
      "implicit-deny",
    );
  });

  it("matches actions with wildcards and without regard to case", () => {
    const statements = policy({ Effect: "Allow", Action: "ECS:Describe*", Resource: "*" });
    expect(evaluate(statements, { action: "ecs:DescribeTaskDefinition", resource: "*" }).effect).toBe("allow");
    expect(evaluate(statements, { action: "ecs:UpdateService", resource: "*" }).effect).toBe("implicit-deny");
  });

  it("matches resources with wildcards, case-sensitively", () => {
    const statements = policy({
      Effect: "Allow",
      Action: "logs:FilterLogEvents",
      Resource: "arn:aws:logs:eu-west-1:111111111111:log-group:/phoenix/phoenix/staging:*",
    });
    const group = "arn:aws:logs:eu-west-1:111111111111:log-group:/phoenix/phoenix/staging:*";
    expect(evaluate(statements, { action: "logs:FilterLogEvents", resource: group }).effect).toBe("allow");
    expect(
      evaluate(statements, { action: "logs:FilterLogEvents", resource: group.replace("staging", "Staging") }).effect,
    ).toBe("implicit-deny");
  });

  it("lets an explicit Deny win over any Allow, in any order", () => {
    const allow: PolicyStatement = { Effect: "Allow", Action: "ecs:*", Resource: "*" };
    const deny: PolicyStatement = { Sid: "NoUpdates", Effect: "Deny", Action: "ecs:UpdateService", Resource: SERVICE };
    for (const statements of [policy(allow, deny), policy(deny, allow)]) {
      expect(evaluate(statements, { action: "ecs:UpdateService", resource: SERVICE })).toMatchObject({
        effect: "explicit-deny",
        by: "test statement NoUpdates",
      });
    }
  });

  it("reads NotAction and NotResource as everything but what they list", () => {
    const statements = policy({ Effect: "Allow", NotAction: "iam:*", NotResource: SERVICE });
    expect(evaluate(statements, { action: "ecs:DescribeTaskDefinition", resource: "*" }).effect).toBe("allow");
    expect(evaluate(statements, { action: "iam:PassRole", resource: TASK_ROLE }).effect).toBe("implicit-deny");
    expect(evaluate(statements, { action: "ecs:UpdateService", resource: SERVICE }).effect).toBe("implicit-deny");
  });

  describe("conditions", () => {
    const passRole = policy({
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: TASK_ROLE,
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    });

    it("StringEquals holds only for the exact value, and fails for an absent key", () => {
      const request = { action: "iam:PassRole", resource: TASK_ROLE };
      expect(
        evaluate(passRole, { ...request, context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }).effect,
      ).toBe("allow");
      expect(
        evaluate(passRole, { ...request, context: { "iam:PassedToService": "lambda.amazonaws.com" } }).effect,
      ).toBe("implicit-deny");
      expect(evaluate(passRole, request).effect).toBe("implicit-deny");
    });

    it("reads condition keys without regard to case", () => {
      expect(
        evaluate(passRole, {
          action: "iam:PassRole",
          resource: TASK_ROLE,
          context: { "IAM:passedToService": "ecs-tasks.amazonaws.com" },
        }).effect,
      ).toBe("allow");
    });

    it("StringLike matches with wildcards; a list of values is any-of; IfExists holds for an absent key", () => {
      const tagOnCreate = policy({
        Effect: "Allow",
        Action: "ecs:TagResource",
        Resource: "*",
        Condition: {
          StringLike: { "ecs:CreateAction": ["Register*", "CreateService"] },
          StringEqualsIfExists: { "aws:RequestedRegion": "eu-west-1" },
        },
      });
      const request = { action: "ecs:TagResource", resource: "arn:aws:ecs:eu-west-1:1:task-definition/web:2" };
      expect(
        evaluate(tagOnCreate, { ...request, context: { "ecs:CreateAction": "RegisterTaskDefinition" } }).effect,
      ).toBe("allow");
      expect(
        evaluate(tagOnCreate, {
          ...request,
          context: { "ecs:CreateAction": "RegisterTaskDefinition", "aws:RequestedRegion": "us-east-1" },
        }).effect,
      ).toBe("implicit-deny");
      expect(evaluate(tagOnCreate, request).effect).toBe("implicit-deny");
    });

    it("ArnLike and ArnEquals compare ARNs part by part, with wildcards", () => {
      for (const operator of ["ArnLike", "ArnEquals"]) {
        const statements = policy({
          Effect: "Allow",
          Action: "ecs:UpdateService",
          Resource: "*",
          Condition: { [operator]: { "ecs:cluster": "arn:aws:ecs:*:111111111111:cluster/phoenix-*" } },
        });
        const update = (cluster: string) =>
          evaluate(statements, { action: "ecs:UpdateService", resource: SERVICE, context: { "ecs:cluster": cluster } });
        expect(update("arn:aws:ecs:eu-west-1:111111111111:cluster/phoenix-staging").effect, operator).toBe("allow");
        expect(update("arn:aws:ecs:eu-west-1:222222222222:cluster/phoenix-staging").effect, operator).toBe(
          "implicit-deny",
        );
      }
    });

    it("Bool compares true and false as written, string or boolean", () => {
      const statements = policy({
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { Bool: { "aws:SecureTransport": false } },
      });
      const call = (secure: string) =>
        evaluate(statements, {
          action: "ecs:UpdateService",
          resource: SERVICE,
          context: { "aws:SecureTransport": secure },
        });
      expect(call("false").effect).toBe("explicit-deny");
      expect(call("true").effect).toBe("implicit-deny");
    });

    it("StringNotEquals holds when no value matches, and for an absent key", () => {
      const statements = policy({
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1", "eu-central-1"] } },
      });
      const call = (context?: Record<string, string>) =>
        evaluate(statements, { action: "ecs:UpdateService", resource: SERVICE, ...(context && { context }) }).effect;
      expect(call({ "aws:RequestedRegion": "us-east-1" })).toBe("explicit-deny");
      expect(call({ "aws:RequestedRegion": "eu-central-1" })).toBe("implicit-deny");
      expect(call()).toBe("explicit-deny");
    });

    it("refuses an operator it does not implement instead of guessing", () => {
      for (const operator of ["NumericLessThan", "ForAnyValue:StringEquals", "Null", "DateGreaterThan"]) {
        const statements = policy({
          Effect: "Allow",
          Action: "*",
          Resource: "*",
          Condition: { [operator]: { "aws:MultiFactorAuthAge": "3600" } },
        });
        expect(() => evaluate(statements, { action: "ecs:UpdateService", resource: SERVICE }), operator).toThrow(
          UnsupportedPolicyError,
        );
      }
    });
  });
});

describe("ARN comparison (ArnLike, ArnEquals)", () => {
  it("matches each of an ARN's six parts on its own, the last taking the rest", () => {
    expect(
      arnMatches(
        "arn:aws:ecs:eu-west-1:111111111111:task/phoenix-staging/*",
        "arn:aws:ecs:eu-west-1:111111111111:task/phoenix-staging/abc",
      ),
    ).toBe(true);
    expect(arnMatches("arn:aws:ecs:*:111111111111:task/*", "arn:aws:ecs:eu-west-1:222222222222:task/x")).toBe(false);
    expect(arnMatches("arn:aws:logs:*:*:log-group:/a:*", "arn:aws:logs:eu-west-1:1:log-group:/a:log-stream:s")).toBe(
      true,
    );
  });
});

describe("a resource's policy", () => {
  const REPOSITORY = "arn:aws:ecr:eu-west-1:111111111111:repository/phoenix/phoenix";
  const pull = { action: "ecr:BatchGetImage", resource: REPOSITORY };

  it("reads a statement without Resource as about the resource it is attached to, from JSON text too", () => {
    const repositoryPolicy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: "222222222222" }, Action: ["ecr:BatchGetImage"] }],
    });
    expect(documentStatements(repositoryPolicy)).toHaveLength(1);
    expect(resourcePolicyDecision(repositoryPolicy, "arn:aws:iam::222222222222:role/exec", pull).effect).toBe("allow");
    expect(resourcePolicyDecision(repositoryPolicy, "arn:aws:iam::333333333333:role/exec", pull).effect).toBe(
      "implicit-deny",
    );
  });

  it("lets a Deny naming the caller win, and keeps a statement's own Resource", () => {
    const busPolicy = {
      Statement: [
        {
          Effect: "Allow" as const,
          Principal: "*" as const,
          Action: "events:PutEvents",
          Resource: "arn:aws:events:eu-west-1:111111111111:event-bus/ops",
        },
        {
          Effect: "Deny" as const,
          Principal: { AWS: "arn:aws:iam::444444444444:root" },
          Action: "events:PutEvents",
          Resource: "*",
        },
      ],
    };
    const put = (caller: string, resource: string) =>
      resourcePolicyDecision(busPolicy, caller, { action: "events:PutEvents", resource }).effect;
    const bus = "arn:aws:events:eu-west-1:111111111111:event-bus/ops";
    expect(put("arn:aws:iam::222222222222:role/forwarder", bus)).toBe("allow");
    expect(put("arn:aws:iam::222222222222:role/forwarder", `${bus}-other`)).toBe("implicit-deny");
    expect(put("arn:aws:iam::444444444444:role/forwarder", bus)).toBe("explicit-deny");
  });
});

describe("a role's trust policy", () => {
  const BOT = "arn:aws:iam::111111111111:role/phoenix-ops-bot";
  const assume = { action: "sts:AssumeRole", resource: "arn:aws:iam::222222222222:role/phoenix-production-deployer" };

  it("lets the role it names assume, and no other", () => {
    const trust = { Statement: [{ Effect: "Allow" as const, Action: "sts:AssumeRole", Principal: { AWS: BOT } }] };
    expect(resourcePolicyDecision(trust, BOT, assume).effect).toBe("allow");
    expect(resourcePolicyDecision(trust, "arn:aws:iam::111111111111:role/someone-else", assume).effect).toBe(
      "implicit-deny",
    );
  });

  it("reads an account root as every principal of that account", () => {
    const trust = {
      Statement: [
        { Effect: "Allow" as const, Action: "sts:AssumeRole", Principal: { AWS: "arn:aws:iam::111111111111:root" } },
      ],
    };
    expect(resourcePolicyDecision(trust, BOT, assume).effect).toBe("allow");
    expect(resourcePolicyDecision(trust, "arn:aws:iam::333333333333:role/phoenix-ops-bot", assume).effect).toBe(
      "implicit-deny",
    );
  });

  it("holds the trust statement's conditions too", () => {
    const trust = {
      Statement: [
        {
          Effect: "Allow" as const,
          Action: "sts:AssumeRole",
          Principal: { AWS: BOT },
          Condition: { StringEquals: { "sts:RoleSessionName": "phoenix-ops-bot" } },
        },
      ],
    };
    expect(
      resourcePolicyDecision(trust, BOT, { ...assume, context: { "sts:RoleSessionName": "phoenix-ops-bot" } }).effect,
    ).toBe("allow");
    expect(resourcePolicyDecision(trust, BOT, { ...assume, context: { "sts:RoleSessionName": "other" } }).effect).toBe(
      "implicit-deny",
    );
  });
});
