export { EXAMPLE_OPS_CONFIG_YAML } from "./example-ops-config.js";
export {
  DEFAULT_APP,
  type DeployOnMergePolicy,
  type EnvironmentConfig,
  MAX_REQUIRED_APPROVALS,
  MAX_SCALE_TASKS,
  OPS_CONFIG_FILE_NAME,
  OPS_CONFIG_PATH,
  type OpsConfig,
  opsConfigSchema,
  type ScaleBounds,
  type ScalingPolicy,
} from "./ops-config-schema.js";
export { type ConfigProblem, type OpsConfigParse, parseOpsConfig, renderConfigProblems } from "./parse-ops-config.js";
