// OCI build + push benchmark: the daemonless image builder (@phoenix/oci-builder's
// OciImageBuilder) packaging the real @phoenix/app deployable directory (pnpm deploy --prod:
// package.json, dist/, production node_modules) and pushing it to a docker-registry on loopback.
// Issue targets: cold build+push <= 10 s, warm <= 2 s (medians).
//
//   pnpm --filter @phoenix/app build && pnpm --filter @phoenix/oci-builder build
//   pnpm --filter @phoenix/oci-builder bench      (~30 s)
//
// The bench starts its own docker-registry (Debian package, installed by scripts/test-services.sh
// up) on a free 127.0.0.1 port, so the shared test registry is never touched. Image: scratch base
// (no base layers to move), a node_modules layer and an app layer, tagged with a fresh 40-hex sha.
//
// Phases, each OCI_BENCH_RUNS (5) times, medians reported:
//   cold:        the registry restarted on an empty storage directory (no blob anywhere, so no
//                cross-repository mount either), a fresh repository name and an empty layer cache:
//                both layers tarred, gzipped and uploaded.
//   warm:        same registry, repository and builder (layer cache warm): the trees are walked
//                (fingerprints), every blob is found present, only the manifest is PUT.
//   app changed: as warm, but dist/ gained a file since the last build (a new commit): the app
//                layer is rebuilt and uploaded, node_modules comes from the cache.
// Other knobs: OCI_BENCH_GZIP_LEVEL (6).
//
// Output: bench/results.json (machine, node, date, every run, medians, target pass/fail),
// bench/results.md and the table on stdout. A missed target is reported, not an error: the exit
// code is non-zero only when the bench could not measure (no dist, no docker-registry, a failed
// push).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import {
  BenchError,
  benchPaths,
  freePort,
  importBuilt,
  intEnv,
  type MetricRow,
  machineDescription,
  median,
  metricsTable,
  writeResults,
} from "@phoenix/bench-kit";
import type { FetchFunction, OciBuildReport, OciImageBuilder } from "@phoenix/oci-builder";

const { benchDir, workspaceRoot } = benchPaths(import.meta.url);
const TARGET_COLD_MS = 10_000;
const TARGET_WARM_MS = 2_000;
const SOURCE_REPOSITORY = "phoenix-ops/phoenix";

// ---------------------------------------------------------------------------------------------
// The bench's own registry

function registryBinary(): string {
  const candidates = [process.env.PHOENIX_TEST_REGISTRY_BIN, "/usr/bin/docker-registry"];
  const found = candidates.find((path): path is string => Boolean(path) && existsSync(path ?? ""));
  if (!found) throw new BenchError("docker-registry is not installed: run `bash scripts/test-services.sh up` first");
  return found;
}

interface BenchRegistry {
  readonly url: string;
  stop(): Promise<void>;
}

/** A docker-registry on `port` storing under `storageDir`; resolves once /v2/ answers. */
async function startRegistry(
  binary: string,
  port: number,
  storageDir: string,
  logFile: string,
): Promise<BenchRegistry> {
  mkdirSync(storageDir, { recursive: true });
  const config = join(dirname(storageDir), `registry-${port}.yml`);
  writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${storageDir}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      `  secret: ${randomBytes(16).toString("hex")}`,
      "",
    ].join("\n"),
  );
  const logFd = openSync(logFile, "a");
  const child: ChildProcess = spawn(binary, ["serve", config], { stdio: ["ignore", logFd, logFd] });
  let exited = false;
  const exitedPromise = new Promise<void>((resolveExit) =>
    child.once("exit", () => {
      exited = true;
      resolveExit();
    }),
  );
  const registry: BenchRegistry = {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (exited) return;
      child.kill("SIGTERM");
      await Promise.race([exitedPromise, sleep(3000)]);
      if (!exited) child.kill("SIGKILL");
      await Promise.race([exitedPromise, sleep(2000)]);
    },
  };
  for (let tries = 0; tries < 100; tries++) {
    if (exited) throw new BenchError(`docker-registry exited at start; see ${logFile}`);
    const ok = await fetch(`${registry.url}/v2/`)
      .then((response) => response.ok)
      .catch(() => false);
    if (ok) return registry;
    await sleep(50);
  }
  await registry.stop();
  throw new BenchError(`docker-registry did not answer on ${registry.url}; see ${logFile}`);
}

