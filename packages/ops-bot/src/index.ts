export { BotConfigError, readTargetRepository, type TargetRepository } from "./config/target-repository.js";
// Daemonless OCI image builder (images/oci): the ImageBuilder adapter and what benches and the local sandbox need.
export {
  type DeployableApp,
  type DeployableAppOptions,
  prepareDeployableApp,
} from "./images/oci/deployable-app.js";
export type { ImageRuntimeConfig } from "./images/oci/image-assembly.js";
export { type ImageLayer, LayerCache } from "./images/oci/image-layer.js";
export { type ImageReference, parseImageReference } from "./images/oci/image-reference.js";
export {
  type LocalNodeBaseImage,
  type LocalNodeBaseImageOptions,
  pushLocalNodeBaseImage,
} from "./images/oci/local-base-image.js";
export {
  type OciBuildReport,
  OciImageBuilder,
  type OciImageBuilderOptions,
  type RegistryDestination,
} from "./images/oci/oci-image-builder.js";
export {
  credentialsFromAuthorizationToken,
  type RegistryCredentials,
  type RegistryCredentialsProvider,
} from "./images/oci/registry-auth.js";
export { type FetchFunction, RegistryClient, type RegistryClientOptions } from "./images/oci/registry-client.js";
