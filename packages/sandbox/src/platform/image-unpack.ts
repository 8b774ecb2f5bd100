import { spawn } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ContainerConfig, ImageConfig } from "@phoenix/oci-builder";
import { manifestReference, parseRegistryImage, RegistryClient } from "@phoenix/oci-builder";

export interface UnpackedImage {
  /** The image's own layers (those above the base), merged: the app's files. */
  readonly rootDirectory: string;
  /** The base image's layers, bottom first, each unpacked once and shared by every image on it. */
  readonly baseDirectories: readonly string[];
  readonly config: ContainerConfig;
}

/** The PATH a container gets when its image sets none (Docker's and containerd's default). */
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Pulls an image by digest from a registry and unpacks it: the layers of `baseLayers` (the base
 * image, the Node runtime) each once into `cacheDirectory/layers/<digest>`, the image's own
 * layers merged into `cacheDirectory/<digest>`, once per image. There is no container runtime,
 * so the two stay apart: the app's files run from the image's root, its command from the base.
 */
export async function unpackImage(
  imageUri: string,
  cacheDirectory: string,
  baseLayers: ReadonlySet<string>,
): Promise<UnpackedImage> {
  const { reference, registryUrl } = parseRegistryImage(imageUri);
  const client = new RegistryClient({ registryUrl });
  const { manifest, digest } = await client.getManifest(reference.repository, manifestReference(reference));
  const config = JSON.parse(
    (await client.getBlob(reference.repository, manifest.config.digest)).toString("utf8"),
  ) as ImageConfig;
  const fetchLayer = (layerDigest: string) => client.getBlob(reference.repository, layerDigest);
  const base = manifest.layers.filter((layer) => baseLayers.has(layer.digest));
  const baseDirectories: string[] = [];
  for (const layer of base) {
    const directory = join(cacheDirectory, "layers", layer.digest.replace(":", "-"));
    await unpackOnce(directory, [layer.digest], fetchLayer);
    baseDirectories.push(directory);
  }
  const own = manifest.layers.filter((layer) => !baseLayers.has(layer.digest)).map((layer) => layer.digest);
  const rootDirectory = join(cacheDirectory, digest.replace(":", "-"));
  await unpackOnce(rootDirectory, own, fetchLayer);
  return { rootDirectory, baseDirectories, config: config.config ?? {} };
}

/**
 * Where `command` is in the image, looked up along the image's PATH as a container runtime
 * would (the first PATH entry that has it; within one entry the image's own layers over the
 * base's), or `undefined`. A command with a slash is taken as a path in the image.
 */
export function resolveImageCommand(image: UnpackedImage, command: string): string | undefined {
  const path = (image.config.Env ?? []).find((entry) => entry.startsWith("PATH="))?.slice("PATH=".length);
  const candidates = command.includes("/")
    ? [command]
    : (path ?? DEFAULT_PATH)
        .split(":")
        .filter(Boolean)
        .map((directory) => join(directory, command));
  const roots = [image.rootDirectory, ...[...image.baseDirectories].reverse()];
  for (const candidate of candidates) {
    for (const root of roots) {
      const file = join(root, candidate);
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}

/** Extracts `layers` in order into `directory`, unless a complete earlier extraction is there. */
async function unpackOnce(
  directory: string,
  layers: readonly string[],
  fetchLayer: (digest: string) => Promise<Buffer>,
): Promise<void> {
  if (existsSync(directory)) return;
  const partial = `${directory}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  for (const layer of layers) await extractTarGz(await fetchLayer(layer), partial);
  renameSync(partial, directory);
}

function extractTarGz(bytes: Buffer, directory: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn("tar", ["-xzf", "-", "-C", directory], { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    tar.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    tar.on("error", reject);
    tar.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}: ${stderr.trim()}`))));
    tar.stdin.end(bytes);
  });
}
