// The deployability suite: reads the synthesized templates of both layouts `pnpm synth` writes
// and proves what a first real deployment needs across stacks and accounts, then shows that each
// check catches the grant, policy or name it guards when a copy of the templates loses it.
import { afterAll, describe, expect, it } from "vitest";
import type { PhoenixTemplates } from "../../src/stack/phoenix-app.js";
import { cleanUpLayouts, LAYOUTS, synthesizedLayout } from "../support/phoenix-layouts.js";
import {
  deployerTrustProblems,
  eventRouteProblems,
  explicitNameClashes,
  explicitNames,
  imagePullProblems,
  resolveStacks,
} from "./checks.js";

// biome-ignore lint/suspicious/noExplicitAny: template JSON, edited by shape to remove one grant
type Json = any;

afterAll(() => cleanUpLayouts());

describe.each(LAYOUTS)("deployability of the %s layout", (layout) => {
  const synthesized = () => synthesizedLayout(layout);
  const stacks = () => resolveStacks(synthesized().templates);

  it("creates no two resources of one type under one explicit name in one account", () => {
    expect(explicitNameClashes(stacks())).toEqual([]);
  });

  it("finds the explicit names of every kind the stacks create (the check is not vacuous)", () => {
    const kinds = new Set(explicitNames(stacks()).map((name) => `${name.type} ${name.property}`));
    for (const kind of [
      "AWS::IAM::Role RoleName",
      "AWS::Lambda::Function FunctionName",
      "AWS::DynamoDB::Table TableName",
      "AWS::ECR::Repository RepositoryName",
      "AWS::CodeBuild::Project Name",
      "AWS::Events::EventBus Name",
      "AWS::ECS::Cluster ClusterName",
      "AWS::ECS::Service ServiceName",
      "AWS::ECS::TaskDefinition Family",
      "AWS::Logs::LogGroup LogGroupName",
      "AWS::SNS::Topic TopicName",
      "AWS::CloudWatch::Alarm AlarmName",
      "AWS::SSM::Parameter Name",
      "AWS::ElasticLoadBalancingV2::TargetGroup Name",
    ]) {
      expect(kinds, kind).toContain(kind);
    }
  });

  it("lets every environment's execution role pull from the ops repository", () => {
    expect(imagePullProblems(stacks(), synthesized().config)).toEqual([]);
  });

  it("lets the bot's role assume every deployer role, and nothing else assume one", () => {
    expect(deployerTrustProblems(stacks(), synthesized().config)).toEqual([]);
  });

  it("routes every event kind the bot handles from each environment to the bot, labelled", () => {
    expect(eventRouteProblems(stacks(), synthesized().config)).toEqual([]);
  });
});

