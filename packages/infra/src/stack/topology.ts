/**
 * The ARNs one stack needs of another, computed from the config (account, region, names from
 * `@phoenix/shared`) rather than passed as cross-stack references: the stacks live in different
 * accounts and regions, where CloudFormation exports cannot reach.
 */
import { type DeploymentIdentity, opsResourceNames, resourceNames } from "@phoenix/shared";
import type { PhoenixConfig, PhoenixEnvironmentSettings } from "../config/phoenix-config.js";
import { PropValidationError } from "../validation/prop-validation.js";

export interface AccountRegion {
  readonly account: string;
  readonly region: string;
}

export interface EnvironmentArns {
  readonly clusterArn: string;
  /** The long form, with the cluster name: what ECS events carry. */
  readonly serviceArn: string;
  /** By alarm kind, as `resourceNames(identity).alarms`. */
  readonly alarmArns: Readonly<Record<keyof ReturnType<typeof resourceNames>["alarms"], string>>;
  readonly deployerRoleArn: string;
}

export interface OpsArns {
  readonly botRoleArn: string;
  readonly eventBusArn: string;
  readonly repositoryArn: string;
}

/** ARNs of an environment's resources, in `partition` (the stack's `Aws.PARTITION` or a literal). */
export function environmentArns(
  partition: string,
  where: AccountRegion,
  identity: DeploymentIdentity,
): EnvironmentArns {
  const names = resourceNames(identity);
  const regional = (service: string) => `arn:${partition}:${service}:${where.region}:${where.account}`;
  const alarm = (name: string) => `${regional("cloudwatch")}:alarm:${name}`;
  return {
    clusterArn: `${regional("ecs")}:cluster/${names.cluster}`,
    serviceArn: `${regional("ecs")}:service/${names.cluster}/${names.service}`,
    alarmArns: {
      cpuHigh: alarm(names.alarms.cpuHigh),
      http5xx: alarm(names.alarms.http5xx),
      unhealthyHosts: alarm(names.alarms.unhealthyHosts),
      elb5xx: alarm(names.alarms.elb5xx),
    },
    deployerRoleArn: `arn:${partition}:iam::${where.account}:role/${names.deployerRole}`,
  };
}

/** ARNs of the ops stack's resources that environments name. */
export function opsArns(partition: string, config: Pick<PhoenixConfig, "app" | "ops">): OpsArns {
  const names = opsResourceNames(config.app);
  const { account, region } = config.ops;
  return {
    botRoleArn: `arn:${partition}:iam::${account}:role/${names.botRole}`,
    eventBusArn: `arn:${partition}:events:${region}:${account}:event-bus/${names.eventBus}`,
    repositoryArn: `arn:${partition}:ecr:${region}:${account}:repository/${names.repository}`,
  };
}

/** Accounts of the environments other than the ops account, each once: they need resource policies. */
export function otherEnvironmentAccounts(config: PhoenixConfig): string[] {
  return [...new Set(Object.values(config.environments).map((environment) => environment.account))].filter(
    (account) => account !== config.ops.account,
  );
}

/**
 * The settings of `environmentName` in `config`, or a `PropValidationError` naming `construct`.
 * An own key only: a name such as `constructor` is no environment.
 */
export function requireEnvironment(
  construct: string,
  config: PhoenixConfig,
  environmentName: string,
): PhoenixEnvironmentSettings {
  if (!Object.hasOwn(config.environments, environmentName)) {
    throw new PropValidationError(
      `${construct}: environmentName "${environmentName}" is not in the config (${Object.keys(config.environments).join(", ")})`,
    );
  }
  return config.environments[environmentName] as PhoenixEnvironmentSettings;
}
