import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Where the local stand-ins listen, as scripts/test-services.sh exports them. */
export interface LocalServices {
  readonly awsEndpoint: string;
  readonly registryUrl: string;
  readonly mongodbUrl: string;
  /** `bin/node` of the release the app's Dockerfile pins (npm `node-linux-<arch>`), for the base image. */
  readonly productionNodeBinary: string;
}

const NEEDED_SERVICES = ["PHOENIX_TEST_AWS_ENDPOINT", "PHOENIX_TEST_REGISTRY_URL", "PHOENIX_TEST_MONGODB_URL"];

/**
 * `scripts/test-services.sh up` (idempotent: installs what is missing, reuses what runs), then
 * its exported variables. `startedHere` says whether they were down before, so the sandbox
 * stops only what it started.
 */
export async function startLocalServices(root: string): Promise<{ services: LocalServices; startedHere: boolean }> {
  const envFile = join(root, ".test-services/env");
  const before = existsSync(envFile) ? readServiceVariables(envFile) : {};
  const alreadyUp =
    NEEDED_SERVICES.every((name) => before[name]) &&
    (await Promise.all(NEEDED_SERVICES.map((name) => answers(before[name] as string)))).every(Boolean);
  await run("bash", [join(root, "scripts/test-services.sh"), "up"], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  const variables = readServiceVariables(envFile);
  const [awsEndpoint, registryUrl, mongodbUrl] = NEEDED_SERVICES.map((name) => {
    const value = variables[name];
    if (!value) throw new Error(`scripts/test-services.sh did not export ${name}`);
    return value;
  }) as [string, string, string];
  const productionNodeBinary = variables.PHOENIX_PRODUCTION_NODE_BIN;
  if (!productionNodeBinary) throw new Error("scripts/test-services.sh did not export PHOENIX_PRODUCTION_NODE_BIN");
  return { services: { awsEndpoint, registryUrl, mongodbUrl, productionNodeBinary }, startedHere: !alreadyUp };
}

function readServiceVariables(file: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) variables[match[1]] = match[2];
  }
  return variables;
}

/** Whether something accepts TCP connections at the URL's host and port. */
async function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}

/** A port nothing listens on right now, for a server that must be told its port up front. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

/** Stops the local services (only when this process started them). */
export async function stopLocalServices(root: string): Promise<void> {
  await run("bash", [join(root, "scripts/test-services.sh"), "down"]);
}
