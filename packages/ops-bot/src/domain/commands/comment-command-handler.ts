import type { Deployer } from "../../ports/deployer.js";
import type { RecordedDeployment, RepositoryGateway } from "../../ports/repository-gateway.js";
import type { Scaler } from "../../ports/scaler.js";
import type { ServiceTarget } from "../../ports/service-target.js";
import type { DeployWorkflow } from "../delivery/deploy-workflow.js";
import { deployDestination, serviceTarget } from "../delivery/service-target.js";
import { errorMessage } from "../error-message.js";
import {
  type EnvironmentConfig,
  environmentNamed,
  OPS_CONFIG_PATH,
  type OpsConfig,
} from "../ops-config/ops-config-schema.js";
import { parseOpsConfig, renderConfigProblems } from "../ops-config/parse-ops-config.js";
import { fitBody, inlineCode, oneLine } from "../rendering/markdown.js";
import { authorizeCollaborator, authorizeForEnvironment } from "./command-authorization.js";
import { COMMAND_USAGE, type OpsCommand, parseCommand, renderCommand } from "./command-grammar.js";
import { checkForkPolicy, checkHeadUnmoved, checkReviewRules } from "./deploy-preconditions.js";
import { renderHelp } from "./help.js";
import { decideScale } from "./scale-decision.js";
import { renderStatus } from "./status-report.js";

/** A new PR comment, as the webhook delivered it. */
export interface CommentCommandInput {
  readonly issueNumber: number;
  readonly isPullRequest: boolean;
  readonly comment: {
    readonly id: number;
    readonly body: string;
    readonly createdAt: string;
    readonly author: string;
    readonly authorIsBot: boolean;
  };
  /**
   * Reads the parsed `.github/phoenix-ops.yml`: `undefined` when absent, an `Error` when
   * unreadable. Called only for commands, after the 👀: most comments cost no API call.
   */
  readonly loadConfig: () => Promise<unknown>;
}

export interface CommentCommandDeps {
  readonly github: RepositoryGateway;
  readonly workflow: DeployWorkflow;
  readonly deployer: Deployer;
  readonly scaler: Scaler;
}

/** What the one reply comment ends with. */
type Reply = { readonly emoji: "🚀" | "😕" | "ℹ️"; readonly text: string };

/**
 * Runs one `/command` from a PR comment: 👀 at once, one reply comment kept up to date, and
 * nothing changed unless every rule holds (access, environment rules, fork policy, the PR
 * not having moved, scaling limits). Deploys continue in the DeployWorkflow, which keeps
 * updating the same reply.
 */
export class CommentCommandHandler {
  constructor(private readonly deps: CommentCommandDeps) {}

  async handle(input: CommentCommandInput): Promise<string> {
    if (input.comment.authorIsBot) return "ignored:bot";
    const parsed = parseCommand(input.comment.body);
    if (parsed.kind === "none") return "ignored:not-a-command";
    if (!input.isPullRequest) return "ignored:not-a-pull-request";

    const { github } = this.deps;
    await github.react(input.comment.id, "eyes");
    // The command as understood, or as typed (made safe: it is the commenter's text).
    const title = inlineCode(
      parsed.kind === "command" ? renderCommand(parsed.command) : (input.comment.body.trim().split("\n")[0] ?? ""),
    );
    const replyId = await github.comment(input.issueNumber, `### ⏳ ${title}\n\nWorking on it…`);
    let reply: Reply | "deploy-continues";
    try {
      reply = await this.decideAndAct(input, parsed, replyId);
    } catch (error) {
      reply = { emoji: "😕", text: errorMessage(error) };
    }
    if (reply === "deploy-continues") return "deploy:started";
    await github.updateComment(replyId, fitBody(`### ${reply.emoji} ${title}\n\n${reply.text}`));
    return `replied:${reply.emoji === "🚀" ? "done" : reply.emoji === "😕" ? "refused" : "info"}`;
  }

  private async decideAndAct(
    input: CommentCommandInput,
    parsed: ReturnType<typeof parseCommand>,
    replyId: number,
  ): Promise<Reply | "deploy-continues"> {
    if (parsed.kind === "none") return { emoji: "ℹ️", text: renderHelp() };
    if (parsed.kind === "unknown") {
      return { emoji: "😕", text: `${inlineCode(`/${parsed.name}`)} is not a command I know.\n\n${renderHelp()}` };
    }
    if (parsed.kind === "invalid") {
      return { emoji: "😕", text: `${parsed.problem}\n\nUsage: \`${parsed.usage}\`` };
    }
    const command = parsed.command;
    if (command.name === "help") return { emoji: "ℹ️", text: renderHelp() };

    const config = this.readConfig(await input.loadConfig());
    if ("refusal" in config) return config.refusal;

    const { github } = this.deps;
    const author = input.comment.author;
    const access = authorizeCollaborator(author, await github.permission(author));
    if (!access.allowed) return { emoji: "😕", text: access.reason };

    const environment = pickEnvironment(config.config, command);
    if ("refusal" in environment) return environment.refusal;
    const env = environment.env;
    const envAccess = await authorizeForEnvironment(author, env, (org, slug) => github.isTeamMember(org, slug, author));
    if (!envAccess.allowed) return { emoji: "😕", text: envAccess.reason };

    const target = serviceTarget(env);
    switch (command.name) {
      case "status":
        return { emoji: "ℹ️", text: await this.status(input, env, target) };
      case "scale":
        return this.scale(env, target, command.bounds);
      case "deploy":
      case "rollback":
        return this.deploy(input, config.config.app, env, target, command.name, replyId);
    }
  }

