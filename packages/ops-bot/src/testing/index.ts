// `@phoenix/ops-bot/testing`: what the sandbox and other packages' tests need to give the bot a
// realistic world. Not part of the bot's production path (the Lambda bundle never imports it).

export { inMotoAccount, MOTO_DEFAULT_ACCOUNT } from "./moto-accounts.js";
export { type StagingEnvironment, stagingOpsConfigYaml } from "./staging-ops-config.js";
