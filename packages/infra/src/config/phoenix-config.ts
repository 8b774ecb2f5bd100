/**
 * The one configuration of a Phoenix installation: which accounts and regions, which GitHub
 * repository, and how big each environment is. Environments are configuration, not source
 * edits: the CDK app reads this from `cdk.json` context or a JSON file, and every value is
 * checked before a construct is built, with a one-line error naming its path.
 */
import { InvalidResourceNameError, opsResourceNames, resourceNames, tryParseImageReference } from "@phoenix/shared";

/** Where the ops stack (the bot, its Ledger, the image repository, the event bus) lives. */
export interface PhoenixOpsLocation {
  /** 12-digit AWS account id. */
  readonly account: string;
  readonly region: string;
  /**
   * Who hears when the ops bot itself fails (its dead-letter queue, its errors), by email.
   * @default - none: subscribe to the `OpsBotAlarmTopicArn` output instead
   */
  readonly operatorEmails?: readonly string[];
}

/** What differs between the environments of one app. */
export interface PhoenixEnvironmentSettings {
  /** 12-digit AWS account id: the ops account or another one. */
  readonly account: string;
  readonly region: string;
  /**
   * The zones the VPC spans, named so an offline synth (no account lookup) still spans
   * all of them: an account-agnostic stack would otherwise get two. At least two.
   */
  readonly availabilityZones: readonly string[];
  /** NAT gateways (1 to the number of zones); one per zone survives a zone outage, one is cheaper. */
  readonly natGateways: number;
  /** DocumentDB instances, 1 to 16. */
  readonly databaseInstances: number;
  /** DocumentDB instance class, e.g. `r6g.large`. */
  readonly databaseInstanceClass: string;
  /** Fewest tasks, 2 to 100: one crash never leaves the service empty. */
  readonly minTasks: number;
  /** Most tasks, `minTasks` to 100. */
  readonly maxTasks: number;
  /** CPU percentage (1–100) that counts as a peak. */
  readonly cpuAlarmThresholdPercent: number;
  /** Protect the load balancer and database from `cdk destroy`. */
  readonly deletionProtection: boolean;
  /**
   * The image the service starts with, in the ops repository
   * (`<opsAccount>.dkr.ecr.<opsRegion>.amazonaws.com/phoenix/<app>:<tag>` or `@sha256:<digest>`).
   * It seeds the live-image parameter once; from then on the bot owns that parameter. Changing
   * this value later makes CloudFormation write it again, which resets the live image.
   */
  readonly initialImage: string;
  /** ACM certificate for HTTPS on the load balancer. @default - HTTP only */
  readonly certificateArn?: string;
  /** People subscribed by email to the environment's alarm topic. @default - none */
  readonly operatorEmails?: readonly string[];
}

export interface PhoenixConfig {
  /** Lower-case app name; every resource name derives from it (`resourceNames`, `opsResourceNames`). */
  readonly app: string;
  /** `owner/name` of the repository the bot builds from and reports to. */
  readonly gitHubRepository: string;
  readonly ops: PhoenixOpsLocation;
  /** By environment name (`staging`, `production`, …), in deployment order. */
  readonly environments: Readonly<Record<string, PhoenixEnvironmentSettings>>;
}

