import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { opsResourceNames, resourceNames } from "@phoenix/shared";
import {
  AWS_CALL_RECORDINGS_COMMAND,
  AWS_CALL_RECORDINGS_DIR,
  type AwsCallRecording,
  type RecordedAwsCall,
  type RecordedInstallation,
} from "../../../../test-support/aws-call-recording.js";
import { ecrRegistry, type PhoenixConfig, parsePhoenixConfig } from "../../src/config/phoenix-config.js";
import {
  type DeployedTemplate,
  evaluate,
  resourcePolicyDecision,
  roleByArn,
  rolesOfTemplates,
  type TemplateRole,
} from "../../src/template/index.js";
import { actionOf, authorizationsFor, UnknownOperationError } from "./operation-authorization.js";

/** The flow tests' recordings; fails, naming the command that writes them, when there are none. */
export function loadRecordings(directory = AWS_CALL_RECORDINGS_DIR): AwsCallRecording[] {
  const files = existsSync(directory) ? readdirSync(directory).filter((name) => name.endsWith(".json")) : [];
  if (files.length === 0) {
    throw new Error(
      `no AWS call recordings in ${directory}: run the ops bot's flow tests first (${AWS_CALL_RECORDINGS_COMMAND}, or turbo run test, which orders them)`,
    );
  }
  // A recording outlives a test file that was renamed or removed: only current files count.
  return files
    .map((name) => JSON.parse(readFileSync(join(directory, name), "utf8")) as AwsCallRecording)
    .filter((recording) => existsSync(new URL(`../../../../${recording.testFile}`, import.meta.url)));
}

/** The shipped two-account example: the sizes every installation below borrows. */
const EXAMPLE_CONFIG = JSON.parse(
  readFileSync(new URL("../../config/two-accounts.json", import.meta.url), "utf8"),
) as PhoenixConfig & { environments: Record<string, PhoenixConfig["environments"][string]> };

/**
 * The Phoenix config whose stacks would serve a test's installation in AWS: the ops stack in
 * the bot's account, each environment of the test's ops config in the account of the role the
 * bot assumes for it (the ops account without one), in its region, under the test's app name.
 */
export function configOfInstallation(installation: RecordedInstallation, botAccount: string): PhoenixConfig {
  const environments = Object.entries(installation.environments);
  const opsRegion = environments[0]?.[1].region ?? "eu-west-1";
  const { app } = installation;
  const sizes = (name: string) => EXAMPLE_CONFIG.environments[name] ?? EXAMPLE_CONFIG.environments.staging;
  const initialImage = `${ecrRegistry(botAccount, opsRegion)}/${opsResourceNames(app).repository}:${"0".repeat(40)}`;
  return parsePhoenixConfig({
    app,
    gitHubRepository: EXAMPLE_CONFIG.gitHubRepository,
    ops: { account: botAccount, region: opsRegion },
    environments: Object.fromEntries(
      environments.map(([name, environment]) => [
        name,
        {
          ...sizes(name),
          account: environment.roleArn?.split(":")[4] ?? botAccount,
          region: environment.region,
          availabilityZones: ["a", "b", "c"].map((zone) => `${environment.region}${zone}`),
          initialImage,
        },
      ]),
    ),
  });
}

/** Where a test's ops config names an ECS cluster or service its environment stack would not create. */
export function namesTheStacksDoNotCreate(installation: RecordedInstallation): string[] {
  return Object.entries(installation.environments).flatMap(([environment, given]) => {
    const names = resourceNames({ app: installation.app, environment });
    return (["cluster", "service"] as const)
      .filter((kind) => given[kind] !== names[kind])
      .map(
        (kind) =>
          `${installation.test}: ${environment}.${kind} is ${given[kind]}, the environment stack of app ${installation.app} creates ${names[kind]}`,
      );
  });
}

/** One call, or one of its implied authorizations, that the templates' policies do not allow. */
export interface Denial {
  readonly test: string;
  readonly operation: string;
  readonly resource: string;
  readonly principal: string;
  readonly why: string;
}

export const describeDenial = (denial: Denial) =>
  `${denial.operation} ${denial.resource} ${denial.principal} — ${denial.why} (${denial.test})`;

/**
 * Checks each call against the identity policy of the role that made it (the bot's own key:
 * the ops stack's bot role; an assumed role's key: that role as the templates create it), and
 * an AssumeRole also against the assumed role's trust policy.
 */
export function deniedCalls(calls: readonly RecordedAwsCall[], stacks: readonly DeployedTemplate[], app: string) {
  const roles = rolesOfTemplates(stacks);
  const denials: Denial[] = [];
  for (const call of calls) {
    const deny = (resource: string, principal: string, why: string, operation = actionOf(call)) =>
      denials.push({ test: call.test, operation, resource, principal, why });
    const role = principalRole(call, roles, app);
    if (typeof role === "string") {
      deny("-", call.accessKeyId, role);
      continue;
    }
    let authorizations: ReturnType<typeof authorizationsFor>;
    try {
      authorizations = authorizationsFor(call);
    } catch (error) {
      if (!(error instanceof UnknownOperationError)) throw error;
      deny("-", role.arn, error.message);
      continue;
    }
    for (const authorization of authorizations) {
      const decision = evaluate(role.policies, authorization);
      if (decision.effect !== "allow") {
        const implied = authorization.action === actionOf(call) ? "" : `, implied by ${actionOf(call)}`;
        deny(authorization.resource, role.arn, `${decision.effect}${implied}`, authorization.action);
      }
      if (authorization.action === "sts:AssumeRole") {
        const target = roleByArn(roles, authorization.resource);
        const trust = target && resourcePolicyDecision(target.trustPolicy, role.arn, authorization);
        if (!target) deny(authorization.resource, role.arn, "assumes a role no template creates");
        else if (trust?.effect !== "allow")
          deny(authorization.resource, role.arn, `the role's trust policy: ${trust?.effect}`);
      }
    }
  }
  return denials;
}

function principalRole(call: RecordedAwsCall, roles: readonly TemplateRole[], app: string): TemplateRole | string {
  const { principal } = call;
  if (principal.kind === "unknown") return "signed with a key that is neither the bot's nor from an AssumeRole";
  if (principal.kind === "assumed-role") {
    return roleByArn(roles, principal.roleArn) ?? `signed as ${principal.roleArn}, which no template creates`;
  }
  const botRole = opsResourceNames(app).botRole;
  return (
    roles.find((role) => role.account === principal.account && role.name === botRole) ??
    `no template creates the bot role ${botRole} in ${principal.account}`
  );
}
