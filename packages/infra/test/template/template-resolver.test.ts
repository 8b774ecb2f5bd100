import { describe, expect, it } from "vitest";
import {
  type DeployedTemplate,
  isUnresolved,
  rolesOfTemplates,
  TemplateResolver,
  UnresolvableIntrinsicError,
} from "../../src/template/index.js";

// Hand-written templates in the forms `cdk synth` writes: Fn::Join of pseudo parameters and
// Refs, Fn::GetAtt of named resources, a role whose policy is a separate AWS::IAM::Policy,
// a customer managed policy, a role CloudFormation names with its own policy, a live-image
// parameter CloudFormation reads from SSM, and an export another stack imports.
const environment: DeployedTemplate = {
  stackName: "Env",
  account: "222222222222",
  region: "eu-west-1",
  template: {
    Parameters: {
      Image: { Type: "AWS::SSM::Parameter::Value<String>", Default: "/phoenix/phoenix/production/live-image" },
    },
    Resources: {
      Cluster: { Type: "AWS::ECS::Cluster", Properties: { ClusterName: "phoenix-production" } },
      Service: {
        Type: "AWS::ECS::Service",
        Properties: { Cluster: { Ref: "Cluster" }, ServiceName: "phoenix-production-web" },
      },
      Logs: { Type: "AWS::Logs::LogGroup", Properties: { LogGroupName: "/phoenix/phoenix/production" } },
      TaskRole: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: {} } },
      TaskRolePolicy: {
        Type: "AWS::IAM::Policy",
        Properties: {
          PolicyName: "TaskRolePolicy",
          Roles: [{ Ref: "TaskRole" }],
          PolicyDocument: { Statement: [{ Effect: "Allow", Action: "ssm:GetParameter", Resource: "*" }] },
        },
      },
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

  it("marks a name CloudFormation would generate as unresolved, the same for every reference to it", () => {
    const arn = resolver.resolveString(environment, { "Fn::GetAtt": ["TaskRole", "Arn"] });
    expect(isUnresolved(arn)).toBe(true);
    expect(resolver.resolveString(environment, { "Fn::GetAtt": "TaskRole.Arn" })).toBe(arn);
    expect(resolver.resolveString(environment, { Ref: "TaskRole" })).not.toBe(arn);
  });

  it("reads an SSM-typed parameter as CloudFormation's {{ssm:…}} reference, or takes the caller's value", () => {
    expect(resolver.resolve(environment, { Ref: "Image" })).toBe("{{ssm:/phoenix/phoenix/production/live-image}}");
    const given = new TemplateResolver([environment], { parameterValue: ({ name }) => `value of ${name}` });
    expect(given.resolve(environment, { Ref: "Image" })).toBe("value of Image");
  });

  it("takes the caller's value of a reference first (a name moto assigned), and its choice for unnamed resources", () => {
    const moto = new TemplateResolver([environment], {
      resourceValue: ({ logicalId, attribute }) =>
        logicalId === "Cluster" && attribute === "Arn" ? "arn:from:moto" : undefined,
      unnamedValue: ({ logicalId, type }) => {
        throw new Error(`${logicalId} (${type}) has no name`);
      },
    });
    expect(moto.resolve(environment, { "Fn::GetAtt": ["Cluster", "Arn"] })).toBe("arn:from:moto");
    expect(moto.resolve(environment, { Ref: "Cluster" })).toBe("phoenix-production");
    expect(() => moto.resolve(environment, { Ref: "TaskRole" })).toThrow("TaskRole (AWS::IAM::Role) has no name");
  });

  it("resolves every resource's properties, dropping AWS::NoValue", () => {
    const withNoValue: DeployedTemplate = {
      ...environment,
      template: {
        Resources: {
          Cluster: {
            Type: "AWS::ECS::Cluster",
            Properties: { ClusterName: { Ref: "AWS::StackName" }, Settings: [1, { Ref: "AWS::NoValue" }] },
          },
        },
      },
    };
    expect(new TemplateResolver([withNoValue]).resolveResources(withNoValue).Resources.Cluster).toEqual({
      Type: "AWS::ECS::Cluster",
      Properties: { ClusterName: "Env", Settings: [1] },
    });
  });

  it("fails on a Ref to nothing and on an intrinsic it does not implement, naming where", () => {
    expect(() => resolver.resolve(environment, { Ref: "Missing" })).toThrow(UnresolvableIntrinsicError);
    expect(() => resolver.resolve(environment, { A: { "Fn::Cidr": ["10.0.0.0/16", 2, 8] } })).toThrow(
      "Env.A.Fn::Cidr: Fn::Cidr is not an intrinsic",
    );
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

  it("gathers the policies of a role CloudFormation names, through the reference to it", () => {
    const taskRole = roles.find((role) => role.logicalId === "TaskRole");
    expect(taskRole?.policies.map((policy) => policy.name)).toEqual(["Env.TaskRolePolicy"]);
  });

  it("lists AWS managed policies it cannot read instead of dropping them silently", () => {
    expect(deployer?.unevaluatedManagedPolicies).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
  });

  it("resolves the trust policy too", () => {
    expect(JSON.stringify(deployer?.trustPolicy)).toContain("arn:aws:iam::111111111111:role/phoenix-ops-bot");
  });
});
