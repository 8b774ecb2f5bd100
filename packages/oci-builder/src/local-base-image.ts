/**
 * The base image of the local sandbox and the tests, where no public registry is reachable:
 * scratch plus one layer holding the official Node release the Dockerfile pins (the npm
 * registry's `node-linux-<arch>@<version>` package, `bin/node`, which scripts/test-services.sh
 * installs) at /usr/local/bin/node and an /etc/passwd with a non-root `node` user (uid 1000),
 * where the official node images have them. So the sandbox's image and production's run the
 * same Node build; they differ only in the distribution layer (Debian trixie-slim's files).
 */
import { execFileSync } from "node:child_process";
import type { ImageReference } from "@phoenix/shared";
import type { ImageRuntimeConfig } from "./image-assembly.js";
import { buildImageLayer, type LayerCache } from "./image-layer.js";
import { pushImage, SCRATCH } from "./image-push.js";
import { OciBuildError } from "./oci-build-error.js";
import type { Platform } from "./oci-manifest.js";
import type { RegistryCredentials, RegistryCredentialsProvider } from "./registry-auth.js";
import { type FetchFunction, RegistryClient } from "./registry-client.js";
import { repositoryReference } from "./registry-image.js";

export interface LocalNodeBaseImageOptions {
  /** The registry to push to, e.g. `http://127.0.0.1:5017`. */
  readonly registryUrl: string;
  /** @default "phoenix/node-base" */
  readonly repository?: string;
  /** @default "local" */
  readonly tag?: string;
  /** The release the Dockerfile pins, `x.y.z` (see readPinnedNodeVersion). */
  readonly nodeVersion: string;
  /** `bin/node` of that release, from the npm registry's `node-linux-<arch>@<nodeVersion>`; checked with `--version`. */
  readonly nodeBinary: string;
  /** @default 1 (the binary is ~100 MB; level 1 keeps this to about a second) */
  readonly compressionLevel?: number;
  readonly credentials?: RegistryCredentials | RegistryCredentialsProvider;
  readonly layerCache?: LayerCache;
  readonly fetch?: FetchFunction;
}

export interface LocalNodeBaseImage {
  /** `<registry host>/<repository>:<tag>`; pass it as an OciImageBuilder's `baseImage`. */
  readonly reference: ImageReference;
  /** Manifest digest. */
  readonly digest: string;
  /** Digests of the image's layers, in order. */
  readonly layers: readonly string[];
}

const PASSWD = "root:x:0:0:root:/root:/sbin/nologin\nnode:x:1000:1000::/home/node:/sbin/nologin\n";
const GROUP = "root:x:0:\nnode:x:1000:\n";

/** Builds and pushes the base image; idempotent (same binary, same digest, nothing re-uploaded). */
export async function pushLocalNodeBaseImage(options: LocalNodeBaseImageOptions): Promise<LocalNodeBaseImage> {
  const client = new RegistryClient({
    registryUrl: options.registryUrl,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const nodeVersion = checkedNodeRelease(options.nodeBinary, options.nodeVersion);
  const tag = options.tag ?? "local";
  const reference = repositoryReference(client.host, options.repository ?? "phoenix/node-base", tag);
  const layer = await buildImageLayer(
    {
      compressionLevel: options.compressionLevel ?? 1,
      inputs: [
        { kind: "file", from: options.nodeBinary, to: "usr/local/bin/node", executable: true },
        { kind: "content", to: "etc/passwd", content: PASSWD },
        { kind: "content", to: "etc/group", content: GROUP },
      ],
    },
    options.layerCache,
  );
  const runtime: ImageRuntimeConfig = {
    // PATH as the official node images (and Docker's default) set it: `node` is found there.
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NODE_VERSION: nodeVersion },
    // As the official node images: no entrypoint, so an app image's CMD is the whole command.
    cmd: ["node"],
  };
  const pushed = await pushImage({
    client,
    repository: reference.repository,
    tag,
    base: SCRATCH,
    layers: [{ description: `node v${nodeVersion} binary (official release) and a node user`, layer }],
    runtime,
    created: new Date(0).toISOString(),
    platform: nodePlatform(),
    createdBy: "phoenix-ops local base image",
  });
  return {
    reference,
    digest: pushed.digest,
    layers: pushed.manifest.layers.map((descriptor) => descriptor.digest),
  };
}

/** The binary must be the pinned release: a different Node would make the sandbox prove another runtime. */
function checkedNodeRelease(binary: string, version: string): string {
  let reported: string;
  try {
    reported = execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
  } catch (error) {
    throw new OciBuildError(`local base image: ${binary} does not run (${String(error)})`, "BaseImageMismatch", {
      cause: error,
    });
  }
  if (reported !== `v${version}`) {
    throw new OciBuildError(
      `local base image: ${binary} is Node ${reported}, not the pinned v${version}; ` +
        `install node-linux-<arch>@${version} (scripts/test-services.sh up)`,
      "BaseImageMismatch",
    );
  }
  return version;
}

/** The OCI platform of the Node binary (the official linux-x64/arm64 releases match this machine). */
function nodePlatform(): Platform {
  const architecture = { x64: "amd64", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x" }[
    process.arch as string
  ];
  return { os: "linux", architecture: architecture ?? process.arch };
}
