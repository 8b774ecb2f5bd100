import {
  ecrRegistry,
  PHOENIX_STACK_NAMES,
  type PhoenixConfig,
  type PhoenixTemplates,
  parsePhoenixConfig,
  synthesizePhoenixTemplates,
} from "@phoenix/infra";
import { opsResourceNames, type PhoenixResourceNames, resourceNames } from "@phoenix/shared";
import { type AwsClientConfig, motoAccountClients } from "../aws/moto-accounts.js";
import { type SeededStack, seedStackFromTemplate } from "../cloudformation/seed-from-template.js";
import { resourcesOfType } from "../cloudformation/template.js";
import { EventRouter } from "../events/event-router.js";

/** The environments the sandbox runs, in deployment order, with the accounts they live in. */
export interface SandboxAccounts {
  /** The ops stack's account (the bot, the image repository, the event bus). */
  readonly ops: string;
  readonly environments: Readonly<Record<string, string>>;
}

export interface SandboxTopologyOptions {
  readonly app: string;
  /** `owner/name` of the GitHub stand-in's repository. */
  readonly gitHubRepository: string;
  readonly region: string;
  readonly accounts: SandboxAccounts;
  /** The digest of the first image the sandbox built: what every environment starts with. */
  readonly firstImageDigest: string;
}

/**
 * The sandbox's installation as an operator would write it (`packages/infra/config/*.json`),
 * small sizes. `initialImage` names the first image in the ops repository by its digest; the
 * local registry holds that same image under the same digest.
 */
export function sandboxPhoenixConfig(options: SandboxTopologyOptions): PhoenixConfig {
  const { app, region, accounts } = options;
  const initialImage = `${ecrRegistry(accounts.ops, region)}/${opsResourceNames(app).repository}@${options.firstImageDigest}`;
  const environment = (account: string, maxTasks: number) => ({
    account,
    region,
    availabilityZones: [`${region}a`, `${region}b`],
    natGateways: 1,
    databaseInstances: 1,
    databaseInstanceClass: "t4g.medium",
    minTasks: 2,
    maxTasks,
    cpuAlarmThresholdPercent: 70,
    deletionProtection: false,
    initialImage,
  });
  return parsePhoenixConfig({
    app,
    gitHubRepository: options.gitHubRepository,
    ops: { account: accounts.ops, region },
    environments: Object.fromEntries(
      Object.entries(accounts.environments).map(([name, account], index) => [
        name,
        environment(account, 4 + 2 * index),
      ]),
    ),
  });
}

/** One environment as seeded: its stacks, and what the bot and the local platform need of them. */
export interface SeededEnvironment {
  readonly name: string;
  readonly account: string;
  readonly names: PhoenixResourceNames;
  readonly liveImageStack: SeededStack;
  readonly stack: SeededStack;
  /** The role the bot assumes here (the template's deployer role, as created in this account). */
  readonly deployerRoleArn: string;
}

export interface SeededTopology {
  readonly config: PhoenixConfig;
  readonly templates: PhoenixTemplates;
  readonly ops: SeededStack;
  /** In deployment order. */
  readonly environments: readonly SeededEnvironment[];
  /** The stacks' event rules, from an AWS event to the bot's input. */
  readonly events: EventRouter;
}

/**
 * Synthesizes the production topology for `config` (`@phoenix/infra`'s own stacks) and
 * creates it in moto, as `cdk deploy --all` would in AWS: the ops stack in the ops account,
 * then per environment its live-image stack and its environment stack in the environment's
 * account. The one value the sandbox supplies is the live image: the local registry's URI of
 * the first image (`firstImageUri`), where AWS holds `initialImage` (the same digest in ECR).
 */
export async function seedSandboxTopology(
  aws: AwsClientConfig,
  config: PhoenixConfig,
  firstImageUri: string,
): Promise<SeededTopology> {
  const templates = synthesizePhoenixTemplates(config);
  const stackOf = (name: string) => {
    const stack = templates[name];
    if (!stack) throw new Error(`@phoenix/infra synthesized no stack ${name}`);
    return stack;
  };
  const opsTemplate = stackOf(PHOENIX_STACK_NAMES.ops);
  const ops = await seedStackFromTemplate(
    { stackName: opsTemplate.stackName, template: opsTemplate.template },
    motoAccountClients(aws, opsTemplate.account),
  );

  const environments: SeededEnvironment[] = [];
  for (const name of Object.keys(config.environments)) {
    const liveImage = stackOf(PHOENIX_STACK_NAMES.liveImage(name));
    const environment = stackOf(PHOENIX_STACK_NAMES.environment(name));
    const clients = motoAccountClients(aws, environment.account);
    const [parameter] = resourcesOfType(liveImage.template, "AWS::SSM::Parameter");
    if (!parameter) throw new Error(`${liveImage.stackName} creates no SSM parameter`);
    const liveImageStack = await seedStackFromTemplate(
      {
        stackName: liveImage.stackName,
        template: liveImage.template,
        propertyOverrides: { [parameter[0]]: { Value: firstImageUri } },
      },
      clients,
    );
    const stack = await seedStackFromTemplate(
      { stackName: environment.stackName, template: environment.template },
      clients,
    );
    const names = resourceNames({ app: config.app, environment: name });
    const deployer = stack.ofType("AWS::IAM::Role").find((role) => role.properties.RoleName === names.deployerRole);
    if (!deployer?.attributes.Arn) throw new Error(`${environment.stackName} creates no role ${names.deployerRole}`);
    environments.push({
      name,
      account: environment.account,
      names,
      liveImageStack,
      stack,
      deployerRoleArn: deployer.attributes.Arn,
    });
  }
  return {
    config,
    templates,
    ops,
    environments,
    events: new EventRouter(
      [ops, ...environments.map((environment) => environment.stack)],
      botFunctionArn(ops, config),
    ),
  };
}

/** The ARN the ops stack's rules name as the bot's: its Lambda function's. */
function botFunctionArn(ops: SeededStack, config: PhoenixConfig): string {
  const botFunction = opsResourceNames(config.app).botFunction;
  const found = resourcesOfType(ops.template, "AWS::Lambda::Function").find(
    ([, resource]) => ops.resolve(resource.Properties?.FunctionName) === botFunction,
  );
  if (!found) throw new Error(`${ops.stackName} has no Lambda function ${botFunction}`);
  const arn = ops.resolve({ "Fn::GetAtt": [found[0], "Arn"] });
  if (typeof arn !== "string") throw new Error(`${ops.stackName}: ${found[0]} has no ARN`);
  return arn;
}
