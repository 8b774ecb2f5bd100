/** The pino-style logger Probot hands out. Never given a message body or a secret. */
export interface IntakeLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}
