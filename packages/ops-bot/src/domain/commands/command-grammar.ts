import { environmentNameProblem } from "../ops-config/environment-name.js";
import { MAX_SCALE_TASKS } from "../ops-config/ops-config-schema.js";
import { inlineCode } from "../rendering/markdown.js";

/** A pull-request comment command the ops bot obeys. */
export type OpsCommand =
  | { readonly name: "deploy"; readonly environment?: string }
  | { readonly name: "rollback"; readonly environment?: string }
  | {
      readonly name: "scale";
      readonly environment: string;
      readonly bounds: { readonly min: number; readonly max: number } | "reset";
    }
  | { readonly name: "status"; readonly environment?: string }
  | { readonly name: "help" };

export type CommandParse =
  /** The comment is not a command: its first non-empty line does not start with `/<name>`. */
  | { readonly kind: "none" }
  | { readonly kind: "command"; readonly command: OpsCommand }
  /** `/foo`: a command-shaped word the bot does not know; the bot answers with `/help`. */
  | { readonly kind: "unknown"; readonly name: string }
  /** A known command with wrong arguments; `problem` says what is wrong, `usage` how to write it. */
  | { readonly kind: "invalid"; readonly name: OpsCommand["name"]; readonly problem: string; readonly usage: string };

type CommandName = OpsCommand["name"];

/** Each way to write each command, with what it does: the source of both usage lines and help. */
export const COMMAND_FORMS: Readonly<
  Record<CommandName, readonly { readonly usage: string; readonly does: string }[]>
> = {
  deploy: [{ usage: "/deploy [environment]", does: "Deploy this pull request's head commit to the environment." }],
  rollback: [{ usage: "/rollback [environment]", does: "Roll the environment back to its previous deployment." }],
  scale: [
    {
      usage: "/scale <environment> <min>[-<max>]",
      does: "Set the environment's minimum and maximum task count; one number sets both.",
    },
    {
      usage: "/scale <environment> reset",
      does: "Restore the environment's default task counts from the ops config.",
    },
  ],
  status: [{ usage: "/status [environment]", does: "Show what is deployed and running in the environment." }],
  help: [{ usage: "/help", does: "Show this list." }],
};

/** How each command is written, e.g. `/scale <environment> <min>[-<max>] | /scale <environment> reset`. */
export const COMMAND_USAGE: Readonly<Record<CommandName, string>> = {
  deploy: usageOf("deploy"),
  rollback: usageOf("rollback"),
  scale: usageOf("scale"),
  status: usageOf("status"),
  help: usageOf("help"),
};

function usageOf(name: CommandName): string {
  return COMMAND_FORMS[name].map((form) => form.usage).join(" | ");
}

// Anything else on the first line (a URL, a path such as /usr/bin, "/", "/Deploy") is prose,
// not a command, so the bot stays quiet instead of answering with help.
const COMMAND_WORD = /^\/([a-z][a-z0-9-]*)$/;
const TOKEN_SEPARATOR = /[ \t]+/;
const LINE_BREAK = /\r\n|\r|\n/;
const TASK_COUNTS = /^(\d+)(?:-(\d+))?$/;
// "-2", or "2--4" whose max is -4.
const NEGATIVE = /^-|--/;

const NONE: CommandParse = { kind: "none" };

/**
 * Reads the command in the first non-empty line of a comment; later lines are free text.
 * Never throws. Whether the environment exists or the counts fit its scaling policy is the
 * bot's check, not the grammar's.
 */
export function parseCommand(commentBody: string): CommandParse {
  if (typeof commentBody !== "string") return NONE;
  const line = firstNonEmptyLine(commentBody);
  if (line === undefined) return NONE;
  const [word = "", ...args] = line.split(TOKEN_SEPARATOR);
  const name = COMMAND_WORD.exec(word)?.[1];
  if (name === undefined) return NONE;
  if (!isCommandName(name)) return { kind: "unknown", name };
  const parsed = name === "help" ? parseHelp(args) : name === "scale" ? parseScale(args) : parseTargeted(name, args);
  return typeof parsed === "string"
    ? { kind: "invalid", name, problem: parsed, usage: COMMAND_USAGE[name] }
    : { kind: "command", command: parsed };
}

