// What two or more packages must agree on: the app's container contract (app, infra, bot,
// sandbox), the names of the AWS resources (infra, bot, sandbox), the environment variables the
// infra sets on the bot, the labels an environment's events carry to the bot, the event patterns the infra's rules match and the bot parses, the
// variables an image build exports, the Ledger table's key attributes, and the bot's Lambda
// runtime (the infra deploys on it, the bot's bundle is compiled for it).
export { PHOENIX_APP } from "./app-contract.js";
export {
  ENVIRONMENT_LABELS_KEY,
  type EnvironmentLabels,
  type LabelledEnvironmentEvent,
  labelledEventInputTemplate,
  WHOLE_EVENT_VARIABLE,
} from "./environment-event.js";
export { OPS_BOT_ENV, OPS_BOT_SERVER_ENV } from "./environment-variables.js";
export {
  cloudWatchAlarmStatePattern,
  codeBuildStatePattern,
  EVENT_DETAIL_TYPES,
  EVENT_SOURCES,
  type EventPattern,
  ecsDeploymentStatePattern,
  ecsTaskStoppedPattern,
  RECONCILE_EVENT,
} from "./event-patterns.js";
export { IMAGE_BUILD_EXPORTED_VARIABLES } from "./image-build.js";
export {
  DOCKER_HUB_REGISTRY,
  formatImageReference,
  type ImageReference,
  InvalidImageReferenceError,
  imageReference,
  parseImageReference,
  tryParseImageReference,
} from "./image-reference.js";
export { OPS_BOT_LAMBDA_RUNTIME } from "./lambda-runtime.js";
export { OPS_LEDGER_ATTRIBUTES } from "./ledger.js";
export {
  type DeploymentIdentity,
  InvalidResourceNameError,
  opsResourceNames,
  type PhoenixOpsResourceNames,
  type PhoenixResourceNames,
  resourceNames,
} from "./resource-names.js";
