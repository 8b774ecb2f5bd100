import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CloudFormationTemplate } from "../src/stack/phoenix-app.js";
import { matchesEventPattern, UnsupportedEventPatternError } from "../src/template/event-pattern.js";
import { arnMatches, evaluateStatements, wildcardMatches } from "../src/template/iam-policy.js";
import { resolveTemplateValue, UnresolvedTemplateReferenceError } from "../src/template/resolve.js";

// A hand-written template in the shapes CDK synthesizes (explicit names, Join, Sub, GetAtt).
const template: CloudFormationTemplate = {
  Parameters: { Image: { Type: "AWS::SSM::Parameter::Value<String>", Default: "/phoenix/phoenix/staging/live-image" } },
  Resources: {
    Cluster: { Type: "AWS::ECS::Cluster", Properties: { ClusterName: "phoenix-staging" } },
    Service: {
      Type: "AWS::ECS::Service",
      Properties: { Cluster: { Ref: "Cluster" }, ServiceName: "phoenix-staging-web" },
    },
    Role: { Type: "AWS::IAM::Role", Properties: { RoleName: "phoenix-staging-deployer" } },
    Key: { Type: "AWS::KMS::Key", Properties: {} },
  },
};
const context = { template, account: "111111111111", region: "eu-west-1" };

describe("resolving a template's intrinsic functions", () => {
  it("resolves references to named resources, pseudo parameters, Join and Sub", () => {
    expect(
      resolveTemplateValue(
        {
          cluster: { "Fn::GetAtt": ["Cluster", "Arn"] },
          service: { Ref: "Service" },
          role: {
            "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":iam::", { Ref: "AWS::AccountId" }, ":role/x"]],
          },
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
          sub: { "Fn::Sub": "${Role.Arn}|${AWS::Region}|${Name}" },
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
          subVariables: { "Fn::Sub": ["${Name}-${AWS::Region}", { Name: { Ref: "Cluster" } }] },
          image: { Ref: "Image" },
        },
        context,
      ),
    ).toEqual({
      cluster: "arn:aws:ecs:eu-west-1:111111111111:cluster/phoenix-staging",
      service: "arn:aws:ecs:eu-west-1:111111111111:service/phoenix-staging/phoenix-staging-web",
      role: "arn:aws:iam::111111111111:role/x",
      sub: "arn:aws:iam::111111111111:role/phoenix-staging-deployer|eu-west-1|<Name>",
      subVariables: "phoenix-staging-eu-west-1",
      image: "{{ssm:/phoenix/phoenix/staging/live-image}}",
    });
  });

  it("puts a placeholder for a generated value, takes the caller's value for it, and throws in strict mode", () => {
    expect(resolveTemplateValue({ "Fn::GetAtt": ["Key", "Arn"] }, context)).toBe("<Key.Arn>");
    expect(
      resolveTemplateValue(
        { "Fn::GetAtt": ["Key", "Arn"] },
        { ...context, resources: { Key: { attributes: { Arn: "k" } } } },
      ),
    ).toBe("k");
    expect(() => resolveTemplateValue({ Ref: "Key" }, context, { strict: true })).toThrow(
      UnresolvedTemplateReferenceError,
    );
  });

  it("drops AWS::NoValue from lists and objects", () => {
    expect(resolveTemplateValue({ a: [1, { Ref: "AWS::NoValue" }], b: { Ref: "AWS::NoValue" } }, context)).toEqual({
      a: [1],
    });
  });
});

describe("matching EventBridge patterns", () => {
  const event = {
    source: "aws.ecs",
    resources: ["arn:a", "arn:b"],
    detail: { lastStatus: "STOPPED", nested: { x: 1 } },
  };

  it("matches exact values, any element of a list, prefixes and nested detail", () => {
    expect(
      matchesEventPattern({ source: ["aws.ecs"], resources: ["arn:b"], detail: { nested: { x: [1] } } }, event),
    ).toBe(true);
    expect(matchesEventPattern({ detail: { lastStatus: [{ prefix: "STOP" }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { lastStatus: [{ "anything-but": "STOPPED" }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { missing: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesEventPattern({ source: ["aws.cloudwatch"] }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { absent: ["x"] } }, event)).toBe(false);
  });

  it("matches a prefix filter exactly when the value starts with it", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (prefix, value) => {
        expect(matchesEventPattern({ f: [{ prefix }] }, { f: value })).toBe(value.startsWith(prefix));
      }),
    );
  });

  it("throws on a filter it does not know rather than guessing", () => {
    expect(() => matchesEventPattern({ f: [{ numeric: [">", 1] }] }, { f: 2 })).toThrow(UnsupportedEventPatternError);
  });
});

describe("evaluating policy statements", () => {
  it("matches wildcards in actions case-insensitively and in each ARN part on its own", () => {
    expect(wildcardMatches("ecr:Batch*", "ECR:BatchGetImage", true)).toBe(true);
    expect(
      arnMatches(
        "arn:aws:ecs:eu-west-1:111111111111:task/phoenix-staging/*",
        "arn:aws:ecs:eu-west-1:111111111111:task/phoenix-staging/abc",
      ),
    ).toBe(true);
    expect(arnMatches("arn:aws:ecs:*:111111111111:task/*", "arn:aws:ecs:eu-west-1:222222222222:task/x")).toBe(false);
  });

  it("a literal pattern without wildcards matches only itself", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z:/-]{1,20}$/), fc.stringMatching(/^[a-z:/-]{1,20}$/), (pattern, value) => {
        expect(wildcardMatches(pattern, value)).toBe(pattern === value);
      }),
    );
  });

  it("lets an explicit Deny win and needs every condition", () => {
    const allow = {
      Effect: "Allow" as const,
      Action: "iam:PassRole",
      Resource: "arn:aws:iam::1:role/task",
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    };
    const request = { action: "iam:PassRole", resource: "arn:aws:iam::1:role/task" };
    expect(evaluateStatements([allow], request)).toBe("implicitly-denied");
    const passed = { ...request, conditionKeys: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } };
    expect(evaluateStatements([allow], passed)).toBe("allowed");
    expect(evaluateStatements([allow, { Effect: "Deny", Action: "iam:*", Resource: "*" }], passed)).toBe(
      "explicitly-denied",
    );
  });
});
