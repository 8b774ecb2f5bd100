// The public entry point: what another repository imports from @phoenix/infra.

// Database
export { PhoenixDatabase, type PhoenixDatabaseProps } from "./database/phoenix-database.js";
export { ImageBuildProject, type ImageBuildProjectProps } from "./delivery/image-build-project.js";
// Delivery (requirement 5)
export { ImageRepository, type ImageRepositoryProps } from "./delivery/image-repository.js";
// Network
export {
  PHOENIX_SUBNET_GROUPS,
  PhoenixNetwork,
  type PhoenixNetworkEndpoints,
  type PhoenixNetworkProps,
} from "./network/phoenix-network.js";
// Logs, alarms and events (requirements 3 and 4)
export { ALLOWED_RETENTION_DAYS, AppLogGroup, type AppLogGroupProps } from "./observability/app-log-group.js";
export { OpsBotAlarms, type OpsBotAlarmsProps } from "./observability/ops-bot-alarms.js";
export { OpsEventRules, type OpsEventRulesProps, type OpsRules } from "./observability/ops-event-rules.js";
export { PhoenixAlarms, type PhoenixAlarmsProps, type PhoenixServiceAlarms } from "./observability/service-alarms.js";
// Ops bot hosting and state
export { OPS_BOT_BUNDLE_HANDLER, OpsBotBundleNotFoundError, opsBotBundleDirectory } from "./ops-bot/ops-bot-bundle.js";
export { OpsBotFunction, type OpsBotFunctionProps } from "./ops-bot/ops-bot-function.js";
export { OpsLedgerTable, type OpsLedgerTableProps } from "./ops-bot/ops-ledger-table.js";
export { ReconcilerSchedule, type ReconcilerScheduleProps } from "./ops-bot/reconciler-schedule.js";
// Service and scaling (requirements 2 and 6)
export {
  CDK_DEFAULT_ROLLOUT_SETTINGS,
  FARGATE_MEMORY_BY_CPU,
  PHOENIX_ROLLOUT_SETTINGS,
  PhoenixService,
  type PhoenixServiceProps,
  type RolloutSettings,
  worstCaseRolloutSeconds,
} from "./service/phoenix-service.js";
export { PhoenixServiceScaling, type PhoenixServiceScalingProps } from "./service/service-scaling.js";
// The ready stack and CDK app (requirement 1)
export { environmentConfig, PHOENIX_ENVIRONMENTS, type PhoenixEnvironmentConfig } from "./stack/environments.js";
export { buildPhoenixApp } from "./stack/phoenix-app.js";
export { PhoenixStack, type PhoenixStackProps } from "./stack/phoenix-stack.js";
// Prop validation
export { PropValidationError } from "./validation/prop-validation.js";
