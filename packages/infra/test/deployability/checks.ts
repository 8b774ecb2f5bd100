/**
 * What must hold across all stacks of one installation for its first real deployment to work,
 * read from the synthesized templates alone (intrinsics resolved with each stack's account and
 * region). Each check returns the problems it finds, one sentence each; none means it holds.
 */
import { labelledEventInputTemplate, opsResourceNames, resourceNames } from "@phoenix/shared";
import type { PhoenixConfig } from "../../src/config/phoenix-config.js";
import { IMAGE_PULL_ACTIONS } from "../../src/delivery/image-repository.js";
import type {
  CloudFormationResource,
  CloudFormationTemplate,
  PhoenixTemplates,
  SynthesizedPhoenixStack,
} from "../../src/stack/phoenix-app.js";
import {
  type AuthorizationRequest,
  awsPrincipals,
  documentStatements,
  evaluate,
  isUnresolved,
  matchesEventPattern,
  matchesWildcard,
  type PolicyStatement,
  resourcePolicyDecision,
  roleByLogicalId,
  rolesOfTemplates,
  TemplateResolver,
  type TemplateRole,
} from "../../src/template/index.js";
import { sampleEnvironmentEvents } from "./sample-events.js";

// biome-ignore lint/suspicious/noExplicitAny: template properties are JSON read by shape; every value is checked where used
type Json = any;

/** A stack with its template resolved; `raw` keeps the intrinsics (logical-id references). */
export interface ResolvedStack {
  readonly stack: SynthesizedPhoenixStack;
  readonly resolved: CloudFormationTemplate;
  readonly raw: CloudFormationTemplate;
  /** Every role of the installation, its policies resolved. */
  readonly roles: readonly TemplateRole[];
  /** A value of this stack's template, resolved as `resolved` is. */
  resolve(value: unknown): unknown;
}

export function resolveStacks(templates: PhoenixTemplates): ResolvedStack[] {
  const stacks = Object.values(templates);
  const resolver = new TemplateResolver(stacks);
  const roles = rolesOfTemplates(stacks, resolver);
  return stacks.map((stack) => ({
    stack,
    raw: stack.template,
    resolved: resolver.resolveResources(stack),
    roles,
    resolve: (value) => resolver.resolve(stack, value),
  }));
}

/** Whether the identity policies of role `roleId` of `stack` allow `request`. */
function roleAllows(stack: ResolvedStack, roleId: string, request: AuthorizationRequest): boolean {
  const role = roleByLogicalId(stack.roles, stack.stack.stackName, roleId);
  return role !== undefined && evaluate(role.policies, request).effect === "allow";
}