export class PhoenixConfigError extends Error {
  override readonly name = "PhoenixConfigError";
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const REPOSITORY = /^[\w.-]+\/[\w.-]+$/;
const INSTANCE_CLASS = /^[a-z][a-z0-9]*\.[a-z0-9]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CERTIFICATE_ARN = /^arn:aws[\w-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/[\w-]+$/;

/** The environment name the ops stack's own stack name takes. */
const RESERVED_ENVIRONMENT_NAME = "ops";
const OPS_KEYS = ["account", "region", "operatorEmails"] as const;
const ENVIRONMENT_KEYS = [
  "account",
  "region",
  "availabilityZones",
  "natGateways",
  "databaseInstances",
  "databaseInstanceClass",
  "minTasks",
  "maxTasks",
  "cpuAlarmThresholdPercent",
  "deletionProtection",
  "initialImage",
  "certificateArn",
  "operatorEmails",
] as const;

/** Reads one value at a path of the raw config; each check throws naming that path. */
class ConfigReader {
  constructor(
    private readonly value: unknown,
    private readonly path: string,
  ) {}

  fail(problem: string): never {
    throw new PhoenixConfigError(`phoenix config: ${this.path || "the config"} ${problem}`);
  }

  private got(): string {
    return this.value === undefined ? "nothing" : JSON.stringify(this.value);
  }

  at(key: string): ConfigReader {
    return new ConfigReader(this.object()[key], this.path ? `${this.path}.${key}` : key);
  }

  isPresent(): boolean {
    return this.value !== undefined;
  }

  object(allowedKeys?: readonly string[]): Record<string, unknown> {
    if (!this.value || typeof this.value !== "object" || Array.isArray(this.value)) {
      this.fail(`must be an object, got ${this.got()}`);
    }
    const record = this.value as Record<string, unknown>;
    const unknown = allowedKeys ? Object.keys(record).filter((key) => !allowedKeys.includes(key)) : [];
    if (unknown.length > 0) {
      this.fail(`has unknown key ${unknown.map((key) => `"${key}"`).join(", ")}; allowed: ${allowedKeys?.join(", ")}`);
    }
    return record;
  }

  string(pattern?: RegExp, what?: string): string {
    if (typeof this.value !== "string" || (pattern && !pattern.test(this.value))) {
      this.fail(`must be ${what ?? "a string"}, got ${this.got()}`);
    }
    return this.value;
  }

  integer(min: number, max: number): number {
    if (typeof this.value !== "number" || !Number.isInteger(this.value) || this.value < min || this.value > max) {
      this.fail(`must be a whole number from ${min} to ${max}, got ${this.got()}`);
    }
    return this.value;
  }

  number(min: number, max: number): number {
    if (typeof this.value !== "number" || !Number.isFinite(this.value) || this.value < min || this.value > max) {
      this.fail(`must be a number from ${min} to ${max}, got ${this.got()}`);
    }
    return this.value;
  }

  boolean(): boolean {
    if (typeof this.value !== "boolean") this.fail(`must be true or false, got ${this.got()}`);
    return this.value;
  }

  strings(pattern: RegExp, what: string, minItems = 0): string[] {
    if (!Array.isArray(this.value) || this.value.length < minItems) {
      this.fail(`must be a list of ${minItems > 0 ? `at least ${minItems} ` : ""}${what}, got ${this.got()}`);
    }
    return this.value.map((_, index) => this.item(index).string(pattern, what));
  }

  private item(index: number): ConfigReader {
    return new ConfigReader((this.value as unknown[])[index], `${this.path}[${index}]`);
  }
}

/**
 * The config, checked: shapes, account ids, regions, zones of the region, sizes in range, the
 * initial image in the ops repository, names that fit every AWS limit. Throws a
 * `PhoenixConfigError` naming the first bad path.
 */
export function parsePhoenixConfig(raw: unknown): PhoenixConfig {
  const root = new ConfigReader(raw, "");
  root.object(["$comment", "app", "gitHubRepository", "ops", "environments"]);
  const app = root.at("app").string(/^[a-z][a-z0-9-]*$/, "lower-case letters, digits and hyphens");
  try {
    opsResourceNames(app);
  } catch (error) {
    if (error instanceof InvalidResourceNameError) root.at("app").fail(error.message);
    throw error;
  }
  const gitHubRepository = root.at("gitHubRepository").string(REPOSITORY, "owner/name");

  const opsReader = root.at("ops");
  opsReader.object(OPS_KEYS);
  const ops: PhoenixOpsLocation = {
    account: opsReader.at("account").string(ACCOUNT, "a 12-digit AWS account id"),
    region: opsReader.at("region").string(REGION, "an AWS region such as eu-west-1"),
    ...(opsReader.at("operatorEmails").isPresent() && {
      operatorEmails: opsReader.at("operatorEmails").strings(EMAIL, "email addresses"),
    }),
  };

  const environmentsReader = root.at("environments");
  const names = Object.keys(environmentsReader.object());
  if (names.length === 0) environmentsReader.fail("must name at least one environment");
  const environments: Record<string, PhoenixEnvironmentSettings> = {};
  for (const name of names) {
    const reader = environmentsReader.at(name);
    // The ops stack is `Phoenix-ops`; an environment of that name would be a second stack of it.
    if (name === RESERVED_ENVIRONMENT_NAME) {
      reader.fail(`is not a usable environment name: "${RESERVED_ENVIRONMENT_NAME}" names the ops stack`);
    }
    try {
      resourceNames({ app, environment: name });
    } catch (error) {
      if (error instanceof InvalidResourceNameError) reader.fail(`is not a usable environment name: ${error.message}`);
      throw error;
    }
    environments[name] = parseEnvironment(reader, app, ops);
  }
  return { app, gitHubRepository, ops, environments };
}

function parseEnvironment(reader: ConfigReader, app: string, ops: PhoenixOpsLocation): PhoenixEnvironmentSettings {
  reader.object(ENVIRONMENT_KEYS);
  const account = reader.at("account").string(ACCOUNT, "a 12-digit AWS account id");
  const region = reader.at("region").string(REGION, "an AWS region such as eu-west-1");
  const zonePattern = new RegExp(`^${region}[a-z]$`);
  const availabilityZones = reader
    .at("availabilityZones")
    .strings(zonePattern, `Availability Zones of ${region} (${region}a, ${region}b, …)`, 2);
  if (new Set(availabilityZones).size !== availabilityZones.length) {
    reader.at("availabilityZones").fail(`must not repeat a zone, got ${JSON.stringify(availabilityZones)}`);
  }
  const natGateways = reader.at("natGateways").integer(1, availabilityZones.length);
  const minTasks = reader.at("minTasks").integer(2, 100);
  const maxTasks = reader.at("maxTasks").integer(minTasks, 100);
  const initialImage = reader.at("initialImage").string();
  requireOpsRepositoryImage(reader.at("initialImage"), initialImage, app, ops);

  const settings: PhoenixEnvironmentSettings = {
    account,
    region,
    availabilityZones,
    natGateways,
    databaseInstances: reader.at("databaseInstances").integer(1, 16),
    databaseInstanceClass: reader
      .at("databaseInstanceClass")
      .string(INSTANCE_CLASS, "a DocumentDB instance class such as r6g.large"),
    minTasks,
    maxTasks,
    cpuAlarmThresholdPercent: reader.at("cpuAlarmThresholdPercent").number(1, 100),
    deletionProtection: reader.at("deletionProtection").boolean(),
    initialImage,
  };
  const certificate = reader.at("certificateArn");
  const operatorEmails = reader.at("operatorEmails");
  return {
    ...settings,
    ...(certificate.isPresent() && { certificateArn: requireCertificateIn(certificate, region, account) }),
    ...(operatorEmails.isPresent() && { operatorEmails: operatorEmails.strings(EMAIL, "email addresses") }),
  };
}

/** The ECR registry of an account and region, as image references spell it. */
export function ecrRegistry(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
}

function requireOpsRepositoryImage(reader: ConfigReader, image: string, app: string, ops: PhoenixOpsLocation): void {
  const expected = `${ecrRegistry(ops.account, ops.region)}/${opsResourceNames(app).repository}`;
  const reference = tryParseImageReference(image);
  const inOpsRepository = reference && `${reference.registry}/${reference.repository}` === expected;
  if (!inOpsRepository || (!reference.tag && !reference.digest)) {
    reader.fail(
      `must be an image of the ops repository, ${expected}:<tag> or ${expected}@sha256:<digest>, got "${image}"`,
    );
  }
}

function requireCertificateIn(reader: ConfigReader, region: string, account: string): string {
  const arn = reader.string(CERTIFICATE_ARN, "an ACM certificate ARN");
  const [, certificateRegion, certificateAccount] = CERTIFICATE_ARN.exec(arn) ?? [];
  if (certificateRegion !== region || certificateAccount !== account) {
    reader.fail(`must be a certificate of the environment's account ${account} and region ${region}, got "${arn}"`);
  }
  return arn;
}
