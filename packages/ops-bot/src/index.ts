export { BotConfigError, readTargetRepository, type TargetRepository } from "./config/target-repository.js";
