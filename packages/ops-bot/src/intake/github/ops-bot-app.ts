import type { Context, Probot } from "probot";
import { CommentCommandHandler } from "../../domain/commands/comment-command-handler.js";
import { handleOnce } from "../../domain/coordination/handle-once.js";
import type { DeployWorkflow } from "../../domain/delivery/deploy-workflow.js";
import { deployLandedChange, type LandedChange } from "../../domain/delivery/merge-deploy.js";
import { ledgerKeys } from "../../domain/ledger-keys.js";
import { OPS_CONFIG_FILE_NAME } from "../../domain/ops-config/ops-config-schema.js";
import type { Deployer } from "../../ports/deployer.js";
import type { Ledger } from "../../ports/ledger.js";
import type { RepositoryGateway, RepositoryRef } from "../../ports/repository-gateway.js";
import type { Scaler } from "../../ports/scaler.js";

/** What the webhook handlers act through. */
export interface WebhookServices {
  readonly workflow: DeployWorkflow;
  readonly deployer: Deployer;
  readonly scaler: Scaler;
  readonly ledger: Ledger;
  /** The repository a webhook came from, acted on with the webhook's own installation token. */
  readonly repositoryGateway: (octokit: Context["octokit"], repository: RepositoryRef) => RepositoryGateway;
}

/**
 * The Probot application: the GitHub events the bot acts on. Each handler is thin: it turns
 * the webhook into the handler's input and runs it once per delivery (GitHub redelivers with
 * the same delivery id). Alarm and crash issues are driven by AWS inputs (AwsInputRouter).
 */
export function opsBotApp(services: WebhookServices | undefined) {
  return (app: Probot): void => {
    app.onError(async (error) => {
      app.log.error({ err: error }, "webhook handler failed");
    });
    if (!services) return;
    const { ledger } = services;

    // Only new comments: an edited comment could re-run a command someone already reviewed.
    app.on("issue_comment.created", async (context) => {
      const { comment, issue } = context.payload;
      const outcome = await once(context, async () => {
        const handler = new CommentCommandHandler({
          github: gateway(services, context),
          workflow: services.workflow,
          deployer: services.deployer,
          scaler: services.scaler,
        });
        return handler.handle({
          issueNumber: issue.number,
          isPullRequest: issue.pull_request !== undefined,
          comment: {
            id: comment.id,
            body: comment.body,
            createdAt: comment.created_at,
            // A deleted ("ghost") author cannot be authorized: treat it like a bot.
            author: comment.user?.login ?? "ghost",
            authorIsBot: !comment.user || comment.user.type === "Bot" || context.isBot,
          },
          loadConfig: () => readConfig(context),
        });
      });
      context.log.info({ outcome }, "issue_comment handled");
    });

    app.on("pull_request.closed", async (context) => {
      const pr = context.payload.pull_request;
      const change: LandedChange = {
        kind: "merge",
        pullRequest: pr.number,
        merged: pr.merged === true,
        baseRef: pr.base.ref,
        mergeCommitSha: pr.merge_commit_sha,
        mergedBy: pr.merged_by?.login ?? context.payload.sender.login,
      };
      const outcome = await once(context, async () =>
        pr.merged
          ? deployLandedChange(
              { github: gateway(services, context), workflow: services.workflow },
              await readConfig(context),
              context.payload.repository.default_branch,
              change,
            )
          : "skipped:not-merged",
      );
      context.log.info({ outcome }, "pull_request.closed handled");
    });

    app.on("push", async (context) => {
      const { payload } = context;
      const change: LandedChange = {
        kind: "push",
        ref: payload.ref,
        after: payload.after,
        pusher: payload.pusher.name ?? payload.sender?.login ?? "unknown",
        deleted: payload.deleted,
      };
      const outcome = await once(context, async () =>
        deployLandedChange(
          { github: gateway(services, context), workflow: services.workflow },
          await readConfig(context),
          payload.repository.default_branch ?? "main",
          change,
        ),
      );
      context.log.info({ outcome }, "push handled");
    });

    async function once(context: Context, work: () => Promise<string>): Promise<string> {
      const result = await handleOnce(ledger, ledgerKeys.githubDelivery(context.id), work);
      return result.duplicate ? "duplicate-delivery" : result.result;
    }
  };
}

function gateway(
  services: WebhookServices,
  context: Context<"issue_comment.created" | "pull_request.closed" | "push">,
): RepositoryGateway {
  const { owner, repo } = context.repo();
  return services.repositoryGateway(context.octokit, { owner, repo });
}

/** The repository's `.github/phoenix-ops.yml` through Probot's config API; a YAML error is kept as the value. */
async function readConfig(
  context: Context<"issue_comment.created" | "pull_request.closed" | "push">,
): Promise<unknown> {
  try {
    return (await context.config(OPS_CONFIG_FILE_NAME)) ?? undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