// ---------------------------------------------------------------------------------------------
// Measurement

interface RequestCounts {
  requests: number;
  uploads: number;
  bytesSent: number;
}

/** A fetch that counts requests and the bytes it sent. */
function countingFetch(): { readonly counts: RequestCounts; readonly fetch: FetchFunction } {
  const counts: RequestCounts = { requests: 0, uploads: 0, bytesSent: 0 };
  const fetchFn: FetchFunction = (input, init) => {
    counts.requests++;
    const method = init?.method ?? "GET";
    if (method === "PUT" && String(input).includes("/blobs/uploads/")) counts.uploads++;
    if (init?.body instanceof Uint8Array) counts.bytesSent += init.body.byteLength;
    return fetch(input, init);
  };
  return { counts, fetch: fetchFn };
}

const newSha = () => randomBytes(20).toString("hex");

/** One build + push as the results record it (the keys of results.json's runs). */
interface BuildSample {
  readonly ms: number;
  readonly cpuMs: number;
  readonly digest: string;
  readonly requests: number;
  readonly blobUploads: number;
  readonly bytesSent: number;
  readonly layersFromCache: number;
  readonly blobs: readonly string[];
}

type MedianKey = "ms" | "cpuMs" | "requests" | "blobUploads" | "bytesSent" | "layersFromCache";
const MEDIAN_KEYS: readonly MedianKey[] = ["ms", "cpuMs", "requests", "blobUploads", "bytesSent", "layersFromCache"];

async function measuredBuild(
  builder: OciImageBuilder,
  counts: RequestCounts,
  sha = newSha(),
): Promise<{ sample: BuildSample; report: OciBuildReport }> {
  const before = { ...counts };
  const cpu = process.cpuUsage();
  const started = performance.now();
  const report = await builder.build({ sha, repository: SOURCE_REPOSITORY });
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const sample: BuildSample = {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    digest: report.image.digest,
    requests: counts.requests - before.requests,
    blobUploads: counts.uploads - before.uploads,
    bytesSent: counts.bytesSent - before.bytesSent,
    layersFromCache: report.layers.filter(({ layer }) => layer.fromCache).length,
    blobs: report.pushed.blobs.map(({ result: how }) => how),
  };
  return { sample, report };
}

const fmt = {
  ms: (v: number) => (Number.isNaN(v) ? "—" : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`),
  mb: (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(1)} MB` : `${(v / 1e3).toFixed(1)} kB`),
  n: (v: number) => (Number.isNaN(v) ? "—" : String(Math.round(v * 100) / 100)),
};

