/**
 * Environment variables the infrastructure sets on the ops bot and the bot reads: one
 * spelling for both sides.
 */
export const OPS_BOT_ENV = {
  /**
   * `owner/name` of the default repository: SNS alarm messages (unlabelled) are reported to it
   * and the reconciler scans it. Labelled environment events name their own repository.
   */
  targetRepository: "PHOENIX_TARGET_REPOSITORY",
  /** Secrets Manager ARN of the GitHub App credentials (JSON: appId, privateKey, webhookSecret). */
  githubAppSecretArn: "PHOENIX_GITHUB_APP_SECRET_ARN",
  /** DynamoDB table behind the Ledger port. */
  ledgerTable: "PHOENIX_LEDGER_TABLE",
  /** SNS topic ARNs the bot accepts notifications from (comma-separated). */
  allowedTopicArns: "PHOENIX_ALLOWED_TOPIC_ARNS",
  /** `<registry>/<repository>` the image builds push to; a built image elsewhere is refused. */
  repositoryUri: "PHOENIX_ECR_REPOSITORY_URI",
  /** The CodeBuild project that builds the app image at a commit. */
  buildProject: "PHOENIX_BUILD_PROJECT",
} as const;

/**
 * Variables only the bot's plain server reads (local default, self-hosting): in AWS the bot
 * runs as a Lambda, takes events from EventBridge directly and keeps its Ledger in DynamoDB.
 */
export const OPS_BOT_SERVER_ENV = {
  /** Shared secret EventBridge API destinations send in a header. */
  eventsSharedSecret: "PHOENIX_EVENTS_SECRET",
  /** File of the embedded Ledger when no DynamoDB table is configured. */
  ledgerFile: "PHOENIX_LEDGER_FILE",
} as const;
