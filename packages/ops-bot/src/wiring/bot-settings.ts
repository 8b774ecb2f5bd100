import { OPS_BOT_ENV, OPS_BOT_SERVER_ENV } from "@phoenix/shared";
import { z } from "zod";
import type { AlarmKind } from "../domain/notifications/alarm-kind.js";
import type { RepositoryRef } from "../ports/repository-gateway.js";
import { BotConfigError, readTargetRepository } from "./target-repository.js";

/** Everything the bot reads from its environment besides Probot's own APP_ID / PRIVATE_KEY / WEBHOOK_SECRET. */
export interface BotSettings {
  /**
   * The default repository: alarm messages arriving by SNS (which carry no labels) are reported
   * to it, and the reconciler scans its environments. Labelled events name their own.
   */
  readonly targetRepository: RepositoryRef;
  readonly region: string;
  /** SNS topics whose notifications are accepted; anything else is refused before any fetch. */
  readonly allowedTopicArns: readonly string[];
  /** `undefined` disables the EventBridge API-destination endpoint. */
  readonly eventsSharedSecret: string | undefined;
  readonly ledger:
    | { readonly kind: "dynamodb"; readonly table: string }
    | { readonly kind: "embedded"; readonly file: string };
  readonly alarmIssues: {
    /** The label of each alarm kind's issues. */
    readonly labels: Readonly<Record<AlarmKind, string>>;
    readonly commentIntervalMs: number;
    readonly closeOnOk: boolean;
  };
  readonly crashLabel: string;
  readonly storm: { readonly maxNewIssues: number; readonly windowSeconds: number };
  readonly delivery: {
    /** Longest a deploy may take, build and rollout together; its lock expires with it. */
    readonly timeoutMinutes: number;
    /** How often the plain server re-reads in-flight deploys (in AWS, an EventBridge schedule does). */
    readonly reconcileIntervalSeconds: number;
    /** The image build in AWS; absent, deploys need an injected builder (the local sandbox). */
    readonly codeBuild: { readonly project: string; readonly repositoryUri: string } | undefined;
  };
}

const positiveInt = z
  .string()
  .regex(/^\d+$/, "must be a whole number")
  .transform(Number)
  .pipe(z.number().int().positive());

const schema = z.object({
  [OPS_BOT_ENV.allowedTopicArns]: z.string().default(""),
  [OPS_BOT_SERVER_ENV.eventsSharedSecret]: z.string().min(32, "must be at least 32 characters").optional(),
  [OPS_BOT_ENV.ledgerTable]: z.string().min(1).optional(),
  [OPS_BOT_SERVER_ENV.ledgerFile]: z.string().min(1).default(".phoenix-local/ops-ledger.json"),
  AWS_REGION: z.string().min(1).default("eu-west-1"),
  PHOENIX_CPU_ISSUE_LABEL: z.string().min(1).default("ops:cpu"),
  PHOENIX_5XX_ISSUE_LABEL: z.string().min(1).default("ops:5xx"),
  PHOENIX_LB_5XX_ISSUE_LABEL: z.string().min(1).default("ops:lb-5xx"),
  PHOENIX_UNHEALTHY_ISSUE_LABEL: z.string().min(1).default("ops:unhealthy"),
  PHOENIX_CRASH_ISSUE_LABEL: z.string().min(1).default("ops:crash"),
  PHOENIX_ALARM_COMMENT_INTERVAL_MINUTES: positiveInt.default(15),
  PHOENIX_CLOSE_ISSUE_ON_OK: z.enum(["true", "false"]).default("true"),
  PHOENIX_MAX_NEW_ISSUES_PER_HOUR: positiveInt.default(10),
  PHOENIX_DEPLOY_TIMEOUT_MINUTES: positiveInt.default(30),
  PHOENIX_RECONCILE_INTERVAL_SECONDS: positiveInt.default(60),
  [OPS_BOT_ENV.buildProject]: z.string().min(1).optional(),
  [OPS_BOT_ENV.repositoryUri]: z.string().min(1).optional(),
});

/**
 * The variables the bot reads, by name, as strings: what a host sets in the environment. The
 * sandbox, the tests and the benches build their settings from one of these too, through
 * `readBotSettings`, so a setting they use is one production can be given.
 */
export type BotEnvironment = { readonly [name in typeof OPS_BOT_ENV.targetRepository]?: string } & {
  readonly [name in keyof z.input<typeof schema>]?: string;
};

export function readBotSettings(env: BotEnvironment | NodeJS.ProcessEnv): BotSettings {
  const targetRepository = readTargetRepository(env);
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new BotConfigError(
      `config: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
    );
  }
  const vars = parsed.data;
  const table = vars[OPS_BOT_ENV.ledgerTable];
  return {
    targetRepository,
    region: vars.AWS_REGION,
    allowedTopicArns: vars[OPS_BOT_ENV.allowedTopicArns]
      .split(",")
      .map((arn) => arn.trim())
      .filter(Boolean),
    eventsSharedSecret: vars[OPS_BOT_SERVER_ENV.eventsSharedSecret],
    ledger: table ? { kind: "dynamodb", table } : { kind: "embedded", file: vars[OPS_BOT_SERVER_ENV.ledgerFile] },
    alarmIssues: {
      labels: {
        cpu: vars.PHOENIX_CPU_ISSUE_LABEL,
        "target-5xx": vars.PHOENIX_5XX_ISSUE_LABEL,
        "lb-5xx": vars.PHOENIX_LB_5XX_ISSUE_LABEL,
        "unhealthy-hosts": vars.PHOENIX_UNHEALTHY_ISSUE_LABEL,
      },
      commentIntervalMs: vars.PHOENIX_ALARM_COMMENT_INTERVAL_MINUTES * 60_000,
      closeOnOk: vars.PHOENIX_CLOSE_ISSUE_ON_OK === "true",
    },
    crashLabel: vars.PHOENIX_CRASH_ISSUE_LABEL,
    storm: { maxNewIssues: vars.PHOENIX_MAX_NEW_ISSUES_PER_HOUR, windowSeconds: 3600 },
    delivery: {
      timeoutMinutes: vars.PHOENIX_DEPLOY_TIMEOUT_MINUTES,
      reconcileIntervalSeconds: vars.PHOENIX_RECONCILE_INTERVAL_SECONDS,
      codeBuild: codeBuildSettings(vars[OPS_BOT_ENV.buildProject], vars[OPS_BOT_ENV.repositoryUri]),
    },
  };
}

function codeBuildSettings(
  project: string | undefined,
  repositoryUri: string | undefined,
): BotSettings["delivery"]["codeBuild"] {
  if (!project && !repositoryUri) return undefined;
  if (!project || !repositoryUri) {
    throw new BotConfigError(
      `config: ${OPS_BOT_ENV.buildProject} and ${OPS_BOT_ENV.repositoryUri} go together (the project pushes to that repository)`,
    );
  }
  return { project, repositoryUri };
}
