// @phoenix/oci-builder: builds OCI images of a deployable Node app directory without a Docker
// daemon (deterministic tar layers, an OCI config and manifest assembled from bytes) and pushes
// them to any OCI distribution registry (ECR, docker-registry). Same input, same digest.
export { type DeployableApp, type DeployableAppOptions, prepareDeployableApp } from "./deployable-app.js";
export {
  decodeAuthorizationToken,
  type EcrRegistryCredentials,
  type EcrRegistryCredentialsOptions,
  ecrRegistryCredentials,
} from "./ecr-registry-credentials.js";
export type { ImageRuntimeConfig } from "./image-assembly.js";
export { type ImageLayer, LayerCache } from "./image-layer.js";
export type { PushedImage } from "./image-push.js";
export { type LocalNodeBaseImage, type LocalNodeBaseImageOptions, pushLocalNodeBaseImage } from "./local-base-image.js";
export { OciBuildError } from "./oci-build-error.js";
export {
  type OciBuildReport,
  type OciBuildRequest,
  type OciBuiltImage,
  OciImageBuilder,
  type OciImageBuilderOptions,
  type RegistryDestination,
} from "./oci-image-builder.js";
export type { ContainerConfig, ImageConfig, Platform } from "./oci-manifest.js";
export { pinnedNodeVersion, readPinnedNodeVersion } from "./pinned-node-release.js";
export {
  credentialsFromAuthorizationToken,
  type RegistryCredentials,
  type RegistryCredentialsProvider,
} from "./registry-auth.js";
export { type FetchFunction, RegistryClient, type RegistryClientOptions } from "./registry-client.js";
export {
  manifestReference,
  parseRegistryImage,
  type RegistryImage,
  registryHost,
  registryImage,
} from "./registry-image.js";
