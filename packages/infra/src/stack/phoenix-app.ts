import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Validations } from "aws-cdk-lib";
import type { CloudAssembly } from "aws-cdk-lib/cx-api";
import { AwsSolutionsChecks } from "cdk-nag";
import type { PhoenixConfig } from "../config/phoenix-config.js";
import { PhoenixEnvironmentStack } from "./phoenix-environment-stack.js";
import { PhoenixLiveImageStack } from "./phoenix-live-image-stack.js";
import { type OpsBotCode, PhoenixOpsStack } from "./phoenix-ops-stack.js";

export interface PhoenixAppOptions {
  /** @default - the Lambda bundle of the installed @phoenix/ops-bot (see `PhoenixOpsStackProps.opsBotCode`) */
  readonly opsBotCode?: OpsBotCode;
  /** Run cdk-nag's AwsSolutions checks on every stack at synth (a finding fails the synth). @default true */
  readonly validate?: boolean;
}

export interface PhoenixAppStacks {
  readonly ops: PhoenixOpsStack;
  /** By environment name. */
  readonly environments: Readonly<Record<string, PhoenixEnvironmentStack>>;
  /** By environment name: the companion stack creating each environment's live-image parameter. */
  readonly liveImages: Readonly<Record<string, PhoenixLiveImageStack>>;
}

/** The stack names the app uses. */
export const PHOENIX_STACK_NAMES = {
  ops: "Phoenix-ops",
  environment: (environment: string) => `Phoenix-${environment}`,
  liveImage: (environment: string) => `Phoenix-${environment}-live-image`,
} as const;

/**
 * Adds the Phoenix stacks of `config` to an app: `Phoenix-ops` in the ops account, and per
 * environment `Phoenix-<env>-live-image` then `Phoenix-<env>` in the environment's account.
 * `Phoenix-<env>` depends on both others (it reads the live-image parameter, and its deployer
 * role trusts the bot's role, which IAM wants to exist), so `cdk deploy --all` keeps the order.
 */
export function buildPhoenixApp(app: App, config: PhoenixConfig, options: PhoenixAppOptions = {}): PhoenixAppStacks {
  const ops = new PhoenixOpsStack(app, PHOENIX_STACK_NAMES.ops, { config, opsBotCode: options.opsBotCode });
  const environments: Record<string, PhoenixEnvironmentStack> = {};
  const liveImages: Record<string, PhoenixLiveImageStack> = {};
  for (const environmentName of Object.keys(config.environments)) {
    const liveImage = new PhoenixLiveImageStack(app, PHOENIX_STACK_NAMES.liveImage(environmentName), {
      config,
      environmentName,
    });
    const environment = new PhoenixEnvironmentStack(app, PHOENIX_STACK_NAMES.environment(environmentName), {
      config,
      environmentName,
    });
    environment.addStackDependency(liveImage, "the task definition reads the live-image parameter");
    environment.addStackDependency(ops, "the deployer role trusts the ops bot's role");
    environments[environmentName] = environment;
    liveImages[environmentName] = liveImage;
  }
  if (options.validate ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { ops, environments, liveImages };
}

export type PhoenixStackKind = "ops" | "environment" | "live-image";

/** One synthesized stack: its CloudFormation template and where it deploys. */
export interface SynthesizedPhoenixStack {
  readonly stackName: string;
  readonly kind: PhoenixStackKind;
  /** The environment an `environment` or `live-image` stack belongs to. */
  readonly environment?: string;
  readonly account: string;
  readonly region: string;
  /** The template as JSON (`Resources`, `Parameters`, `Outputs`, …). */
  readonly template: CloudFormationTemplate;
}

/** The parts of a CloudFormation template the Phoenix readers use. */
export interface CloudFormationTemplate {
  readonly Resources: Readonly<Record<string, CloudFormationResource>>;
  readonly Parameters?: Readonly<Record<string, { readonly Type: string; readonly Default?: unknown }>>;
  readonly Outputs?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

export interface CloudFormationResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly DependsOn?: string | readonly string[];
  readonly [key: string]: unknown;
}

/** Templates by stack name. */
export type PhoenixTemplates = Readonly<Record<string, SynthesizedPhoenixStack>>;

/** The templates of `stacks` in a synthesized `assembly`, keyed by stack name. */
export function templatesOfAssembly(assembly: CloudAssembly, stacks: PhoenixAppStacks): PhoenixTemplates {
  const read = (
    stack: PhoenixOpsStack | PhoenixEnvironmentStack | PhoenixLiveImageStack,
    kind: PhoenixStackKind,
    environment?: string,
  ): [string, SynthesizedPhoenixStack] => [
    stack.stackName,
    {
      stackName: stack.stackName,
      kind,
      ...(environment !== undefined && { environment }),
      account: stack.account,
      region: stack.region,
      template: assembly.getStackByName(stack.stackName).template as CloudFormationTemplate,
    },
  ];
  return Object.fromEntries([
    read(stacks.ops, "ops"),
    ...Object.entries(stacks.liveImages).map(([name, stack]) => read(stack, "live-image", name)),
    ...Object.entries(stacks.environments).map(([name, stack]) => read(stack, "environment", name)),
  ]);
}

const synthesized = new Map<string, PhoenixTemplates>();

/**
 * The CloudFormation templates of `config`'s stacks, keyed by stack name, for readers of the
 * templates (the sandbox seeds moto from the environment templates; the deployability suite
 * checks names, grants, trust and routes). Cheap to call: no cdk-nag unless `validate`, the
 * cloud assembly goes to a temporary directory removed afterwards, and a result is kept per
 * config for the life of the process when `opsBotCode` is not given. Needs the ops bot's Lambda
 * bundle built (`pnpm --filter @phoenix/ops-bot build`) unless `opsBotCode` is given.
 */
export function synthesizePhoenixTemplates(config: PhoenixConfig, options: PhoenixAppOptions = {}): PhoenixTemplates {
  const validate = options.validate ?? false;
  const key = options.opsBotCode ? undefined : JSON.stringify({ config, validate });
  const cached = key === undefined ? undefined : synthesized.get(key);
  if (cached) return cached;

  const outdir = mkdtempSync(join(tmpdir(), "phoenix-synth-"));
  try {
    const app = new App({ outdir });
    const stacks = buildPhoenixApp(app, config, { ...options, validate });
    const assembly = app.synth();
    const templates = templatesOfAssembly(assembly, stacks);
    if (key !== undefined) synthesized.set(key, templates);
    return templates;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