const resourcesOf = (template: CloudFormationTemplate, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
const props = (resource: CloudFormationResource | undefined) => (resource?.Properties ?? {}) as Record<string, Json>;
const list = <T>(value: T | readonly T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? [...(value as T[])] : [value as T];

/** The logical id a raw `{ "Fn::GetAtt": [id, "Arn"] }` or `{ Ref: id }` points at. */
function referencedId(value: unknown): string | undefined {
  const node = value as { Ref?: string; "Fn::GetAtt"?: [string, string] } | undefined;
  return node?.["Fn::GetAtt"]?.[0] ?? node?.Ref;
}

// ── explicit names ─────────────────────────────────────────────────────────────────────────────

/**
 * `…Name` properties that are not the name of the resource they sit on: references to another
 * resource, or names scoped below the account (an inline policy's name is unique per role).
 */
const NOT_A_RESOURCE_NAME: Readonly<Record<string, readonly string[]>> = {
  "AWS::ApplicationAutoScaling::ScalingPolicy": ["PolicyName"], // unique per scalable target
  "AWS::IAM::Policy": ["PolicyName"], // unique per role it is attached to
  "AWS::CloudWatch::Alarm": ["MetricName"], // the metric watched
  "AWS::EC2::VPCEndpoint": ["ServiceName"], // the AWS service reached
  "AWS::EC2::FlowLog": ["LogGroupName"], // its destination
  "AWS::DocDB::DBInstance": ["DBClusterIdentifier"], // the cluster it joins
  "AWS::DocDB::DBCluster": ["DBSubnetGroupName", "DBClusterParameterGroupName"],
  "AWS::Events::Rule": ["EventBusName"], // the bus it listens on
  "AWS::Events::EventBusPolicy": ["EventBusName"],
  "AWS::Lambda::Permission": ["FunctionName"], // the function it opens
};

export interface ExplicitName {
  readonly stackName: string;
  readonly account: string;
  /** Empty for IAM, whose names are global to the account. */
  readonly region: string;
  readonly type: string;
  readonly property: string;
  readonly value: string;
  readonly logicalId: string;
}

/** Every explicit name a stack's resources are created under. */
export function explicitNames(stacks: readonly ResolvedStack[]): ExplicitName[] {
  return stacks.flatMap(({ stack, resolved }) =>
    Object.entries(resolved.Resources).flatMap(([logicalId, resource]) =>
      Object.entries(props(resource))
        .filter(
          ([property, value]) =>
            (property.endsWith("Name") ||
              property === "DBClusterIdentifier" ||
              property === "DBInstanceIdentifier" ||
              (resource.Type === "AWS::ECS::TaskDefinition" && property === "Family")) &&
            !NOT_A_RESOURCE_NAME[resource.Type]?.includes(property) &&
            typeof value === "string" &&
            !isUnresolved(value),
        )
        .map(([property, value]) => ({
          stackName: stack.stackName,
          account: stack.account,
          region: resource.Type.startsWith("AWS::IAM::") ? "" : stack.region,
          type: resource.Type,
          property,
          value: value as string,
          logicalId,
        })),
    ),
  );
}

/** Two resources of one type created under one name in one account (and region, but for IAM). */
export function explicitNameClashes(stacks: readonly ResolvedStack[]): string[] {
  const byKey = new Map<string, ExplicitName[]>();
  for (const name of explicitNames(stacks)) {
    const key = [name.account, name.region, name.type, name.property, name.value].join("|");
    byKey.set(key, [...(byKey.get(key) ?? []), name]);
  }
  return [...byKey.values()]
    .filter((names) => names.length > 1)
    .map((names) => {
      const [first] = names as [ExplicitName];
      const where = `account ${first.account}${first.region ? ` ${first.region}` : ""}`;
      const owners = names.map((name) => `${name.stackName} (${name.logicalId})`).join(" and ");
      return `${first.type} ${first.property} "${first.value}" is created by ${owners} in ${where}`;
    });
}

// ── the ops stack's parts ─────────────────────────────────────────────────────────────────────

interface OpsParts {
  readonly ops: ResolvedStack;
  readonly repositoryArn: string | undefined;
  readonly repositoryPolicy: unknown;
  readonly botRoleId: string | undefined;
  readonly botRoleArn: string;
  readonly botFunctionArn: string | undefined;
  readonly busName: string;
  readonly busArn: string | undefined;
}

function opsParts(stacks: readonly ResolvedStack[], config: PhoenixConfig): OpsParts {
  const ops = stacks.find(({ stack }) => stack.kind === "ops");
  if (!ops) throw new Error("no ops stack among the templates");
  const names = opsResourceNames(config.app);
  const { account } = ops.stack;
  const [repositoryId, repository] =
    resourcesOf(ops.resolved, "AWS::ECR::Repository").find(([, r]) => props(r).RepositoryName === names.repository) ??
    [];
  const [botRoleId] =
    resourcesOf(ops.resolved, "AWS::IAM::Role").find(([, r]) => props(r).RoleName === names.botRole) ?? [];
  const [functionId] =
    resourcesOf(ops.resolved, "AWS::Lambda::Function").find(([, r]) => props(r).FunctionName === names.botFunction) ??
    [];
  const [busId] =
    resourcesOf(ops.resolved, "AWS::Events::EventBus").find(([, r]) => props(r).Name === names.eventBus) ?? [];
  const arnOf = (id: string | undefined) =>
    id === undefined ? undefined : (ops.resolve({ "Fn::GetAtt": [id, "Arn"] }) as string);
  return {
    ops,
    repositoryArn: arnOf(repositoryId),
    repositoryPolicy: props(repository).RepositoryPolicyText,
    botRoleId,
    botRoleArn: `arn:aws:iam::${account}:role/${names.botRole}`,
    botFunctionArn: arnOf(functionId),
    busName: names.eventBus,
    busArn: arnOf(busId),
  };
}

const environmentStacks = (stacks: readonly ResolvedStack[]) =>
  stacks.filter(({ stack }) => stack.kind === "environment");

// ── pulling images ────────────────────────────────────────────────────────────────────────────

/** Every task definition's execution role may pull from the ops repository, by both policies. */
export function imagePullProblems(stacks: readonly ResolvedStack[], config: PhoenixConfig): string[] {
  const { repositoryArn, repositoryPolicy, ops } = opsParts(stacks, config);
  if (!repositoryArn) return [`the ops stack creates no repository named ${opsResourceNames(config.app).repository}`];
  const problems: string[] = [];
  for (const environment of environmentStacks(stacks)) {
    const { stackName, account } = environment.stack;
    const taskDefinitions = resourcesOf(environment.raw, "AWS::ECS::TaskDefinition");
    if (taskDefinitions.length === 0) problems.push(`${stackName} has no task definition`);
    for (const [taskDefinitionId, taskDefinition] of taskDefinitions) {
      const roleId = referencedId(props(taskDefinition).ExecutionRoleArn);
      if (!roleId) {
        problems.push(`${stackName}: ${taskDefinitionId} has no execution role of the stack`);
        continue;
      }
      for (const action of IMAGE_PULL_ACTIONS) {
        if (!roleAllows(environment, roleId, { action, resource: repositoryArn })) {
          problems.push(`${stackName}: execution role ${roleId} may not ${action} on ${repositoryArn}`);
        }
      }
      if (!roleAllows(environment, roleId, { action: "ecr:GetAuthorizationToken", resource: "*" })) {
        problems.push(`${stackName}: execution role ${roleId} may not ecr:GetAuthorizationToken`);
      }
      if (account === ops.stack.account) continue;
      const principal = `arn:aws:iam::${account}:role/${roleId}`;
      for (const action of IMAGE_PULL_ACTIONS) {
        const decision = resourcePolicyDecision(repositoryPolicy, principal, { action, resource: repositoryArn });
        if (decision.effect !== "allow")
          problems.push(`the ops repository's policy does not let account ${account} ${action}`);
      }
    }
  }
  return problems;
}

// ── who may assume a deployer role ────────────────────────────────────────────────────────────

/** Each environment's deployer role trusts exactly the bot's role, which may assume it and nothing else may. */
export function deployerTrustProblems(stacks: readonly ResolvedStack[], config: PhoenixConfig): string[] {
  const { ops, botRoleId, botRoleArn } = opsParts(stacks, config);
  const problems: string[] = [];
  if (!botRoleId) return [`the ops stack creates no role named ${opsResourceNames(config.app).botRole}`];

  const deployers: { arn: string; stackName: string; roleId: string }[] = [];
  for (const environment of environmentStacks(stacks)) {
    const { stackName, account, environment: name } = environment.stack;
    const roleName = resourceNames({ app: config.app, environment: name ?? "" }).deployerRole;
    const found = resourcesOf(environment.resolved, "AWS::IAM::Role").find(([, r]) => props(r).RoleName === roleName);
    if (!found) {
      problems.push(`${stackName} creates no deployer role named ${roleName}`);
      continue;
    }
    const [roleId, role] = found;
    deployers.push({ arn: `arn:aws:iam::${account}:role/${roleName}`, stackName, roleId });
    const trust = documentStatements(props(role).AssumeRolePolicyDocument).filter((s) => s.Effect === "Allow");
    const trusted = trust.flatMap((statement) => [
      ...awsPrincipals(statement),
      ...Object.entries((statement.Principal ?? {}) as Record<string, unknown>)
        .filter(([kind]) => kind !== "AWS")
        .map(([kind, value]) => `${kind}:${JSON.stringify(value)}`),
    ]);
    if (JSON.stringify(trusted) !== JSON.stringify([botRoleArn])) {
      problems.push(
        `${stackName}: deployer role ${roleName} trusts ${JSON.stringify(trusted)}, not exactly ${botRoleArn}`,
      );
    }
  }

  for (const deployer of deployers) {
    if (!roleAllows(ops, botRoleId, { action: "sts:AssumeRole", resource: deployer.arn })) {
      problems.push(`the ops bot's role may not assume ${deployer.arn}`);
    }
  }
  const botPolicies = roleByLogicalId(ops.roles, ops.stack.stackName, botRoleId)?.policies ?? [];
  const assumable = botPolicies
    .flatMap((policy) => documentStatements(policy.document))
    .filter(
      (s) =>
        s.Effect === "Allow" &&
        list(s.Action).some((action) => matchesWildcard(action, "sts:AssumeRole", { ignoreCase: true })),
    )
    .flatMap((s) => list(s.Resource));
  for (const resource of assumable) {
    if (!deployers.some((deployer) => deployer.arn === resource)) {
      problems.push(`the ops bot's role may assume ${resource}, which is no deployer role`);
    }
  }

  // No other role anywhere may assume a deployer role or trusts an AWS principal at all.
  for (const resolvedStack of stacks) {
    const { stack, resolved } = resolvedStack;
    for (const [roleId, role] of resourcesOf(resolved, "AWS::IAM::Role")) {
      const isBot = stack.kind === "ops" && roleId === botRoleId;
      const isDeployer = deployers.some((d) => d.stackName === stack.stackName && d.roleId === roleId);
      if (!isBot) {
        for (const deployer of deployers) {
          if (roleAllows(resolvedStack, roleId, { action: "sts:AssumeRole", resource: deployer.arn })) {
            problems.push(`${stack.stackName}: role ${roleId} may assume ${deployer.arn}`);
          }
        }
      }
      if (!isDeployer) {
        const awsTrust = documentStatements(props(role).AssumeRolePolicyDocument).flatMap(awsPrincipals);
        if (awsTrust.length > 0) {
          problems.push(`${stack.stackName}: role ${roleId} trusts AWS principals ${JSON.stringify(awsTrust)}`);
        }
      }
    }
  }
  return problems;
}

// ── event routes ──────────────────────────────────────────────────────────────────────────────

const onDefaultBus = (rule: CloudFormationResource) =>
  props(rule).EventBusName === undefined || props(rule).EventBusName === "default";

/**
 * Every event kind the bot handles travels from each environment to the bot: an environment
 * rule matches it and forwards it to the ops bus with a role allowed to put it there, the bus
 * admits the environment's account, and an ops-bus rule matches it and invokes the bot with the
 * environment's labels (and only that environment's).
 */
export function eventRouteProblems(stacks: readonly ResolvedStack[], config: PhoenixConfig): string[] {
  const { ops, busArn, busName, botFunctionArn } = opsParts(stacks, config);
  if (!busArn) return [`the ops stack creates no event bus named ${busName}`];
  if (!botFunctionArn) return ["the ops stack creates no bot function"];
  const problems: string[] = [];
  const busPolicy = {
    Statement: resourcesOf(ops.resolved, "AWS::Events::EventBusPolicy")
      .filter(([, r]) => props(r).EventBusName === busName)
      .flatMap(([, r]) => list(props(r).Statement as PolicyStatement)),
  };
  const opsRules = resourcesOf(ops.resolved, "AWS::Events::Rule").filter(
    ([, r]) => props(r).EventBusName === busName || props(r).EventBusName === busArn,
  );
  const invokePermissions = resourcesOf(ops.raw, "AWS::Lambda::Permission").map(([, r]) => props(r));

  for (const environment of environmentStacks(stacks)) {
    const { stackName, account, region } = environment.stack;
    const name = environment.stack.environment ?? "";
    const labels = labelledEventInputTemplate({ environment: name, repository: config.gitHubRepository });
    for (const { kind, event } of sampleEnvironmentEvents({ app: config.app, environment: name, account, region })) {
      const what = `${stackName}: ${kind}`;
      // 1. forwarded from the environment's default bus to the ops bus, by a role that may
      const forwarders = resourcesOf(environment.resolved, "AWS::Events::Rule").filter(
        ([, rule]) => onDefaultBus(rule) && matchesEventPattern(props(rule).EventPattern, event),
      );
      const forwarded = forwarders.some(([ruleId]) =>
        list(props(environment.raw.Resources[ruleId]).Targets).some((target: Record<string, unknown>) => {
          const roleId = referencedId(target.RoleArn);
          return (
            environment.resolve(target.Arn) === busArn &&
            roleId !== undefined &&
            roleAllows(environment, roleId, { action: "events:PutEvents", resource: busArn })
          );
        }),
      );
      if (!forwarded) problems.push(`${what} is not forwarded to ${busArn} by a rule of its default bus`);

      // 2. admitted by the ops bus (the ops account needs only the sender's role)
      if (account !== ops.stack.account) {
        const sender = `arn:aws:iam::${account}:role/forwarder`;
        const decision = resourcePolicyDecision(busPolicy, sender, { action: "events:PutEvents", resource: busArn });
        if (decision.effect !== "allow")
          problems.push(`${what}: the ops bus's policy does not admit account ${account}`);
      }

      // 3. matched on the ops bus and delivered to the bot, labelled with this environment
      const deliveries = opsRules
        .filter(([, rule]) => matchesEventPattern(props(rule).EventPattern, event))
        .flatMap(([ruleId, rule]) =>
          list(props(rule).Targets)
            .filter((target: Record<string, unknown>) => target.Arn === botFunctionArn)
            .map((target: Record<string, Json>) => ({ ruleId, target })),
        );
      if (deliveries.length === 0) problems.push(`${what} reaches no rule of the ops bus that invokes the bot`);
      for (const { ruleId, target } of deliveries) {
        const transformer = target.InputTransformer as { InputTemplate?: string; InputPathsMap?: object } | undefined;
        if (transformer?.InputTemplate !== labels || Object.keys(transformer.InputPathsMap ?? {}).length > 0) {
          problems.push(
            `${what} reaches the bot through ${ruleId} labelled ${JSON.stringify(transformer)}, not ${labels}`,
          );
        }
        const permitted = invokePermissions.some(
          (permission) =>
            permission.Principal === "events.amazonaws.com" &&
            referencedId(permission.SourceArn) === ruleId &&
            ops.resolve(permission.FunctionName) === botFunctionArn,
        );
        if (!permitted) problems.push(`${what}: ${ruleId} may not invoke the bot (no Lambda permission)`);
      }
    }
  }
  return problems;
}
