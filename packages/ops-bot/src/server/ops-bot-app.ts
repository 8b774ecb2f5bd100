import type { Probot } from "probot";

/**
 * The Probot application: the GitHub events the bot acts on. Alarm and crash issues are
 * driven by AWS inputs (see AwsInputRouter); pull-request commands and merges register here.
 */
export function opsBotApp(app: Probot): void {
  app.onError(async (error) => {
    app.log.error({ err: error }, "webhook handler failed");
  });
}
