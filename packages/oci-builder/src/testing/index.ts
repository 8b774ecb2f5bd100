export {
  countingFetch,
  deleteManifest,
  deployableFixture,
  freshRepository,
  localRegistryHost,
  localRegistryUrl,
  type SkopeoInspect,
  skopeoConfig,
  skopeoCopyToLayout,
  skopeoInspect,
} from "./local-registry.js";
