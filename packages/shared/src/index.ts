export { PHOENIX_APP } from "./app-contract.js";
export { OPS_BOT_ENV, type OpsBotEnvironmentVariable } from "./environment-variables.js";
export {
  codeBuildStatePattern,
  EVENT_DETAIL_TYPES,
  EVENT_SOURCES,
  type EventPattern,
  ecsDeploymentStatePattern,
  ecsTaskStoppedPattern,
  RECONCILE_EVENT,
} from "./event-patterns.js";
export {
  type DeploymentIdentity,
  InvalidResourceNameError,
  type PhoenixResourceNames,
  resourceNames,
} from "./resource-names.js";
