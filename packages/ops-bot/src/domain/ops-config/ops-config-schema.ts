import { PHOENIX_APP, resourceNames } from "@phoenix/shared";
import { z } from "zod";
import { appNameProblem, environmentNameProblem, resourceNamesProblem } from "./environment-name.js";
import { orderLoopThrough, renderOrderLoop } from "./environment-order.js";

/** Where a repository keeps its ops-bot settings. */
export const OPS_CONFIG_PATH = ".github/phoenix-ops.yml";
/** The same file as Probot's `context.config(fileName)` names it: relative to `.github/`. */
export const OPS_CONFIG_FILE_NAME = "phoenix-ops.yml";

/** The most tasks a `/scale` or a scaling policy may ask for. */
export const MAX_SCALE_TASKS = 1000;
/** The most approving reviews an environment may require. */
export const MAX_REQUIRED_APPROVALS = 10;

/** The default `app` when the file does not name one. */
export const DEFAULT_APP = "phoenix";

export interface ScaleBounds {
  readonly min: number;
  readonly max: number;
}

/** How far `/scale` may move an environment's task count, and where `reset` returns it. */
export interface ScalingPolicy {
  /** Lowest `min` a `/scale` may set. */
  readonly min: number;
  /** Highest `max` a `/scale` may set; at least `min`, at most {@link MAX_SCALE_TASKS}. */
  readonly max: number;
  /** What `/scale <environment> reset` restores; lies within `min`..`max`. */
  readonly default: ScaleBounds;
}

/** One environment with every default resolved. */
export interface EnvironmentConfig {
  /** The key under `environments`; follows the `resourceNames` environment rule. */
  readonly name: string;
  /** AWS region of the cluster, e.g. `eu-west-1`. */
  readonly region: string;
  /** @default resourceNames({ app, environment: name }).cluster */
  readonly cluster: string;
  /** @default resourceNames({ app, environment: name }).service */
  readonly service: string;
  /** Container whose image a deploy replaces. @default PHOENIX_APP.containerName */
  readonly container: string;
  /** IAM role the bot assumes for this environment. @default the bot's own credentials */
  readonly roleArn?: string;
  /** Shown on the GitHub Deployment as the environment URL. @default none */
  readonly url?: string;
  /** Approving reviews the pull request needs before `/deploy`. @default 0 */
  readonly requiredApprovals: number;
  /** Check-run or commit-status names that must have succeeded on the commit. @default [] */
  readonly requiredChecks: readonly string[];
  /** GitHub logins allowed to run commands; empty means anyone with write access. @default [] */
  readonly allowedUsers: readonly string[];
  /** Teams (`org/team-slug`) whose members may run commands. @default [] */
  readonly allowedTeams: readonly string[];
  /** Whether commands on pull requests from forks are obeyed. @default false */
  readonly allowForks: boolean;
  /** Limits for `/scale`; without it `/scale` is refused. @default none */
  readonly scaling?: ScalingPolicy;
  /**
   * Another environment of the file whose successful deployments this one follows: it accepts
   * only image digests that already succeeded there (enforced deployment order). @default none
   */
  readonly after?: string;
}

/** Where merges into the default branch deploy. */
export interface DeployOnMergePolicy {
  /** A key of `environments`. */
  readonly environment: string;
  /** Whether direct pushes to the default branch deploy too. @default false */
  readonly onPush: boolean;
}

/** `.github/phoenix-ops.yml` with every default resolved. */
export interface OpsConfig {
  /** Names the AWS resources through `resourceNames`. @default "phoenix" */
  readonly app: string;
  /** `null` when merges deploy nowhere (no `deployOnMerge.environment`). */
  readonly deployOnMerge: DeployOnMergePolicy | null;
  /** At least one; keyed by environment name, in file order. */
  readonly environments: Readonly<Record<string, EnvironmentConfig>>;
}

// Zod reports a missing key as a type error on `undefined`; users should read "is required".
const expecting =
  (expectation: string) =>
  (issue: { readonly input?: unknown }): string =>
    issue.input === undefined ? "is required" : expectation;

function integerBetween(min: number, max: number) {
  const message = `must be an integer between ${min} and ${max}`;
  return z
    .number({ error: expecting(message) })
    .int(message)
    .min(min, message)
    .max(max, message);
}

function patterned(pattern: RegExp, message: string) {
  return z.string({ error: expecting(message) }).regex(pattern, message);
}

