// The public entry point: what another repository imports from @phoenix/infra.

// Configuration (requirement 7: environments are configuration)
export {
  PHOENIX_CONFIG_CONTEXT,
  PHOENIX_CONFIG_FILE_CONTEXT,
  phoenixConfigFromContext,
} from "./config/config-source.js";
export {
  ecrRegistry,
  type PhoenixConfig,
  PhoenixConfigError,
  type PhoenixEnvironmentSettings,
  type PhoenixOpsLocation,
  parsePhoenixConfig,
} from "./config/phoenix-config.js";
// Database
export { PhoenixDatabase, type PhoenixDatabaseProps } from "./database/phoenix-database.js";
// Delivery (requirement 5) and the bot's access to an environment
export {
  DEPLOYER_WILDCARD_ACTIONS,
  DeployerRole,
  type DeployerRoleProps,
} from "./delivery/deployer-role.js";
export { ImageBuildProject, type ImageBuildProjectProps } from "./delivery/image-build-project.js";
export { IMAGE_PULL_ACTIONS, ImageRepository, type ImageRepositoryProps } from "./delivery/image-repository.js";
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
export {
  EnvironmentEventRules,
  type EnvironmentEventRulesProps,
  type EnvironmentRules,
  ImageBuildStateRule,
  type ImageBuildStateRuleProps,
  LabelledEventInput,
} from "./observability/ops-event-rules.js";
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
// The ready stacks and CDK app (requirement 1)
export {
  buildPhoenixApp,
  type CloudFormationResource,
  type CloudFormationTemplate,
  PHOENIX_STACK_NAMES,
  type PhoenixAppOptions,
  type PhoenixAppStacks,
  type PhoenixStackKind,
  type PhoenixTemplates,
  type SynthesizedPhoenixStack,
  synthesizePhoenixTemplates,
} from "./stack/phoenix-app.js";
export { PhoenixEnvironmentStack, type PhoenixEnvironmentStackProps } from "./stack/phoenix-environment-stack.js";
export { PhoenixLiveImageStack, type PhoenixLiveImageStackProps } from "./stack/phoenix-live-image-stack.js";
export { type OpsBotCode, PhoenixOpsStack, type PhoenixOpsStackProps } from "./stack/phoenix-ops-stack.js";
export {
  type AccountRegion,
  type EnvironmentArns,
  environmentArns,
  type OpsArns,
  opsArns,
  otherEnvironmentAccounts,
} from "./stack/topology.js";
// Reading synthesized templates (the deployability suite, the IAM check of the bot's calls, the sandbox)
export * from "./template/index.js";
// Prop validation
export { PropValidationError } from "./validation/prop-validation.js";
