/**
 * Composing an image from a base and new layers: the config JSON (base runtime settings with
 * ours on top, diff_ids and history extended) and the manifest. Pure functions of their
 * inputs, serialized with a fixed key order, so the same inputs give the same digests.
 */
import type { ImageLayer } from "./image-layer.js";
import {
  type ContainerConfig,
  type Descriptor,
  type HistoryEntry,
  type ImageConfig,
  type ImageManifest,
  OCI_CONFIG,
  OCI_MANIFEST,
  type Platform,
} from "./oci-manifest.js";

/** Runtime settings of the image; each replaces the base image's value when set. */
export interface ImageRuntimeConfig {
  /** Entrypoint; setting it clears the base image's Cmd unless `cmd` is set too. */
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  /** Added to (and overriding by name) the base image's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly workingDir?: string;
  /** `uid[:gid]` or a name the base image's /etc/passwd knows. */
  readonly user?: string;
  /** A TCP port, e.g. 3000. */
  readonly exposedPort?: number;
  /** Added to (and overriding) the base image's labels. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly stopSignal?: string;
}

/** The base an image is built on: nothing (`scratch`) or a resolved registry image. */
export interface BaseImage {
  /** Layers as the base's manifest lists them (media types normalized to OCI). */
  readonly layers: readonly Descriptor[];
  readonly config: ImageConfig | undefined;
  /** For annotations: `host/repository:tag` and the manifest digest. */
  readonly name?: string;
  readonly digest?: string;
}

export interface NewLayer {
  readonly layer: Pick<ImageLayer, "digest" | "size" | "diffId" | "mediaType">;
  /** For the history entry, e.g. "production node_modules". */
  readonly description: string;
}

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export function composeImageConfig(options: {
  readonly base: BaseImage;
  readonly layers: readonly NewLayer[];
  readonly runtime: ImageRuntimeConfig;
  /** RFC 3339; fixed (from SOURCE_DATE_EPOCH), never the clock. */
  readonly created: string;
  readonly platform: Platform;
  readonly createdBy: string;
}): ImageConfig {
  const { base, runtime } = options;
  const baseRuntime: ContainerConfig = base.config?.config ?? {};

  const env = new Map<string, string>();
  for (const entry of baseRuntime.Env ?? []) {
    const eq = entry.indexOf("=");
    env.set(eq >= 0 ? entry.slice(0, eq) : entry, eq >= 0 ? entry.slice(eq + 1) : "");
  }
  if (!env.has("PATH")) env.set("PATH", DEFAULT_PATH);
  for (const [name, value] of Object.entries(runtime.env ?? {})) env.set(name, value);

  const exposedPorts: Record<string, Record<string, never>> = { ...(baseRuntime.ExposedPorts ?? {}) };
  if (runtime.exposedPort !== undefined) exposedPorts[`${runtime.exposedPort}/tcp`] = {};

  const entrypoint = runtime.entrypoint ?? baseRuntime.Entrypoint ?? undefined;
  // As in a Dockerfile: a new ENTRYPOINT drops the inherited CMD.
  const cmd = runtime.cmd ?? (runtime.entrypoint ? undefined : (baseRuntime.Cmd ?? undefined));
  const user = runtime.user ?? baseRuntime.User;
  const workingDir = runtime.workingDir ?? baseRuntime.WorkingDir;
  const stopSignal = runtime.stopSignal ?? baseRuntime.StopSignal;
  const labels = { ...(baseRuntime.Labels ?? {}), ...(runtime.labels ?? {}) };

  const container: ContainerConfig = {
    ...(user ? { User: user } : {}),
    ...(Object.keys(exposedPorts).length > 0 ? { ExposedPorts: sortKeys(exposedPorts) } : {}),
    Env: [...env].map(([name, value]) => `${name}=${value}`),
    ...(entrypoint ? { Entrypoint: [...entrypoint] } : {}),
    ...(cmd ? { Cmd: [...cmd] } : {}),
    ...(workingDir ? { WorkingDir: workingDir } : {}),
    ...(Object.keys(labels).length > 0 ? { Labels: sortKeys(labels) } : {}),
    ...(stopSignal ? { StopSignal: stopSignal } : {}),
  };

  const baseDiffIds = base.config?.rootfs.diff_ids ?? [];
  // History must describe every non-empty layer; a base without any gets one line per layer.
  const baseHistory: HistoryEntry[] =
    base.config?.history && base.config.history.length > 0
      ? [...base.config.history]
      : baseDiffIds.map(() => ({ created_by: `base image ${base.name ?? ""}`.trim() }));

  return {
    created: options.created,
    architecture: options.platform.architecture,
    os: options.platform.os,
    ...(options.platform.variant ? { variant: options.platform.variant } : {}),
    config: container,
    rootfs: { type: "layers", diff_ids: [...baseDiffIds, ...options.layers.map(({ layer }) => layer.diffId)] },
    history: [
      ...baseHistory,
      ...options.layers.map(({ description }) => ({
        created: options.created,
        created_by: `${options.createdBy}: ${description}`,
      })),
    ],
  };
}

export function composeManifest(options: {
  readonly config: Descriptor;
  readonly baseLayers: readonly Descriptor[];
  readonly layers: readonly NewLayer[];
  readonly annotations?: Readonly<Record<string, string>>;
}): ImageManifest {
  const annotations = options.annotations ?? {};
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: options.config.digest, size: options.config.size },
    layers: [
      ...options.baseLayers.map((layer) => ({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size })),
      ...options.layers.map(({ layer }) => ({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size })),
    ],
    ...(Object.keys(annotations).length > 0 ? { annotations: sortKeys(annotations) } : {}),
  };
}

/** JSON bytes of a document; key order is the construction order, which the composers fix. */
export function canonicalJson(document: unknown): Buffer {
  return Buffer.from(JSON.stringify(document), "utf8");
}

function sortKeys<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