  private readConfig(raw: unknown): { config: OpsConfig } | { refusal: Reply } {
    if (raw === undefined || raw === null) {
      return {
        refusal: { emoji: "😕", text: `This repository has no \`${OPS_CONFIG_PATH}\`, so there is nothing to act on.` },
      };
    }
    if (raw instanceof Error) {
      return { refusal: { emoji: "😕", text: `\`${OPS_CONFIG_PATH}\` could not be read: ${oneLine(raw.message)}` } };
    }
    const parsed = parseOpsConfig(raw);
    if (!parsed.ok) {
      return {
        refusal: {
          emoji: "😕",
          text: `\`${OPS_CONFIG_PATH}\` is invalid; nothing was done.\n\n${renderConfigProblems(parsed.problems)}`,
        },
      };
    }
    return { config: parsed.config };
  }

  private async status(input: CommentCommandInput, env: EnvironmentConfig, target: ServiceTarget): Promise<string> {
    const { github, deployer, scaler } = this.deps;
    const [live, lastDeployment, pullRequest, bounds] = await Promise.all([
      deployer.live(target),
      github.findSuccessfulDeployment(env.name),
      github.pullRequest(input.issueNumber),
      scaler.bounds(target).catch(() => undefined),
    ]);
    return renderStatus({ environment: env.name, live, lastDeployment, pullRequest, bounds });
  }

  private async scale(
    env: EnvironmentConfig,
    target: ServiceTarget,
    requested: Extract<OpsCommand, { name: "scale" }>["bounds"],
  ): Promise<Reply> {
    const decision = decideScale(env, requested);
    if (decision.kind === "refuse") return { emoji: "😕", text: decision.reason };
    const before = await this.deps.scaler.bounds(target);
    await this.deps.scaler.setBounds(target, decision.bounds);
    const { min, max } = decision.bounds;
    return {
      emoji: "🚀",
      text: `**${env.name}** now scales between ${min} and ${max} tasks (was ${before.min}-${before.max}). Application Auto Scaling moves the desired count within these bounds.`,
    };
  }

  private async deploy(
    input: CommentCommandInput,
    app: string,
    env: EnvironmentConfig,
    target: ServiceTarget,
    kind: "deploy" | "rollback",
    replyId: number,
  ): Promise<Reply | "deploy-continues"> {
    const { github } = this.deps;
    const pullRequest = await github.pullRequest(input.issueNumber);
    const fork = checkForkPolicy(pullRequest, env);
    if (!fork.ok) return { emoji: "😕", text: fork.reason };

    let rollbackTo: RecordedDeployment | undefined;
    let sha = pullRequest.headSha;
    if (kind === "deploy") {
      if (pullRequest.state !== "open")
        return { emoji: "😕", text: `#${pullRequest.number} is closed; nothing to deploy.` };
      const moved = checkHeadUnmoved(sha, await github.commitDate(sha), new Date(input.comment.createdAt));
      if (!moved.ok) return { emoji: "😕", text: `Stopped: ${moved.reason}` };
      const [approvers, checks] = await Promise.all([
        github.approvers(pullRequest.number),
        github.successfulChecks(sha),
      ]);
      const rules = checkReviewRules(env, approvers, checks);
      if (!rules.ok) return { emoji: "😕", text: rules.reason };
    } else {
      const live = await this.deps.deployer.live(target);
      rollbackTo = await github.findSuccessfulDeployment(
        env.name,
        (deployment) => deployment.payload.taskDefinitionArn !== live.taskDefinitionArn,
      );
      if (!rollbackTo) {
        return {
          emoji: "😕",
          text: `No earlier successful deployment of **${env.name}** differs from what runs now; nothing to roll back to.`,
        };
      }
      sha = rollbackTo.sha;
    }

    const started = await this.deps.workflow.start({
      id: `comment/${github.repository.owner}/${github.repository.repo}/${input.comment.id}`,
      repository: github.repository,
      ...deployDestination(app, env),
      sha,
      trigger: { kind, actor: input.comment.author, pullRequest: pullRequest.number },
      progress: { issueNumber: input.issueNumber, commentId: replyId },
      ...(rollbackTo ? { rollbackTo } : {}),
    });
    switch (started.outcome) {
      case "locked":
        return { emoji: "😕", text: started.message };
      case "refused":
        return { emoji: "😕", text: started.reason };
      case "duplicate":
        return { emoji: "ℹ️", text: "This command was already carried out." };
      case "started":
      case "failed":
        return "deploy-continues";
    }
  }
}

function pickEnvironment(
  config: OpsConfig,
  command: Exclude<OpsCommand, { name: "help" }>,
): { env: EnvironmentConfig } | { refusal: Reply } {
  const names = Object.keys(config.environments);
  const known = names.map((name) => inlineCode(name)).join(", ");
  const wanted =
    command.environment ?? config.deployOnMerge?.environment ?? (names.length === 1 ? names[0] : undefined);
  if (!wanted) {
    return {
      refusal: { emoji: "😕", text: `Name the environment: ${known}. Usage: \`${COMMAND_USAGE[command.name]}\`` },
    };
  }
  const env = environmentNamed(config, wanted);
  if (!env)
    return { refusal: { emoji: "😕", text: `Unknown environment ${inlineCode(wanted)}; configured: ${known}.` } };
  return { env };
}
