/**
 * The OCI image documents this builder reads and writes (image-spec v1.1): manifests, indexes,
 * the image config, and the Docker v2 schema2 equivalents a base image may still use.
 */
import { OciBuildError } from "./oci-build-error.js";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
export const DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/** What a manifest GET accepts, best first. */
export const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST].join(", ");

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: Platform;
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface ImageManifest {
  readonly schemaVersion: 2;
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ImageIndex {
  readonly schemaVersion: 2;
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
}

export interface HistoryEntry {
  readonly created?: string;
  readonly created_by?: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

/** The runtime part of an image config (`config` in the JSON), in the spec's field names. */
export interface ContainerConfig {
  readonly User?: string;
  readonly ExposedPorts?: Readonly<Record<string, Record<string, never>>>;
  readonly Env?: readonly string[];
  readonly Entrypoint?: readonly string[] | null;
  readonly Cmd?: readonly string[] | null;
  readonly WorkingDir?: string;
  readonly Labels?: Readonly<Record<string, string>>;
  readonly StopSignal?: string;
}

export interface ImageConfig {
  readonly created?: string;
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly config?: ContainerConfig;
  readonly rootfs: { readonly type: "layers"; readonly diff_ids: readonly string[] };
  readonly history?: readonly HistoryEntry[];
}

/** The manifest or index in a registry response; anything else is a OciBuildError. */
export function parseManifestDocument(
  bytes: Uint8Array,
  contentType: string | null,
  where: string,
): { kind: "manifest"; manifest: ImageManifest } | { kind: "index"; index: ImageIndex } {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (error) {
    throw new OciBuildError(`${where}: the manifest is not JSON`, "MANIFEST_INVALID", { cause: error });
  }
  if (!isObject(document) || document.schemaVersion !== 2) {
    throw new OciBuildError(
      `${where}: not a schemaVersion 2 manifest (Docker schema1 is not supported)`,
      "MANIFEST_INVALID",
    );
  }
  const mediaType =
    typeof document.mediaType === "string" ? document.mediaType : (contentType?.split(";")[0]?.trim() ?? "");
  if (mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST || Array.isArray(document.manifests)) {
    if (!Array.isArray(document.manifests))
      throw new OciBuildError(`${where}: index without manifests`, "MANIFEST_INVALID");
    return {
      kind: "index",
      index: { schemaVersion: 2, mediaType: mediaType || OCI_INDEX, manifests: document.manifests },
    };
  }
  if (!isObject(document.config) || !Array.isArray(document.layers)) {
    throw new OciBuildError(
      `${where}: manifest without config or layers (media type "${mediaType}")`,
      "MANIFEST_INVALID",
    );
  }
  return {
    kind: "manifest",
    manifest: {
      schemaVersion: 2,
      mediaType: mediaType || OCI_MANIFEST,
      config: document.config as unknown as Descriptor,
      layers: document.layers as Descriptor[],
    },
  };
}

/** The index entry for the platform, e.g. linux/amd64. */
export function selectPlatformManifest(index: ImageIndex, platform: Platform, where: string): Descriptor {
  const match = index.manifests.find(
    (entry) =>
      entry.platform?.os === platform.os &&
      entry.platform.architecture === platform.architecture &&
      (platform.variant === undefined || entry.platform.variant === platform.variant),
  );
  if (!match) {
    const offered = index.manifests.map((entry) => `${entry.platform?.os}/${entry.platform?.architecture}`).join(", ");
    throw new OciBuildError(
      `${where}: no image for ${platform.os}/${platform.architecture} (offered: ${offered || "none"})`,
      "MANIFEST_UNKNOWN",
    );
  }
  return match;
}

/** The OCI media type of a base layer: Docker's gzip layer is the same blob under another name. */
export function ociLayerMediaType(mediaType: string): string {
  return mediaType === DOCKER_LAYER_GZIP ? OCI_LAYER_GZIP : mediaType;
}

export function parseImageConfig(bytes: Uint8Array, where: string): ImageConfig {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (error) {
    throw new OciBuildError(`${where}: the image config is not JSON`, "CONFIG_INVALID", { cause: error });
  }
  if (!isObject(document) || !isObject(document.rootfs) || !Array.isArray(document.rootfs.diff_ids)) {
    throw new OciBuildError(`${where}: the image config has no rootfs.diff_ids`, "CONFIG_INVALID");
  }
  return document as unknown as ImageConfig;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
