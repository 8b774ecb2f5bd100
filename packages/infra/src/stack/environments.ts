import type { DeploymentIdentity } from "@phoenix/shared";
import { PropValidationError } from "../validation/prop-validation.js";

/** What differs between the environments of one Phoenix deployment. */
export interface PhoenixEnvironmentConfig extends DeploymentIdentity {
  /** @default - the CLI's account and region (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION) */
  readonly account?: string;
  readonly region: string;
  /**
   * The zones the VPC spans, named so an offline synth (no account lookup) still spans
   * all of them: an account-agnostic stack would otherwise get two.
   */
  readonly availabilityZones: readonly string[];
  /** NAT gateways; one per AZ survives an AZ outage, one is cheaper. */
  readonly natGateways: number;
  readonly databaseInstances: number;
  /** DocumentDB instance class, e.g. `r6g.large`. */
  readonly databaseInstanceClass: string;
  readonly minTasks: number;
  readonly maxTasks: number;
  readonly cpuAlarmThresholdPercent: number;
  /** Protect the load balancer and database from `cdk destroy`. */
  readonly deletionProtection: boolean;
  /** `owner/name` of the repository the ops bot reports to and builds from. */
  readonly gitHubRepository: string;
  /** ACM certificate for HTTPS on the load balancer. @default - HTTP only */
  readonly certificateArn?: string;
  /**
   * Who hears when the ops bot itself fails (its dead-letter queue, its errors), by email.
   * @default - none: subscribe to the `OpsBotAlarmTopicArn` output instead
   */
  readonly operatorEmails?: readonly string[];
}

const base = {
  app: "phoenix",
  region: "eu-west-1",
  availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  gitHubRepository: "phoenix-ops/phoenix",
} as const;

/** The two configurations the CDK app offers, chosen with `-c environment=<name>`. */
export const PHOENIX_ENVIRONMENTS: Readonly<Record<"staging" | "production", PhoenixEnvironmentConfig>> = {
  staging: {
    ...base,
    environment: "staging",
    natGateways: 1,
    databaseInstances: 1,
    databaseInstanceClass: "t4g.medium",
    minTasks: 2,
    maxTasks: 4,
    cpuAlarmThresholdPercent: 80,
    deletionProtection: false,
  },
  production: {
    ...base,
    environment: "production",
    natGateways: 3,
    databaseInstances: 3,
    databaseInstanceClass: "r6g.large",
    minTasks: 2,
    maxTasks: 10,
    cpuAlarmThresholdPercent: 80,
    deletionProtection: true,
  },
};

export function environmentConfig(name: unknown): PhoenixEnvironmentConfig {
  if (name === "staging" || name === "production") return PHOENIX_ENVIRONMENTS[name];
  throw new PropValidationError(
    `PhoenixApp: context "environment" must be one of ${Object.keys(PHOENIX_ENVIRONMENTS).join(", ")}, got ${JSON.stringify(name)} (cdk synth -c environment=staging)`,
  );
}
