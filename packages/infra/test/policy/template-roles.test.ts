import { describe, expect, it } from "vitest";
import { type DeployedTemplate, IntrinsicResolutionError, isUnknown, TemplateResolver } from "./template-intrinsics.js";
import { rolesOfTemplates } from "./template-roles.js";

// Hand-written templates in the forms `cdk synth` writes: Fn::Join of pseudo parameters and
// Refs, Fn::GetAtt of named resources, a role whose policy is a separate AWS::IAM::Policy,
// a customer managed policy, and an export another stack imports.
const environment: DeployedTemplate = {
  stackName: "Env",
  account: "222222222222",
  region: "eu-west-1",
  template: {
    Resources: {
      Cluster: { Type: "AWS::ECS::Cluster", Properties: { ClusterName: "phoenix-production" } },
      Service: {
        Type: "AWS::ECS::Service",
        Properties: { Cluster: { Ref: "Cluster" }, ServiceName: "phoenix-production-web" },
      },
      Logs: { Type: "AWS::Logs::LogGroup", Properties: { LogGroupName: "/phoenix/phoenix/production" } },
      TaskRole: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: {} } },
      Deployer: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: "phoenix-production-deployer",
          AssumeRolePolicyDocument: {
            Statement: [
              {
                Effect: "Allow",
                Action: "sts:AssumeRole",
                Principal: { AWS: { "Fn::ImportValue": "ops-bot-role-arn" } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: "logs",
              PolicyDocument: {
                Statement: [
                  { Effect: "Allow", Action: "logs:FilterLogEvents", Resource: { "Fn::GetAtt": ["Logs", "Arn"] } },
                ],
              },
            },
          ],
          ManagedPolicyArns: [
            { Ref: "Managed" },
            { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":iam::aws:policy/ReadOnlyAccess"]] },
          ],
        },
      },
      DeployerPolicy: {
        Type: "AWS::IAM::Policy",
        Properties: {
          PolicyName: "DeployerPolicy",
          Roles: [{ Ref: "Deployer" }],
          PolicyDocument: {
            Statement: [
              {
                Effect: "Allow",
                Action: "ecs:UpdateService",
                Resource: {
                  "Fn::Join": [
                    "",
                    [
                      "arn:",
                      { Ref: "AWS::Partition" },
                      ":ecs:",
                      { Ref: "AWS::Region" },
                      ":",
                      { Ref: "AWS::AccountId" },
                      ":service/",
                      { Ref: "Cluster" },
                      "/",
                      { "Fn::GetAtt": ["Service", "Name"] },
                    ],
                  ],
                },
              },
              { Effect: "Allow", Action: "iam:PassRole", Resource: { "Fn::GetAtt": ["TaskRole", "Arn"] } },
            ],
          },
        },
      },
      Managed: {
        Type: "AWS::IAM::ManagedPolicy",
        Properties: {
          ManagedPolicyName: "phoenix-production-parameter",
          PolicyDocument: {
            Statement: [
              {
                Effect: "Allow",
                Action: "ssm:PutParameter",
                Resource: {
                  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
                  "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/phoenix/*",
                },
              },
            ],
          },
        },
      },
    },
  },
};

const ops: DeployedTemplate = {
  stackName: "Ops",
  account: "111111111111",
  region: "eu-west-1",
  template: {
    Resources: {
      Bot: { Type: "AWS::IAM::Role", Properties: { RoleName: "phoenix-ops-bot", AssumeRolePolicyDocument: {} } },
    },
    Outputs: {
      BotRoleArn: { Value: { "Fn::GetAtt": ["Bot", "Arn"] }, Export: { Name: "ops-bot-role-arn" } },
    },
  },
};

describe("resolving a template's intrinsic functions", () => {
  const resolver = new TemplateResolver([ops, environment]);

  it("builds ARNs from pseudo parameters, Refs and GetAtts of named resources", () => {
    expect(resolver.resolveString(environment, { "Fn::GetAtt": ["Service", "ServiceArn"] })).toBe(
      "arn:aws:ecs:eu-west-1:222222222222:service/phoenix-production/phoenix-production-web",
    );
    expect(resolver.resolveString(environment, { "Fn::GetAtt": "Logs.Arn" })).toBe(
      "arn:aws:logs:eu-west-1:222222222222:log-group:/phoenix/phoenix/production:*",
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
    expect(resolver.resolveString(environment, { "Fn::Sub": ["${Name}-x", { Name: { Ref: "Cluster" } }] })).toBe(
      "phoenix-production-x",
    );
    expect(resolver.resolveString(environment, { "Fn::Select": [1, { "Fn::Split": ["/", "service/a/b"] }] })).toBe("a");
  });

  it("resolves an import to the exporting stack's value, in that stack's account", () => {
    expect(resolver.resolveString(environment, { "Fn::ImportValue": "ops-bot-role-arn" })).toBe(
      "arn:aws:iam::111111111111:role/phoenix-ops-bot",
    );
  });

  it("marks a name CloudFormation would generate as unknown, so no ARN built from it matches", () => {
    expect(isUnknown(resolver.resolveString(environment, { "Fn::GetAtt": ["TaskRole", "Arn"] }))).toBe(true);
  });

  it("fails on a Ref to nothing and on an intrinsic it does not implement", () => {
    expect(() => resolver.resolve(environment, { Ref: "Missing" })).toThrow(IntrinsicResolutionError);
    expect(() => resolver.resolve(environment, { "Fn::If": ["C", "a", "b"] })).toThrow(IntrinsicResolutionError);
  });
});

describe("collecting each role's policies", () => {
  const roles = rolesOfTemplates([ops, environment]);
  const deployer = roles.find((role) => role.name === "phoenix-production-deployer");

  it("gathers inline policies, attached AWS::IAM::Policy and customer managed policies, all resolved", () => {
    expect(deployer?.arn).toBe("arn:aws:iam::222222222222:role/phoenix-production-deployer");
    expect(deployer?.policies.map((policy) => policy.name)).toEqual([
      "Env.Deployer inline logs",
      "Env.DeployerPolicy",
      "Env.Managed",
    ]);
    expect(JSON.stringify(deployer?.policies)).not.toMatch(/"Ref"|"Fn::/);
  });

  it("lists AWS managed policies it cannot read instead of dropping them silently", () => {
    expect(deployer?.unevaluatedManagedPolicies).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
  });

  it("resolves the trust policy too", () => {
    expect(JSON.stringify(deployer?.trustPolicy)).toContain("arn:aws:iam::111111111111:role/phoenix-ops-bot");
  });
});
