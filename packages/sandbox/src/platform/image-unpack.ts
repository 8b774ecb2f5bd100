import { spawn } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ContainerConfig, ImageConfig } from "@phoenix/oci-builder";
import { manifestReference, parseRegistryImage, RegistryClient } from "@phoenix/oci-builder";

export interface UnpackedImage {
  /** The image's root filesystem (its own layers; the base's runtime is the local Node). */
  readonly rootDirectory: string;
  readonly config: ContainerConfig;
}

/**
 * Pulls an image by digest from a registry and unpacks its layers into `cacheDirectory/<digest>`,
 * skipping the layers of `skipLayers` (the base image: its Node binary is replaced by the local
 * one, since the sandbox has no container runtime). Unpacked once per digest.
 */
export async function unpackImage(
  imageUri: string,
  cacheDirectory: string,
  skipLayers: ReadonlySet<string>,
): Promise<UnpackedImage> {
  const { reference, registryUrl } = parseRegistryImage(imageUri);
  const client = new RegistryClient({ registryUrl });
  const { manifest, digest } = await client.getManifest(reference.repository, manifestReference(reference));
  const config = JSON.parse(
    (await client.getBlob(reference.repository, manifest.config.digest)).toString("utf8"),
  ) as ImageConfig;
  const rootDirectory = join(cacheDirectory, digest.replace(":", "-"));
  if (!existsSync(rootDirectory)) {
    const partial = `${rootDirectory}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    for (const layer of manifest.layers) {
      if (skipLayers.has(layer.digest)) continue;
      await extractTarGz(await client.getBlob(reference.repository, layer.digest), partial);
    }
    renameSync(partial, rootDirectory);
  }
  return { rootDirectory, config: config.config ?? {} };
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