describe("the deployability suite catches what it guards", () => {
  const twoAccounts = () => synthesizedLayout("two-accounts");
  /** A deep copy of the two-accounts templates, changed by `edit`. */
  function editedCopy(edit: (templates: Record<string, { template: { Resources: Record<string, Json> } }>) => void) {
    const copy = structuredClone(twoAccounts().templates) as unknown as Record<
      string,
      { template: { Resources: Record<string, Json> } }
    >;
    edit(copy);
    return resolveStacks(copy as unknown as PhoenixTemplates);
  }
  const resourcesOf = (templates: Record<string, { template: { Resources: Record<string, Json> } }>, stack: string) =>
    Object.values(templates[stack]?.template.Resources ?? {});

  it("reports the bot's role unable to assume the deployer roles when its sts:AssumeRole grant is removed", () => {
    const stacks = editedCopy((templates) => {
      for (const policy of resourcesOf(templates, "Phoenix-ops").filter((r) => r.Type === "AWS::IAM::Policy")) {
        const document = policy.Properties.PolicyDocument;
        document.Statement = document.Statement.filter((s: { Action: unknown }) => s.Action !== "sts:AssumeRole");
      }
    });
    expect(deployerTrustProblems(stacks, twoAccounts().config)).toEqual([
      "the ops bot's role may not assume arn:aws:iam::111111111111:role/phoenix-staging-deployer",
      "the ops bot's role may not assume arn:aws:iam::222222222222:role/phoenix-production-deployer",
    ]);
  });

  it("reports a deployer role that trusts the whole ops account instead of the bot's role", () => {
    const stacks = editedCopy((templates) => {
      const role = resourcesOf(templates, "Phoenix-production").find(
        (r) => r.Properties?.RoleName === "phoenix-production-deployer",
      );
      role.Properties.AssumeRolePolicyDocument.Statement[0].Principal = { AWS: "arn:aws:iam::111111111111:root" };
    });
    expect(deployerTrustProblems(stacks, twoAccounts().config)).toEqual([
      'Phoenix-production: deployer role phoenix-production-deployer trusts ["arn:aws:iam::111111111111:root"], not exactly arn:aws:iam::111111111111:role/phoenix-ops-bot',
    ]);
  });

  it("reports production's account unable to pull when the repository policy is removed", () => {
    const stacks = editedCopy((templates) => {
      for (const repository of resourcesOf(templates, "Phoenix-ops").filter((r) => r.Type === "AWS::ECR::Repository")) {
        delete repository.Properties.RepositoryPolicyText;
      }
    });
    expect(imagePullProblems(stacks, twoAccounts().config)).toEqual([
      "the ops repository's policy does not let account 222222222222 ecr:BatchGetImage",
      "the ops repository's policy does not let account 222222222222 ecr:GetDownloadUrlForLayer",
      "the ops repository's policy does not let account 222222222222 ecr:BatchCheckLayerAvailability",
    ]);
  });

  it("reports the execution role unable to pull when its identity grant is removed", () => {
    const stacks = editedCopy((templates) => {
      for (const policy of resourcesOf(templates, "Phoenix-staging").filter((r) => r.Type === "AWS::IAM::Policy")) {
        const document = policy.Properties.PolicyDocument;
        document.Statement = document.Statement.filter(
          (s: { Action: unknown }) => !JSON.stringify(s.Action).includes("ecr:BatchGetImage"),
        );
      }
    });
    const problems = imagePullProblems(stacks, twoAccounts().config);
    expect(problems).toHaveLength(3);
    for (const problem of problems) {
      expect(problem).toMatch(
        /^Phoenix-staging: execution role \w+ may not ecr:\w+ on arn:aws:ecr:eu-west-1:111111111111:repository\/phoenix\/phoenix$/,
      );
    }
  });

  it("reports every production event stopped at the ops bus when the bus policy is removed", () => {
    const stacks = editedCopy((templates) => {
      const ops = templates["Phoenix-ops"]?.template.Resources ?? {};
      for (const [id, resource] of Object.entries(ops)) {
        if (resource.Type === "AWS::Events::EventBusPolicy") delete ops[id];
      }
    });
    expect(eventRouteProblems(stacks, twoAccounts().config)).toEqual(
      [
        "task stopped",
        "deployment state change",
        "alarm cpuHigh",
        "alarm http5xx",
        "alarm unhealthyHosts",
        "alarm elb5xx",
      ].map((kind) => `Phoenix-production: ${kind}: the ops bus's policy does not admit account 222222222222`),
    );
  });

  it("reports an alarm that no environment rule forwards", () => {
    const stacks = editedCopy((templates) => {
      for (const rule of resourcesOf(templates, "Phoenix-staging").filter((r) => r.Type === "AWS::Events::Rule")) {
        const resources = rule.Properties.EventPattern.resources;
        if (resources) rule.Properties.EventPattern.resources = resources.slice(0, 3);
      }
    });
    expect(eventRouteProblems(stacks, twoAccounts().config)).toEqual([
      "Phoenix-staging: alarm elb5xx is not forwarded to arn:aws:events:eu-west-1:111111111111:event-bus/phoenix-ops-events by a rule of its default bus",
    ]);
  });

  it("reports a production event labelled as staging on the ops bus", () => {
    const stacks = editedCopy((templates) => {
      for (const rule of resourcesOf(templates, "Phoenix-ops").filter((r) => r.Type === "AWS::Events::Rule")) {
        for (const target of rule.Properties.Targets ?? []) {
          const transformer = target.InputTransformer;
          if (transformer?.InputTemplate.includes('"environment":"production"')) {
            transformer.InputTemplate = transformer.InputTemplate.replace('"production"', '"staging"');
          }
        }
      }
    });
    const problems = eventRouteProblems(stacks, twoAccounts().config);
    expect(problems).toHaveLength(6);
    for (const problem of problems) {
      expect(problem).toMatch(
        /^Phoenix-production: .* reaches the bot through \w+ labelled .*staging.*, not \{"phoenixOps":\{"environment":"production"/,
      );
    }
  });

  it("reports two stacks creating the same name in one account", () => {
    const stacks = editedCopy((templates) => {
      const staging = resourcesOf(templates, "Phoenix-staging").find((r) => r.Type === "AWS::ECS::Cluster");
      staging.Properties.ClusterName = "phoenix-shared";
      const ops = templates["Phoenix-ops"]?.template.Resources ?? {};
      ops.ExtraCluster = { Type: "AWS::ECS::Cluster", Properties: { ClusterName: "phoenix-shared" } };
    });
    expect(explicitNameClashes(stacks)).toEqual([
      expect.stringMatching(
        /^AWS::ECS::Cluster ClusterName "phoenix-shared" is created by Phoenix-ops \(ExtraCluster\) and Phoenix-staging \(\w+\) in account 111111111111 eu-west-1$/,
      ),
    ]);
  });
});