/** The canonical text of a command: what `parseCommand` reads back as the same command. */
export function renderCommand(command: OpsCommand): string {
  switch (command.name) {
    case "help":
      return "/help";
    case "scale": {
      const { bounds } = command;
      const counts =
        bounds === "reset" ? "reset" : bounds.min === bounds.max ? `${bounds.min}` : `${bounds.min}-${bounds.max}`;
      return `/scale ${command.environment} ${counts}`;
    }
    default:
      return command.environment === undefined ? `/${command.name}` : `/${command.name} ${command.environment}`;
  }
}

function firstNonEmptyLine(text: string): string | undefined {
  for (const line of text.split(LINE_BREAK)) {
    const trimmed = line.trim();
    if (trimmed !== "") return trimmed;
  }
  return undefined;
}

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_FORMS, name);
}

// Each parser answers the command or the problem with it.

function parseHelp(args: readonly string[]): OpsCommand | string {
  return args.length === 0 ? { name: "help" } : `/help takes no arguments, but got ${describe(args)}`;
}

function parseTargeted(name: "deploy" | "rollback" | "status", args: readonly string[]): OpsCommand | string {
  const [environment, ...extra] = args;
  if (extra.length > 0) return `/${name} takes at most an environment, but got also ${describe(extra)}`;
  if (environment === undefined) return { name };
  return environmentProblem(environment) ?? { name, environment };
}

function parseScale(args: readonly string[]): OpsCommand | string {
  const [environment, counts, ...extra] = args;
  if (environment === undefined) return "/scale needs an environment and task counts";
  if (counts === undefined && (environment === "reset" || /^[-+\d]/.test(environment))) {
    return `/scale needs an environment before ${inlineCode(environment)}`;
  }
  const problem = environmentProblem(environment);
  if (problem !== undefined) return problem;
  if (counts === undefined) return `/scale needs task counts after the environment: <min>[-<max>] or reset`;
  if (extra.length > 0) return `/scale takes an environment and task counts, but got also ${describe(extra)}`;
  if (counts === "reset") return { name: "scale", environment, bounds: "reset" };
  const bounds = parseTaskCounts(counts);
  return typeof bounds === "string" ? bounds : { name: "scale", environment, bounds };
}

function parseTaskCounts(text: string): { readonly min: number; readonly max: number } | string {
  if (NEGATIVE.test(text)) return `task counts cannot be negative: ${inlineCode(text)}`;
  if (text.includes("+")) return `write task counts without a sign: ${inlineCode(text)}`;
  const match = TASK_COUNTS.exec(text);
  if (match === null) return `${inlineCode(text)} is not a task count: give <min>[-<max>] (e.g. 2 or 2-4) or reset`;
  const [, minDigits = "", maxDigits = minDigits] = match;
  for (const digits of [minDigits, maxDigits]) {
    if (Number(digits) > MAX_SCALE_TASKS)
      return `${shorten(digits)} is more than ${MAX_SCALE_TASKS}, the most tasks /scale sets`;
  }
  const min = Number(minDigits);
  const max = Number(maxDigits);
  if (min > max) return `min ${min} is greater than max ${max}`;
  return { min, max };
}

function environmentProblem(environment: string): string | undefined {
  const problem = environmentNameProblem(environment);
  return problem === undefined ? undefined : `${inlineCode(environment)} is not an environment name: it ${problem}`;
}

function describe(args: readonly string[]): string {
  return inlineCode(args.join(" "));
}

function shorten(digits: string): string {
  return digits.length > 12 ? `${digits.slice(0, 12)}…` : digits;
}