function listOf(item: z.ZodType<string>, what: string) {
  return z.array(item, { error: expecting(`must be a list of ${what}`) }).default(() => []);
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
// ECS allows up to 255 letters, digits, hyphens and underscores in cluster, service and container names.
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:\[bot\])?$/;
const TEAM = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[a-z0-9][a-z0-9_-]*$/;
const HTTP_URL_MESSAGE = "must be an http:// or https:// URL";

const ecsName = (what: string) => patterned(ECS_NAME, `must be an ECS ${what} name (letters, digits, - and _)`);
const taskCount = () => integerBetween(0, MAX_SCALE_TASKS);

const scaleBoundsSchema = z.strictObject(
  { min: taskCount(), max: taskCount() },
  { error: expecting("must be a mapping with min and max, e.g. { min: 2, max: 4 }") },
);

const scalingPolicySchema = z
  .strictObject(
    { min: taskCount(), max: taskCount(), default: scaleBoundsSchema },
    { error: expecting("must be a mapping with min, max and default") },
  )
  .superRefine((policy, ctx) => {
    if (policy.max < policy.min) {
      ctx.addIssue({ code: "custom", path: ["max"], message: `must be at least min (${policy.min})` });
      return;
    }
    const { min, max } = policy.default;
    if (min > max) {
      ctx.addIssue({ code: "custom", path: ["default"], message: `min ${min} is greater than max ${max}` });
    } else if (min < policy.min || max > policy.max) {
      ctx.addIssue({
        code: "custom",
        path: ["default"],
        message: `must lie within min..max (${policy.min}..${policy.max}); got ${min}..${max}`,
      });
    }
  });

const environmentSchema = z.strictObject(
  {
    region: patterned(REGION, "must be an AWS region such as eu-west-1"),
    cluster: ecsName("cluster").optional(),
    service: ecsName("service").optional(),
    container: ecsName("container").optional(),
    roleArn: patterned(ROLE_ARN, "must be an IAM role ARN such as arn:aws:iam::123456789012:role/deployer").optional(),
    url: z.url({ protocol: /^https?$/, error: expecting(HTTP_URL_MESSAGE) }).optional(),
    requiredApprovals: integerBetween(0, MAX_REQUIRED_APPROVALS).default(0),
    requiredChecks: listOf(
      z.string({ error: "must be a check name" }).trim().min(1, "must be a non-empty check name"),
      "check names",
    ),
    allowedUsers: listOf(patterned(LOGIN, "must be a GitHub login"), "GitHub logins"),
    allowedTeams: listOf(
      patterned(TEAM, "must be a team as org/team-slug (the slug is lower-case)"),
      "teams (org/team-slug)",
    ),
    allowForks: z.boolean({ error: expecting("must be true or false") }).default(false),
    scaling: scalingPolicySchema.optional(),
    after: z.string({ error: expecting("must be the name of another environment") }).optional(),
  },
  { error: expecting("must be a mapping of settings, at least region") },
);

const environmentNameSchema = z.string().superRefine((name, ctx) => {
  const problem = environmentNameProblem(name);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: `environment name ${problem}` });
});

const appSchema = z
  .string({ error: expecting("must be an app name") })
  .superRefine((app, ctx) => {
    const problem = appNameProblem(app);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  })
  .default(DEFAULT_APP);

const deployOnMergeSchema = z.strictObject(
  {
    environment: z.string({ error: expecting("must be the name of an environment") }).optional(),
    onPush: z.boolean({ error: expecting("must be true or false") }).default(false),
  },
  { error: expecting("must be a mapping with environment and onPush") },
);

const environmentsSchema = z
  .record(environmentNameSchema, environmentSchema, {
    error: expecting("must be a mapping of environment names to their settings"),
  })
  .refine((environments) => Object.keys(environments).length > 0, "must define at least one environment");

const SETTINGS = {
  app: appSchema,
  deployOnMerge: deployOnMergeSchema.optional(),
  environments: environmentsSchema,
};

const fileSchema = z.strictObject(SETTINGS, {
  error: (issue) =>
    issue.input === undefined || issue.input === null
      ? "is empty: it must define at least environments"
      : "must be a mapping of settings (app, deployOnMerge, environments)",
});

/** The keys each strict mapping accepts, so a typo can be answered with "did you mean". */
export const OPS_CONFIG_KEYS = {
  file: Object.keys(SETTINGS),
  deployOnMerge: Object.keys(deployOnMergeSchema.shape),
  environment: Object.keys(environmentSchema.shape),
  scaling: Object.keys(scalingPolicySchema.shape),
  scaleBounds: Object.keys(scaleBoundsSchema.shape),
} as const;

type ParsedFile = z.output<typeof fileSchema>;

