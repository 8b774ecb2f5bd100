export { OPS_BOT_ENV } from "./environment-variables.js";
export {
  type DeploymentIdentity,
  InvalidResourceNameError,
  type PhoenixResourceNames,
  resourceNames,
} from "./resource-names.js";
