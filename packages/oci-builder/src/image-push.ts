/**
 * Pushing a composed image: the base image's layers (already there, mounted from the base's
 * repository, or copied from its registry), the new layers and the config the registry lacks,
 * then the manifest under a tag.
 */

import { formatImageReference, type ImageReference } from "@phoenix/shared";
import {
  type BaseImage,
  canonicalJson,
  composeImageConfig,
  composeManifest,
  type ImageRuntimeConfig,
  type NewLayer,
} from "./image-assembly.js";
import { type ImageLayer, sha256Digest } from "./image-layer.js";
import { OciBuildError } from "./oci-build-error.js";
import {
  type ImageConfig,
  type ImageManifest,
  OCI_CONFIG,
  OCI_MANIFEST,
  ociLayerMediaType,
  type Platform,
  parseImageConfig,
} from "./oci-manifest.js";
import type { BlobPushResult, RegistryClient } from "./registry-client.js";
import { manifestReference } from "./registry-image.js";

/** A base image read from a registry, with what is needed to copy its blobs. */
export interface ResolvedBaseImage extends BaseImage {
  readonly source?: { readonly client: RegistryClient; readonly repository: string };
  readonly platform?: Platform;
}

export const SCRATCH: ResolvedBaseImage = { layers: [], config: undefined };

/** Reads the base image's manifest (resolving an index to `platform`) and its config. */
export async function resolveBaseImage(
  client: RegistryClient,
  reference: ImageReference,
  platform: Platform,
): Promise<ResolvedBaseImage> {
  const fetched = await client.getManifest(reference.repository, manifestReference(reference), platform);
  const configBytes = await client.getBlob(reference.repository, fetched.manifest.config.digest);
  const where = formatImageReference(reference);
  const config: ImageConfig = parseImageConfig(configBytes, where);
  if (config.rootfs.diff_ids.length !== fetched.manifest.layers.length) {
    throw new OciBuildError(
      `${where}: the config lists ${config.rootfs.diff_ids.length} layers, the manifest ${fetched.manifest.layers.length}`,
      "MANIFEST_INVALID",
    );
  }
  return {
    layers: fetched.manifest.layers.map((layer) => ({ ...layer, mediaType: ociLayerMediaType(layer.mediaType) })),
    config,
    name: formatImageReference(reference),
    digest: fetched.digest,
    source: { client, repository: reference.repository },
    platform: {
      os: config.os,
      architecture: config.architecture,
      ...(config.variant ? { variant: config.variant } : {}),
    },
  };
}

export interface PushImageOptions {
  readonly client: RegistryClient;
  readonly repository: string;
  readonly tag: string;
  readonly base: ResolvedBaseImage;
  readonly layers: readonly (NewLayer & { readonly layer: ImageLayer })[];
  readonly runtime: ImageRuntimeConfig;
  readonly created: string;
  /** Used when the base does not say (scratch). @default linux/amd64 */
  readonly platform?: Platform;
  /** Prefix of the history lines of the new layers. */
  readonly createdBy: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface PushedImage {
  readonly digest: string;
  readonly manifest: ImageManifest;
  readonly manifestBytes: Buffer;
  readonly config: ImageConfig;
  /** How each blob (layers, then config) got into the repository. */
  readonly blobs: readonly { readonly digest: string; readonly result: BlobPushResult }[];
}

export async function pushImage(options: PushImageOptions): Promise<PushedImage> {
  const { client, repository, base } = options;
  const platform = base.platform ?? options.platform ?? { os: "linux", architecture: "amd64" };
  const config = composeImageConfig({
    base,
    layers: options.layers,
    runtime: options.runtime,
    created: options.created,
    platform,
    createdBy: options.createdBy,
  });
  const configBytes = canonicalJson(config);
  const configDescriptor = { mediaType: OCI_CONFIG, digest: sha256Digest(configBytes), size: configBytes.length };
  const manifest = composeManifest({
    config: configDescriptor,
    baseLayers: base.layers,
    layers: options.layers,
    annotations: {
      ...(base.name ? { "org.opencontainers.image.base.name": base.name } : {}),
      ...(base.digest ? { "org.opencontainers.image.base.digest": base.digest } : {}),
      ...options.annotations,
    },
  });
  const manifestBytes = canonicalJson(manifest);

  const source = base.source;
  const sameRegistry = source !== undefined && source.client.baseUrl.origin === client.baseUrl.origin;
  const blobs = await Promise.all([
    ...base.layers.map(async (layer) => {
      if (!source) throw new OciBuildError("a base image with layers needs its registry", "BaseImageUnknown");
      const result = await client.pushBlob(repository, {
        digest: layer.digest,
        content: () => source.client.getBlob(source.repository, layer.digest),
        ...(sameRegistry ? { mountFrom: source.repository } : {}),
      });
      return { digest: layer.digest, result };
    }),
    ...options.layers.map(async ({ layer }) => ({
      digest: layer.digest,
      result: await client.pushBlob(repository, { digest: layer.digest, content: layer.bytes }),
    })),
    client
      .pushBlob(repository, { digest: configDescriptor.digest, content: configBytes })
      .then((result) => ({ digest: configDescriptor.digest, result })),
  ]);
  const digest = await client.putManifest(repository, options.tag, manifestBytes, OCI_MANIFEST);
  return { digest, manifest, manifestBytes, config, blobs };
}
