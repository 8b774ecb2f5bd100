import { DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { GetRoleCommand, GetRolePolicyCommand } from "@aws-sdk/client-iam";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type CloudFormationTemplate, referencedLogicalIds } from "@phoenix/infra";
import { EVENT_DETAIL_TYPES, EVENT_SOURCES, opsResourceNames } from "@phoenix/shared";
import { beforeAll, describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../test-support/moto.js";
import {
  MOTO_DEFAULT_ACCOUNT,
  type MotoAccountClients,
  motoAccountClients,
  SANDBOX_PRODUCTION_ACCOUNT,
} from "../../src/aws/moto-accounts.js";
import { ecsApiShape, seedStackFromTemplate, TemplateSeedError } from "../../src/cloudformation/seed-from-template.js";
import { resourcesOfType } from "../../src/cloudformation/template.js";
import {
  type SeededEnvironment,
  type SeededTopology,
  sandboxPhoenixConfig,
  seedSandboxTopology,
} from "../../src/topology/sandbox-topology.js";

/**
 * The sandbox's moto, seeded from the stacks @phoenix/infra synthesizes (ops and staging in
 * moto's default account, production in a second one), read back through moto's own APIs and
 * compared with the templates: what the sandbox runs is the production topology, not a copy.
 */
const aws = motoClientConfig();
const app = "sandbox-seed";
const repository = "phoenix-sandbox/phoenix";
const digest = `sha256:${"5e".repeat(32)}`;
const firstImageUri = `127.0.0.1:5000/phoenix/${app}@${digest}`;

let topology: SeededTopology;
let production: SeededEnvironment;
let productionAws: MotoAccountClients;

function templateOf(stackName: string): CloudFormationTemplate {
  const stack = topology.templates[stackName];
  if (!stack) throw new Error(`no template ${stackName}`);
  return stack.template;
}

function only<T>(items: readonly T[], what: string): T {
  const [first] = items;
  if (items.length !== 1 || first === undefined) throw new Error(`expected one ${what}, got ${items.length}`);
  return first;
}

const holdsIntrinsic = (value: unknown) =>
  referencedLogicalIds(value).size > 0 || JSON.stringify(value).includes('"Fn::');

beforeAll(async () => {
  const config = sandboxPhoenixConfig({
    app,
    gitHubRepository: repository,
    region: aws.region,
    accounts: {
      ops: MOTO_DEFAULT_ACCOUNT,
      environments: { staging: MOTO_DEFAULT_ACCOUNT, production: SANDBOX_PRODUCTION_ACCOUNT },
    },
    firstImageDigest: digest,
  });
  topology = await seedSandboxTopology(aws, config, firstImageUri);
  production = topology.environments.find((environment) => environment.name === "production") as SeededEnvironment;
  productionAws = motoAccountClients(aws, SANDBOX_PRODUCTION_ACCOUNT);
}, 120_000);

describe("moto seeded from the synthesized production topology", () => {
  it("puts staging in the ops account and production in the second account", () => {
    expect(topology.environments.map(({ name, account }) => [name, account])).toEqual([
      ["staging", MOTO_DEFAULT_ACCOUNT],
      ["production", SANDBOX_PRODUCTION_ACCOUNT],
    ]);
    expect(production.stack.account).toBe(SANDBOX_PRODUCTION_ACCOUNT);
  });

  it("registers in production's account the task definition the template declares, field by field, running the live image", async () => {
    const [, resource] = only(
      resourcesOfType(templateOf("Phoenix-production"), "AWS::ECS::TaskDefinition"),
      "task definition",
    );
    const declared = resource.Properties as Record<string, unknown> & {
      ContainerDefinitions: Record<string, unknown>[];
    };
    const seededArn = only(production.stack.ofType("AWS::ECS::TaskDefinition"), "seeded task definition").physicalId;
    const { taskDefinition } = await productionAws.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: seededArn }),
    );
    expect(taskDefinition?.taskDefinitionArn).toMatch(
      new RegExp(`^arn:aws:ecs:${aws.region}:${SANDBOX_PRODUCTION_ACCOUNT}:`),
    );
    const { Parameter } = await productionAws.ssm.send(
      new GetParameterCommand({ Name: production.names.liveImageParameter }),
    );

    // Every field the template writes literally is in moto as written; the others are named here.
    const registered = taskDefinition as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(declared)) {
      const apiField = `${field.charAt(0).toLowerCase()}${field.slice(1)}`;
      if (field === "ContainerDefinitions" || field === "ExecutionRoleArn" || field === "TaskRoleArn") continue;
      expect(holdsIntrinsic(value), `${field} is literal`).toBe(false);
      expect(registered[apiField], field).toEqual(ecsApiShape(value));
    }
    for (const roleField of ["executionRoleArn", "taskRoleArn"]) {
      expect(registered[roleField]).toMatch(new RegExp(`^arn:aws:iam::${SANDBOX_PRODUCTION_ACCOUNT}:role/`));
    }

    const template = only(declared.ContainerDefinitions, "container");
    const container = only(taskDefinition?.containerDefinitions ?? [], "registered container") as Record<
      string,
      unknown
    >;
    const resolvedHere: Record<string, (registeredValue: unknown) => void> = {
      // The live-image parameter (a CloudFormation parameter of type AWS::SSM::Parameter::Value<String>).
      Image: (image) => {
        expect(image).toBe(Parameter?.Value);
        expect(image).toBe(firstImageUri);
      },
      LogConfiguration: (logConfiguration) => {
        const { LogDriver, Options } = template.LogConfiguration as {
          LogDriver: string;
          Options: Record<string, unknown>;
        };
        const literalOptions = Object.fromEntries(
          Object.entries(Options).filter(([, option]) => !holdsIntrinsic(option)),
        );
        expect(logConfiguration).toEqual({
          logDriver: LogDriver,
          options: { ...literalOptions, "awslogs-group": production.names.logGroup },
        });
      },
      Environment: (environment) => {
        const declaredVariables = template.Environment as { Name: string; Value: unknown }[];
        expect((environment as { name: string }[]).map((variable) => variable.name)).toEqual(
          declaredVariables.map((variable) => variable.Name),
        );
        for (const variable of declaredVariables.filter(({ Value }) => !holdsIntrinsic(Value))) {
          expect(environment).toContainEqual({ name: variable.Name, value: variable.Value });
        }
      },
      Secrets: (secrets) => {
        expect((secrets as { name: string }[]).map((secret) => secret.name)).toEqual(
          (template.Secrets as { Name: string }[]).map((secret) => secret.Name),
        );
      },
    };
    for (const [field, value] of Object.entries(template)) {
      const apiField = `${field.charAt(0).toLowerCase()}${field.slice(1)}`;
      const check = resolvedHere[field];
      if (check) check(container[apiField]);
      else {
        expect(holdsIntrinsic(value), `container field ${field} is literal`).toBe(false);
        expect(container[apiField], `container field ${field}`).toEqual(ecsApiShape(value));
      }
    }
  });

  it("creates the service on that task definition, and its scalable target with the template's bounds", async () => {
    const { services } = await productionAws.ecs.send(
      new DescribeServicesCommand({ cluster: production.names.cluster, services: [production.names.service] }),
    );
    expect(services?.[0]?.status).toBe("ACTIVE");
    expect(services?.[0]?.taskDefinition).toBe(
      only(production.stack.ofType("AWS::ECS::TaskDefinition"), "td").physicalId,
    );

    const [, target] = only(
      resourcesOfType(templateOf("Phoenix-production"), "AWS::ApplicationAutoScaling::ScalableTarget"),
      "scalable target",
    );
    const { ScalableTargets } = await productionAws.autoScaling.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: "ecs",
        ResourceIds: [`service/${production.names.cluster}/${production.names.service}`],
      }),
    );
    expect(ScalableTargets?.[0]).toMatchObject({
      MinCapacity: target.Properties?.MinCapacity,
      MaxCapacity: target.Properties?.MaxCapacity,
    });
    expect([target.Properties?.MinCapacity, target.Properties?.MaxCapacity]).toEqual([
      topology.config.environments.production?.minTasks,
      topology.config.environments.production?.maxTasks,
    ]);
  });

  it("creates the named alarms with the template's metric, namespace, statistic, threshold and periods", async () => {
    const alarms = resourcesOfType(templateOf("Phoenix-production"), "AWS::CloudWatch::Alarm")
      .map(([, resource]) => resource.Properties as Record<string, unknown>)
      .filter((properties) => typeof properties.AlarmName === "string");
    expect(alarms.map((alarm) => alarm.AlarmName).sort()).toEqual(Object.values(production.names.alarms).sort());
    const { MetricAlarms } = await productionAws.cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNames: alarms.map((alarm) => alarm.AlarmName as string) }),
    );
    for (const declared of alarms) {
      const created = MetricAlarms?.find((alarm) => alarm.AlarmName === declared.AlarmName);
      const literal = Object.fromEntries(
        ["MetricName", "Namespace", "Statistic", "Threshold", "Period", "EvaluationPeriods", "ComparisonOperator"].map(
          (key) => [key, declared[key]],
        ),
      );
      expect(created, String(declared.AlarmName)).toMatchObject(literal);
      const dimensions = Object.fromEntries((created?.Dimensions ?? []).map(({ Name, Value }) => [Name, Value]));
      expect(Object.keys(dimensions).sort()).toEqual(
        (declared.Dimensions as { Name: string }[]).map((dimension) => dimension.Name).sort(),
      );
      // References to the load balancer and target group resolve to stable values shaped as AWS's.
      if ("ClusterName" in dimensions) expect(dimensions).toMatchObject({ ClusterName: production.names.cluster });
      if ("ServiceName" in dimensions) expect(dimensions).toMatchObject({ ServiceName: production.names.service });
      if ("LoadBalancer" in dimensions) expect(dimensions.LoadBalancer).toMatch(/^app\/[\w-]+\/[0-9a-f]{16}$/);
      if ("TargetGroup" in dimensions) expect(dimensions.TargetGroup).toMatch(/^targetgroup\/[\w-]+\/[0-9a-f]{16}$/);
    }
  });

  it("creates the log group with the template's retention", async () => {
    const [, group] = only(
      resourcesOfType(templateOf("Phoenix-production"), "AWS::Logs::LogGroup").filter(
        ([, resource]) => resource.Properties?.LogGroupName === production.names.logGroup,
      ),
      "app log group",
    );
    const { logGroups } = await productionAws.logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: production.names.logGroup }),
    );
    expect(logGroups?.find((g) => g.logGroupName === production.names.logGroup)?.retentionInDays).toBe(
      group.Properties?.RetentionInDays,
    );
  });

  it("creates the deployer role in production's account, trusting only the bot's role from the ops template", async () => {
    const botRole = opsResourceNames(app).botRole;
    const botRoleArn = `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT}:role/${botRole}`;
    const { Role: bot } = await motoAccountClients(aws, MOTO_DEFAULT_ACCOUNT).iam.send(
      new GetRoleCommand({ RoleName: botRole }),
    );
    expect(bot?.Arn).toBe(botRoleArn);

    const { Role } = await productionAws.iam.send(new GetRoleCommand({ RoleName: production.names.deployerRole }));
    expect(Role?.Arn).toBe(`arn:aws:iam::${SANDBOX_PRODUCTION_ACCOUNT}:role/${production.names.deployerRole}`);
    expect(production.deployerRoleArn).toBe(Role?.Arn);
    const trust = JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? "{}"));
    expect(trust.Statement).toEqual([{ Action: "sts:AssumeRole", Effect: "Allow", Principal: { AWS: botRoleArn } }]);

    const [policyId, policy] = only(
      resourcesOfType(templateOf("Phoenix-production"), "AWS::IAM::Policy").filter(([, resource]) =>
        JSON.stringify(resource.Properties?.Roles).includes("Deployer"),
      ),
      "deployer policy",
    );
    const { PolicyDocument } = await productionAws.iam.send(
      new GetRolePolicyCommand({
        RoleName: production.names.deployerRole,
        PolicyName: policy.Properties?.PolicyName as string,
      }),
    );
    const granted = JSON.parse(decodeURIComponent(PolicyDocument ?? "{}"));
    expect(granted).toEqual(production.stack.resources.get(policyId)?.properties.PolicyDocument);
    expect(granted.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat())).toContain(
      "ecs:UpdateService",
    );
  });

  it("lets the bot reach production only by assuming the deployer role through moto's STS", async () => {
    const botCredentials = aws; // the sandbox's own keys: moto's default account, as the bot signs
    const sts = new STSClient(botCredentials);
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: production.deployerRoleArn, RoleSessionName: "phoenix-ops-bot" }),
    );
    const assumed = {
      ...botCredentials,
      credentials: {
        accessKeyId: Credentials?.AccessKeyId as string,
        secretAccessKey: Credentials?.SecretAccessKey as string,
        sessionToken: Credentials?.SessionToken as string,
      },
    };
    expect((await new STSClient(assumed).send(new GetCallerIdentityCommand({}))).Account).toBe(
      SANDBOX_PRODUCTION_ACCOUNT,
    );
    const lookUp = (client: ECSClient) =>
      client.send(
        new DescribeServicesCommand({ cluster: production.names.cluster, services: [production.names.service] }),
      );
    expect((await lookUp(new ECSClient(assumed))).services?.[0]?.serviceName).toBe(production.names.service);
    // Without the role, the bot's own keys act in the ops account, where production's cluster is not.
    await expect(lookUp(new ECSClient(botCredentials))).rejects.toThrow(/Cluster not found/);
  });

  it("creates the ops repository, immutable tags, in the ops account from the ops template", async () => {
    const { repositories } = await motoAccountClients(aws, MOTO_DEFAULT_ACCOUNT).ecr.send(
      new DescribeRepositoriesCommand({ repositoryNames: [opsResourceNames(app).repository] }),
    );
    expect(repositories?.[0]?.imageTagMutability).toBe("IMMUTABLE");
  });

  it("routes each environment's events to the bot, labelled with that environment, through both stacks' rules", () => {
    for (const environment of topology.environments) {
      const base = {
        version: "0",
        id: "e",
        account: environment.account,
        region: aws.region,
        time: "2026-01-01T00:00:00Z",
      };
      const clusterArn = `arn:aws:ecs:${aws.region}:${environment.account}:cluster/${environment.names.cluster}`;
      const serviceArn = `arn:aws:ecs:${aws.region}:${environment.account}:service/${environment.names.cluster}/${environment.names.service}`;
      const events = [
        {
          ...base,
          source: EVENT_SOURCES.ecs,
          "detail-type": EVENT_DETAIL_TYPES.ecsTaskStateChange,
          resources: [],
          detail: { clusterArn, lastStatus: "STOPPED" },
        },
        {
          ...base,
          source: EVENT_SOURCES.ecs,
          "detail-type": EVENT_DETAIL_TYPES.ecsDeploymentStateChange,
          resources: [serviceArn],
          detail: { eventName: "SERVICE_DEPLOYMENT_COMPLETED" },
        },
        ...Object.values(environment.names.alarms).map((alarm) => ({
          ...base,
          source: EVENT_SOURCES.cloudwatch,
          "detail-type": EVENT_DETAIL_TYPES.cloudWatchAlarmStateChange,
          resources: [`arn:aws:cloudwatch:${aws.region}:${environment.account}:alarm:${alarm}`],
          detail: { alarmName: alarm },
        })),
      ];
      for (const event of events) {
        const deliveries = topology.events.route(event);
        expect(deliveries, `${environment.name}: ${event["detail-type"]}`).toHaveLength(1);
        expect(JSON.parse(deliveries[0]?.input ?? "")).toEqual({
          phoenixOps: { environment: environment.name, repository },
          event,
        });
        expect(deliveries[0]?.route).toEqual([
          `${environment.account}:event-bus/default`,
          expect.stringMatching(new RegExp(`^Phoenix-${environment.name}/EventForwarding`)),
          `${MOTO_DEFAULT_ACCOUNT}:event-bus/${opsResourceNames(app).eventBus}`,
          expect.stringMatching(/^Phoenix-ops\/Events/),
          "bot",
        ]);
      }
      // A stopped task of a cluster no stack declares goes nowhere.
      expect(
        topology.events.route({ ...events[0], detail: { clusterArn: `${clusterArn}-other`, lastStatus: "STOPPED" } }),
      ).toEqual([]);
    }
  });

  it("refuses a template with a resource type it neither seeds nor plays locally, naming it", async () => {
    const template = { Resources: { Queue: { Type: "AWS::MQ::Broker", Properties: {} } } };
    await expect(seedStackFromTemplate({ stackName: "Unknown", template }, productionAws)).rejects.toThrow(
      new TemplateSeedError(
        "Unknown: Queue is a AWS::MQ::Broker, which the sandbox neither creates in moto nor plays locally; add a seeder (cloudformation/seed-from-template.ts) or a reason (cloudformation/played-locally.ts)",
      ),
    );
  });

  // Last: it changes what the tests above read.
  it("follows the template: a changed threshold and stop timeout in the template are what moto holds after a seed", async () => {
    const changed = structuredClone(templateOf("Phoenix-production")) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const cpuAlarm = Object.values(changed.Resources).find(
      (resource) => resource.Properties?.AlarmName === production.names.alarms.cpuHigh,
    );
    const taskDefinition = Object.values(changed.Resources).find(
      (resource) => resource.Type === "AWS::ECS::TaskDefinition",
    );
    if (!cpuAlarm || !taskDefinition) throw new Error("the template lost its CPU alarm or task definition");
    cpuAlarm.Properties.Threshold = 42;
    (taskDefinition.Properties.ContainerDefinitions as Record<string, unknown>[])[0] = {
      ...(taskDefinition.Properties.ContainerDefinitions as Record<string, unknown>[])[0],
      StopTimeout: 21,
    };
    const reseeded = await seedStackFromTemplate(
      { stackName: "Phoenix-production", template: changed as unknown as CloudFormationTemplate },
      productionAws,
    );
    const { MetricAlarms } = await productionAws.cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [production.names.alarms.cpuHigh] }),
    );
    expect(MetricAlarms?.[0]?.Threshold).toBe(42);
    const { taskDefinition: registered } = await productionAws.ecs.send(
      new DescribeTaskDefinitionCommand({
        taskDefinition: only(reseeded.ofType("AWS::ECS::TaskDefinition"), "td").physicalId,
      }),
    );
    expect(registered?.containerDefinitions?.[0]?.stopTimeout).toBe(21);
  });
});
