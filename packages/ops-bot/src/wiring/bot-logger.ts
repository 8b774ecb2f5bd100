import { type Logger, pino } from "pino";

/**
 * The bot's one logger, handed to Probot as well: webhook handling (`context.log`) and the bot's
 * own lines come out as the same JSON, tagged with the service. Probot's own default would be
 * a second logger writing pretty-printed text.
 */
export function createBotLogger(level: string): Logger {
  return pino({ level, base: { service: "phoenix-ops-bot" } });
}
