// What the app bench runs: the Node runtimes, the CERT_CONCURRENCY configs (from
// PHOENIX_BENCH_CERT_CONCURRENCY or CERT_CONCURRENCY), the app knobs passed through, and the
// issue's targets.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import { BenchError } from "@phoenix/bench-kit";
import { log } from "./bench-log.js";

// CERT_CONCURRENCY is set per config (see certConcurrencyConfigs), not passed through.
export const APP_KNOBS = [
  "CERT_QUEUE_LIMIT",
  "CERT_QUEUE_TIMEOUT_MS",
  "LOG_LEVEL",
  "REQUEST_LOG_BUFFER_LIMIT",
  "UV_THREADPOOL_SIZE",
] as const;

export interface Target {
  readonly op: ">=" | "<=";
  readonly value: number;
}

export const TARGETS = {
  idleRootRps: { op: ">=", value: 5000 },
  saturatedRootRatio: { op: ">=", value: 0.5 },
  saturatedHealthP99Ms: { op: "<=", value: 25 },
  certOkPerS: { op: ">=", value: 6 },
} as const satisfies Record<string, Target>;

export type TargetKey = keyof typeof TARGETS;

const DEFAULT_SWEEP = "default,2,host:default,host:2";
/** What the app does without CERT_CONCURRENCY (src/config.ts): one core left to the event loop. */
const appDefaultCertConcurrency = () => Math.max(1, os.availableParallelism() - 1);

/** "image" is the Node the production image pins; "host" the one running this bench. */
export type RuntimeName = "image" | "host";

export interface Runtime {
  readonly name: RuntimeName;
  readonly binary: string;
  readonly node: string;
  readonly openssl: string;
}

/** One config to bench: CERT_CONCURRENCY `value` (undefined = not set) on a runtime. */
export interface CertConfig {
  readonly label: string;
  readonly runtime: RuntimeName;
  readonly value: number | undefined;
  /** What the app uses: `value`, or its default when unset. */
  readonly effective: number;
}

/** The Node binaries a config can run the app on; "image" is what production runs. */
function runtimeBinary(name: RuntimeName): string {
  if (name === "host") return process.execPath;
  const binary = process.env.PHOENIX_PRODUCTION_NODE_BIN;
  if (!binary || !existsSync(binary)) {
    throw new BenchError(
      "PHOENIX_PRODUCTION_NODE_BIN does not name the production image's Node: " +
        "scripts/test-services.sh up installs it (then . .test-services/env), or run ./dev bench",
    );
  }
  return binary;
}

/** The runtimes the configs use, in order, each asked of the binary itself for its versions. */
export function describeRuntimes(names: readonly RuntimeName[]): Map<RuntimeName, Runtime> {
  return new Map(
    [...new Set(names)].map((name): [RuntimeName, Runtime] => {
      const binary = runtimeBinary(name);
      const script =
        "process.stdout.write(JSON.stringify({ node: process.version, openssl: process.versions.openssl }))";
      const versions = JSON.parse(execFileSync(binary, ["-e", script], { encoding: "utf8" })) as {
        node: string;
        openssl: string;
      };
      return [name, { name, binary, ...versions }];
    }),
  );
}

/**
 * The configs to bench, in order. A label without a runtime prefix runs on the image's Node.
 */
export function certConcurrencyConfigs(): CertConfig[] {
  const sweep = process.env.PHOENIX_BENCH_CERT_CONCURRENCY?.trim();
  const inherited = process.env.CERT_CONCURRENCY?.trim();
  const list = sweep || inherited || DEFAULT_SWEEP;
  const name = sweep ? "PHOENIX_BENCH_CERT_CONCURRENCY" : inherited ? "CERT_CONCURRENCY" : "the default sweep";
  if (sweep && inherited)
    log(`CERT_CONCURRENCY=${inherited} is ignored: PHOENIX_BENCH_CERT_CONCURRENCY sets it per config`);
  const tokens = list.split(",").map((token) => token.trim());
  if (tokens.length > 6) throw new BenchError(`${name}: at most 6 configs (each takes ~40 s), got ${tokens.length}`);
  return tokens.map((token): CertConfig => {
    const [, prefix, concurrency = ""] = /^(?:(image|host):)?(.*)$/.exec(token) ?? [];
    const runtime: RuntimeName = prefix === "host" ? "host" : "image";
    if (concurrency === "default") {
      return { label: token, runtime, value: undefined, effective: appDefaultCertConcurrency() };
    }
    const value = Number(concurrency);
    if (!/^\d+$/.test(concurrency) || value < 1 || value > 64) {
      throw new BenchError(
        `${name}: "${token}" is not [image:|host:] followed by "default" or a whole number in 1..64 (list: "${list}")`,
      );
    }
    return { label: token, runtime, value, effective: value };
  });
}