/** Files, bytes and symlinks of a tree (for the report). */
function treeSize(dir: string): { files: number; bytes: number; links: number } {
  const out = execFileSync("find", [dir, "-printf", "%y %s\\n"], { encoding: "utf8" });
  let files = 0;
  let bytes = 0;
  let links = 0;
  for (const line of out.split("\n")) {
    const [type, size] = line.split(" ");
    if (type === "f") {
      files++;
      bytes += Number(size);
    } else if (type === "l") links++;
  }
  return { files, bytes, links };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const runs = intEnv("OCI_BENCH_RUNS", 5, 1, 50);
  const gzipLevel = intEnv("OCI_BENCH_GZIP_LEVEL", 6, 0, 9);
  const { OciImageBuilder, OciBuildError, LayerCache, prepareDeployableApp } = await importBuilt(
    "@phoenix/oci-builder",
    () => import("@phoenix/oci-builder"),
  );
  const binary = registryBinary();

  const benchStarted = Date.now();
  const tmp = join(os.tmpdir(), "phoenix-oci-bench");
  mkdirSync(tmp, { recursive: true });
  const logFile = join(tmp, "registry.log");
  const log = (text: string) => process.stdout.write(`${text}\n`);

  const deployable = await prepareDeployableApp({ workspaceRoot, outputDir: join(tmp, "app") }).catch(
    (error: unknown) => {
      throw new BenchError(
        `cannot prepare the @phoenix/app deployable directory: ${error instanceof Error ? error.message : String(error)}`,
      );
    },
  );
  const appDirectory = deployable.directory;
  const marker = join(appDirectory, "dist/bench-revision.json");
  rmSync(marker, { force: true });
  const modules = treeSize(join(appDirectory, "node_modules"));
  const app = treeSize(join(appDirectory, "dist"));
  log(
    `OCI build+push bench: @phoenix/app deployable (${deployable.reused ? "reused" : "fresh"} ${appDirectory}): node_modules ${modules.files} files + ${modules.links} symlinks, ${fmt.mb(modules.bytes)}; dist ${app.files} files, ${fmt.mb(app.bytes)}; gzip level ${gzipLevel}; ${runs} runs per phase.`,
  );

  const port = await freePort();
  let registry: BenchRegistry | undefined;
  const stopOnSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping the registry\n`);
    void Promise.resolve(registry?.stop()).finally(() => process.exit(130));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);

  const newBuilder = (repository: string, layerCache: InstanceType<typeof LayerCache>, fetchFn: FetchFunction) =>
    new OciImageBuilder({
      appDirectory,
      baseImage: "scratch",
      destination: { registryUrl: `http://127.0.0.1:${port}`, repository },
      config: { exposedPort: 3000, user: "1000:1000" },
      compressionLevel: gzipLevel,
      layerCache,
      fetch: fetchFn,
    });

  try {
    // One commit built on each fresh registry: the digests must all be the same.
    const coldSha = newSha();
    const cold: BuildSample[] = [];
    let builder: OciImageBuilder | undefined;
    let counter: ReturnType<typeof countingFetch> | undefined;
    for (let run = 1; run <= runs; run++) {
      await registry?.stop();
      const storage = join(tmp, "registry-data");
      rmSync(storage, { recursive: true, force: true });
      registry = await startRegistry(binary, port, storage, logFile);
      counter = countingFetch();
      builder = newBuilder(
        `bench/phoenix-app-${run}-${randomBytes(3).toString("hex")}`,
        new LayerCache(),
        counter.fetch,
      );
      const { sample } = await measuredBuild(builder, counter.counts, coldSha);
      cold.push(sample);
      log(
        `cold ${run}: ${fmt.ms(sample.ms)} (CPU ${fmt.ms(sample.cpuMs)}), ${sample.blobUploads} blobs uploaded, ${fmt.mb(sample.bytesSent)} sent, ${sample.requests} requests`,
      );
    }
    if (!builder || !counter) throw new BenchError("no cold run: OCI_BENCH_RUNS must be at least 1");
    const warmBuilder = builder;
    const counts = counter.counts;

    const warm: BuildSample[] = [];
    for (let run = 1; run <= runs; run++) {
      const { sample } = await measuredBuild(warmBuilder, counts);
      warm.push(sample);
      log(
        `warm ${run}: ${fmt.ms(sample.ms)} (CPU ${fmt.ms(sample.cpuMs)}), ${sample.blobUploads} blobs uploaded, ${sample.layersFromCache} layers from cache, ${sample.requests} requests`,
      );
    }

    const changed: BuildSample[] = [];
    let lastReport: OciBuildReport | undefined;
    try {
      for (let run = 1; run <= runs; run++) {
        writeFileSync(marker, `${JSON.stringify({ run, at: Date.now() })}\n`);
        const { sample, report } = await measuredBuild(warmBuilder, counts);
        changed.push(sample);
        lastReport = report;
        log(
          `app changed ${run}: ${fmt.ms(sample.ms)} (CPU ${fmt.ms(sample.cpuMs)}), ${sample.blobUploads} blobs uploaded, ${sample.layersFromCache} layers from cache, ${fmt.mb(sample.bytesSent)} sent`,
        );
      }
    } finally {
      rmSync(marker, { force: true });
    }

    const digests = new Set(cold.map((r) => r.digest));
    const mediansOf = (list: readonly BuildSample[]) =>
      Object.fromEntries(MEDIAN_KEYS.map((key) => [key, median(list.map((r) => r[key]))])) as Record<MedianKey, number>;
    const medians = { cold: mediansOf(cold), warm: mediansOf(warm), appChanged: mediansOf(changed) };
    const coldPass = medians.cold.ms <= TARGET_COLD_MS;
    const warmPass = medians.warm.ms <= TARGET_WARM_MS;
    const passText = (pass: boolean) => (pass ? "PASS" : "FAIL");
    const layerSizes = (lastReport?.layers ?? []).map(({ description, layer }) => ({ description, size: layer.size }));

    const rows: MetricRow[] = [
      {
        metric: "cold build + push",
        value: fmt.ms(medians.cold.ms),
        target: `<= ${fmt.ms(TARGET_COLD_MS)}`,
        pass: passText(coldPass),
      },
      {
        metric: "warm build + push (unchanged tree)",
        value: fmt.ms(medians.warm.ms),
        target: `<= ${fmt.ms(TARGET_WARM_MS)}`,
        pass: passText(warmPass),
      },
      { metric: "app changed (dist/ only) build + push", value: fmt.ms(medians.appChanged.ms) },
      {
        metric: "CPU in the builder (cold / warm / app changed)",
        value: `${fmt.ms(medians.cold.cpuMs)} / ${fmt.ms(medians.warm.cpuMs)} / ${fmt.ms(medians.appChanged.cpuMs)}`,
      },
      {
        metric: "blobs uploaded, config included (cold / warm / app changed)",
        value: `${fmt.n(medians.cold.blobUploads)} / ${fmt.n(medians.warm.blobUploads)} / ${fmt.n(medians.appChanged.blobUploads)}`,
      },
      {
        metric: "bytes sent (cold / warm / app changed)",
        value: `${fmt.mb(medians.cold.bytesSent)} / ${fmt.mb(medians.warm.bytesSent)} / ${fmt.mb(medians.appChanged.bytesSent)}`,
      },
      {
        metric: "layer sizes, gzipped (node_modules / app)",
        value: layerSizes.map(({ size }) => fmt.mb(size)).join(" / "),
      },
      {
        metric: "distinct digests over the cold runs",
        value: String(digests.size),
        target: "1",
        pass: passText(digests.size === 1),
      },
    ];
    const table = metricsTable(rows);
    const machine = machineDescription();
    const date = new Date(benchStarted).toISOString();
    const results = {
      date,
      node: process.version,
      machine,
      config: {
        runs,
        gzipLevel,
        baseImage: "scratch",
        registry: "docker-registry (Debian) on 127.0.0.1, filesystem storage, started by the bench",
        app: { nodeModules: modules, dist: app },
      },
      target: {
        description: `cold build+push <= ${TARGET_COLD_MS} ms, warm <= ${TARGET_WARM_MS} ms (medians)`,
        pass: coldPass && warmPass,
        cold: coldPass,
        warm: warmPass,
      },
      medians,
      layers: layerSizes,
      reproducible: digests.size === 1,
      runs: { cold, warm, appChanged: changed },
      benchSeconds: Math.round((Date.now() - benchStarted) / 1000),
    };
    const markdown = [
      "# OCI build + push bench",
      "",
      `${date}: ${machine.cpu}, ${machine.cores} cores, Node ${process.version}; medians of ${runs} runs; @phoenix/app deployable directory (node_modules ${modules.files} files, ${fmt.mb(modules.bytes)}; dist ${app.files} files) on scratch, pushed to docker-registry on loopback; gzip level ${gzipLevel}.`,
      "",
      `Targets: cold <= ${fmt.ms(TARGET_COLD_MS)}: **${passText(coldPass)}**; warm <= ${fmt.ms(TARGET_WARM_MS)}: **${passText(warmPass)}**.`,
      "",
      "Cold: fresh registry storage (no blob to find or mount), fresh repository, empty layer cache. Warm: same builder and repository, new sha. App changed: a file added to dist/ before each build.",
      "",
      table,
      "",
    ].join("\n");
    const resultsFile = writeResults(benchDir, results, markdown);

    log("");
    log(table);
    log("");
    log(`targets: cold ${passText(coldPass)}, warm ${passText(warmPass)}`);
    log(`wrote ${relative(process.cwd(), resultsFile)} and results.md`);
    if (digests.size !== 1)
      throw new BenchError(`cold builds gave ${digests.size} different digests: not reproducible`);
  } catch (error) {
    if (error instanceof OciBuildError) throw new BenchError(`a build + push failed (${error.code}): ${error.message}`);
    throw error;
  } finally {
    await registry?.stop();
    rmSync(join(tmp, "registry-data"), { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  const text = error instanceof BenchError ? error.message : error instanceof Error ? error.stack : String(error);
  process.stderr.write(`oci bench: ${text}\n`);
  process.exit(1);
});
