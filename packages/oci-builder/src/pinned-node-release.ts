/**
 * The Node release the app's Dockerfile pins (`ARG NODE_VERSION=x.y.z`, before the first FROM).
 * The Dockerfile is the one place that names it: scripts/test-services.sh installs that release
 * from the npm registry's `node-linux-<arch>` package, and the sandbox's base image is built from
 * it, so a second copy of the number can never disagree with production.
 */
import { readFileSync } from "node:fs";
import { OciBuildError } from "./oci-build-error.js";

const GLOBAL_NODE_VERSION = /^ARG\s+NODE_VERSION=(\d+\.\d+\.\d+)\s*$/;

/** `x.y.z` from the Dockerfile's global `ARG NODE_VERSION=x.y.z`; an ARG after FROM does not count. */
export function pinnedNodeVersion(dockerfile: string): string {
  for (const line of dockerfile.split("\n")) {
    const trimmed = line.trim();
    if (/^FROM\s/i.test(trimmed)) break;
    const match = GLOBAL_NODE_VERSION.exec(trimmed);
    if (match?.[1]) return match[1];
  }
  throw new OciBuildError(
    "Dockerfile: no global `ARG NODE_VERSION=x.y.z` before the first FROM, so no pinned Node release",
    "InvalidDockerfile",
  );
}

export function readPinnedNodeVersion(dockerfilePath: string): string {
  return pinnedNodeVersion(readFileSync(dockerfilePath, "utf8"));
}
