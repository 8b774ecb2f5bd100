export {
  appDockerfilePath,
  countingFetch,
  deleteManifest,
  deployableFixture,
  freshRepository,
  localRegistryHost,
  localRegistryUrl,
  productionNodeRelease,
  type SkopeoInspect,
  skopeoConfig,
  skopeoCopyToLayout,
  skopeoInspect,
} from "./local-registry.js";