/** Schema of `.github/phoenix-ops.yml` (already YAML-parsed); its output has every default resolved. */
export const opsConfigSchema: z.ZodType<OpsConfig, unknown> = fileSchema
  // Checks across settings also run while other parts of the file are wrong, so one comment
  // lists every problem; they therefore read the partly parsed value defensively.
  .superRefine(checkAcrossSettings, { when: (payload) => isMapping(payload.value) })
  .transform(resolve);

function checkAcrossSettings(file: ParsedFile, ctx: z.RefinementCtx): void {
  const parsed: Record<string, unknown> = file;
  const environments = isMapping(parsed.environments) ? parsed.environments : {};
  const names = Object.keys(environments).filter((name) => environmentNameProblem(name) === undefined);
  const app = typeof parsed.app === "string" && appNameProblem(parsed.app) === undefined ? parsed.app : undefined;
  if (app !== undefined) {
    for (const name of names) {
      const problem = resourceNamesProblem({ app, environment: name });
      if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["environments", name], message: problem });
    }
  }
  checkDeploymentOrder(environments, names, ctx);
  const onMerge = isMapping(parsed.deployOnMerge) ? parsed.deployOnMerge : undefined;
  if (onMerge === undefined) return;
  if (typeof onMerge.environment === "string" && isMapping(parsed.environments)) {
    if (!names.includes(onMerge.environment)) {
      ctx.addIssue({
        code: "custom",
        path: ["deployOnMerge", "environment"],
        message: `must name an environment defined under environments${names.length > 0 ? ` (${names.join(", ")})` : ""}`,
      });
    }
  }
  if (onMerge.onPush === true && onMerge.environment === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["deployOnMerge", "onPush"],
      message: "needs deployOnMerge.environment: pushes deploy where merges do",
    });
  }
}

/** Each `after:` names another environment of the file, and following them never loops. */
function checkDeploymentOrder(
  environments: Readonly<Record<string, unknown>>,
  names: readonly string[],
  ctx: z.RefinementCtx,
): void {
  const predecessorOf = new Map<string, string>();
  for (const name of names) {
    const settings = environments[name];
    const after = isMapping(settings) ? settings.after : undefined;
    if (typeof after !== "string") continue;
    const path = ["environments", name, "after"];
    if (after === name) {
      ctx.addIssue({ code: "custom", path, message: "must name another environment, not this one" });
    } else if (!names.includes(after)) {
      const others = names.filter((other) => other !== name);
      ctx.addIssue({
        code: "custom",
        path,
        message: `must name another environment defined under environments${others.length > 0 ? ` (${others.join(", ")})` : ""}`,
      });
    } else {
      predecessorOf.set(name, after);
    }
  }
  for (const name of predecessorOf.keys()) {
    const loop = orderLoopThrough(name, predecessorOf);
    if (loop === undefined) continue;
    ctx.addIssue({
      code: "custom",
      path: ["environments", name, "after"],
      message: `forms a loop (${renderOrderLoop(loop)}): no environment on it could ever be deployed first`,
    });
  }
}

function resolve(file: ParsedFile): OpsConfig {
  const environments: Record<string, EnvironmentConfig> = {};
  for (const [name, settings] of Object.entries(file.environments)) {
    const names = resourceNames({ app: file.app, environment: name });
    const { roleArn, url, scaling, after } = settings;
    environments[name] = {
      name,
      region: settings.region,
      cluster: settings.cluster ?? names.cluster,
      service: settings.service ?? names.service,
      container: settings.container ?? PHOENIX_APP.containerName,
      ...(roleArn === undefined ? {} : { roleArn }),
      ...(url === undefined ? {} : { url }),
      requiredApprovals: settings.requiredApprovals,
      requiredChecks: settings.requiredChecks,
      allowedUsers: settings.allowedUsers,
      allowedTeams: settings.allowedTeams,
      allowForks: settings.allowForks,
      ...(scaling === undefined ? {} : { scaling }),
      ...(after === undefined ? {} : { after }),
    };
  }
  const target = file.deployOnMerge?.environment;
  return {
    app: file.app,
    deployOnMerge: target === undefined ? null : { environment: target, onPush: file.deployOnMerge?.onPush ?? false },
    environments,
  };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The environment named `name`, or `undefined`. Looked up by own key only: the names come from
 * comments and events, and a name such as `constructor` or `__proto__` is no environment.
 */
export function environmentNamed(config: OpsConfig, name: string): EnvironmentConfig | undefined {
  return Object.hasOwn(config.environments, name) ? config.environments[name] : undefined;
}
