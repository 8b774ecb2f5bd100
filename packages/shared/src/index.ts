export { PHOENIX_APP } from "./app-contract.js";
export * from "./aws-events/index.js";
export * from "./commands/index.js";
export { OPS_BOT_ENV, OPS_BOT_SERVER_ENV, type OpsBotEnvironmentVariable } from "./environment-variables.js";
export {
  codeBuildStatePattern,
  EVENT_DETAIL_TYPES,
  EVENT_SOURCES,
  type EventPattern,
  ecsDeploymentStatePattern,
  ecsTaskStoppedPattern,
  RECONCILE_EVENT,
} from "./event-patterns.js";
export { IMAGE_BUILD_EXPORTED_VARIABLES } from "./image-build.js";
export { OPS_LEDGER_ATTRIBUTES } from "./ledger.js";
export { inlineCode } from "./markdown.js";
export * from "./ops-config/index.js";
export {
  type DeploymentIdentity,
  InvalidResourceNameError,
  type PhoenixResourceNames,
  resourceNames,
} from "./resource-names.js";
