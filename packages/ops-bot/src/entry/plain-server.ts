// `pnpm --filter @phoenix/ops-bot start`: the bot as a plain server. Probot reads its standard
// variables (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, PORT, LOG_LEVEL); the rest are documented in
// the README and read by readBotSettings.
import { createProbot } from "probot";
import { createBotLogger } from "../wiring/bot-logger.js";
import { readBotSettings } from "../wiring/bot-settings.js";
import { createPlainServer } from "../wiring/plain-server.js";
import { BotConfigError } from "../wiring/target-repository.js";

const SHUTDOWN_TIMEOUT_MS = 8_000;

let settings: ReturnType<typeof readBotSettings>;
try {
  settings = readBotSettings(process.env);
} catch (error) {
  if (!(error instanceof BotConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const logger = createBotLogger(process.env.LOG_LEVEL ?? "info");
const bot = await createPlainServer({
  probot: createProbot({ env: process.env, overrides: { log: logger } }),
  settings,
  // The SDK also honours AWS_ENDPOINT_URL, which points it at a stand-in such as moto.
  aws: { region: settings.region },
  logger,
});

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";
bot.server.listen(port, host, () => {
  const address = bot.server.address();
  logger.info(
    {
      port: typeof address === "object" && address ? address.port : port,
      repository: `${settings.targetRepository.owner}/${settings.targetRepository.repo}`,
    },
    "ops bot listening",
  );
});

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "ops bot shutting down");
    void bot.close(SHUTDOWN_TIMEOUT_MS).then(() => process.exit(0));
  });
}
