/** The pino-style logger of the bot (and of Probot). Never given a message body or a secret. */
export interface OpsLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}
