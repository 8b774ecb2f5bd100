#!/usr/bin/env node
// OCI build + push benchmark: the daemonless image builder (dist/images/oci) packaging the real
// @phoenix/app deployable directory (pnpm deploy --prod: package.json, dist/, production
// node_modules) and pushing it to a docker-registry on loopback.
// Issue targets: cold build+push <= 10 s, warm <= 2 s (medians).
//
//   pnpm --filter @phoenix/app build && pnpm --filter @phoenix/ops-bot build && node bench/oci-build-push.mjs   (~30 s)
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
// Output: bench/results-oci.json (machine, node, date, every run, medians, target pass/fail),
// bench/results-oci.md and the table on stdout (the SNS bench owns results.json / results.md).
// A missed target is reported, not an error: the exit code is non-zero only when the bench could
// not measure (no dist, no docker-registry, a failed push).
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BenchError, intEnv, machineDescription, median, metricsTable } from "../../../scripts/bench-kit.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(benchDir, "..");
const workspaceRoot = resolve(packageDir, "../..");
const distEntry = join(packageDir, "dist/index.js");
const TARGET_COLD_MS = 10_000;
const TARGET_WARM_MS = 2_000;
const SOURCE_REPOSITORY = "phoenix-ops/phoenix";

// ---------------------------------------------------------------------------------------------
// The bench's own registry

function registryBinary() {
  const candidates = [process.env.PHOENIX_TEST_REGISTRY_BIN, "/usr/bin/docker-registry"].filter(Boolean);
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new BenchError("docker-registry is not installed: run `bash scripts/test-services.sh up` first");
  return found;
}

async function freePort() {
  const net = await import("node:net");
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** A docker-registry on `port` storing under `storageDir`; resolves once /v2/ answers. */
async function startRegistry(binary, port, storageDir, logFile) {
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
  const child = spawn(binary, ["serve", config], { stdio: ["ignore", logFd, logFd] });
  let exited = false;
  const exitedPromise = new Promise((resolveExit) =>
    child.once("exit", () => {
      exited = true;
      resolveExit();
    }),
  );
  const registry = {
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

/** A fetch that counts requests and the bytes it sent. */
function countingFetch() {
  const counts = { requests: 0, uploads: 0, bytesSent: 0 };
  const fetchFn = (input, init) => {
    counts.requests++;
    const method = init?.method ?? "GET";
    if (method === "PUT" && String(input).includes("/blobs/uploads/")) counts.uploads++;
    if (init?.body) counts.bytesSent += init.body.byteLength ?? 0;
    return fetch(input, init);
  };
  return { counts, fetch: fetchFn };
}

const newSha = () => randomBytes(20).toString("hex");

async function measuredBuild(builder, counts, sha = newSha()) {
  const before = { ...counts };
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await builder.start({ sha, repository: SOURCE_REPOSITORY });
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (result.status !== "ready") throw new BenchError(`build did not finish: ${JSON.stringify(result)}`);
  const report = builder.lastBuild;
  return {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    digest: result.image.digest,
    requests: counts.requests - before.requests,
    blobUploads: counts.uploads - before.uploads,
    bytesSent: counts.bytesSent - before.bytesSent,
    layersFromCache: report.layers.filter(({ layer }) => layer.fromCache).length,
    blobs: report.pushed.blobs.map(({ result: how }) => how),
  };
}

const fmt = {
  ms: (v) => (Number.isNaN(v) ? "—" : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`),
  mb: (v) => (v >= 1e6 ? `${(v / 1e6).toFixed(1)} MB` : `${(v / 1e3).toFixed(1)} kB`),
  n: (v) => (Number.isNaN(v) ? "—" : String(Math.round(v * 100) / 100)),
};

/** Files, bytes and symlinks of a tree (for the report). */
function treeSize(dir) {
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

async function main() {
  const runs = intEnv("OCI_BENCH_RUNS", 5, 1, 50);
  const gzipLevel = intEnv("OCI_BENCH_GZIP_LEVEL", 6, 0, 9);
  if (!existsSync(distEntry)) {
    throw new BenchError(
      `no ${relative(process.cwd(), distEntry)}: run \`pnpm --filter @phoenix/ops-bot build\` first`,
    );
  }
  const { OciImageBuilder, LayerCache, prepareDeployableApp } = await import(pathToFileURL(distEntry).href);
  if (!OciImageBuilder) throw new BenchError("dist/index.js does not export OciImageBuilder: rebuild ops-bot");
  const binary = registryBinary();

  const benchStarted = Date.now();
  const tmp = join(os.tmpdir(), "phoenix-oci-bench");
  mkdirSync(tmp, { recursive: true });
  const logFile = join(tmp, "registry.log");
  const log = (text) => process.stdout.write(`${text}\n`);

  const deployable = await prepareDeployableApp({ workspaceRoot, outputDir: join(tmp, "app") }).catch((error) => {
    throw new BenchError(`cannot prepare the @phoenix/app deployable directory: ${error.message}`);
  });
  const appDirectory = deployable.directory;
  const marker = join(appDirectory, "dist/bench-revision.json");
  rmSync(marker, { force: true });
  const modules = treeSize(join(appDirectory, "node_modules"));
  const app = treeSize(join(appDirectory, "dist"));
  log(
    `OCI build+push bench: @phoenix/app deployable (${deployable.reused ? "reused" : "fresh"} ${appDirectory}): node_modules ${modules.files} files + ${modules.links} symlinks, ${fmt.mb(modules.bytes)}; dist ${app.files} files, ${fmt.mb(app.bytes)}; gzip level ${gzipLevel}; ${runs} runs per phase.`,
  );

  const port = await freePort();
  let registry;
  const stopOnSignal = (signal) => {
    process.stderr.write(`\n${signal}: stopping the registry\n`);
    Promise.resolve(registry?.stop()).finally(() => process.exit(130));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);

  const newBuilder = (repository, layerCache, fetchFn) =>
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
    const cold = [];
    let builder;
    let counter;
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
      const result = await measuredBuild(builder, counter.counts, coldSha);
      cold.push(result);
      log(
        `cold ${run}: ${fmt.ms(result.ms)} (CPU ${fmt.ms(result.cpuMs)}), ${result.blobUploads} blobs uploaded, ${fmt.mb(result.bytesSent)} sent, ${result.requests} requests`,
      );
    }

    const warm = [];
    for (let run = 1; run <= runs; run++) {
      const result = await measuredBuild(builder, counter.counts);
      warm.push(result);
      log(
        `warm ${run}: ${fmt.ms(result.ms)} (CPU ${fmt.ms(result.cpuMs)}), ${result.blobUploads} blobs uploaded, ${result.layersFromCache} layers from cache, ${result.requests} requests`,
      );
    }

    const changed = [];
    try {
      for (let run = 1; run <= runs; run++) {
        writeFileSync(marker, `${JSON.stringify({ run, at: Date.now() })}\n`);
        const result = await measuredBuild(builder, counter.counts);
        changed.push(result);
        log(
          `app changed ${run}: ${fmt.ms(result.ms)} (CPU ${fmt.ms(result.cpuMs)}), ${result.blobUploads} blobs uploaded, ${result.layersFromCache} layers from cache, ${fmt.mb(result.bytesSent)} sent`,
        );
      }
    } finally {
      rmSync(marker, { force: true });
    }

    const digests = new Set(cold.map((r) => r.digest));
    const med = (list, key) => median(list.map((r) => r[key]));
    const medians = Object.fromEntries(
      Object.entries({ cold, warm, appChanged: changed }).map(([phase, list]) => [
        phase,
        Object.fromEntries(
          ["ms", "cpuMs", "requests", "blobUploads", "bytesSent", "layersFromCache"].map((key) => [
            key,
            med(list, key),
          ]),
        ),
      ]),
    );
    const coldPass = medians.cold.ms <= TARGET_COLD_MS;
    const warmPass = medians.warm.ms <= TARGET_WARM_MS;
    const passText = (pass) => (pass ? "PASS" : "FAIL");
    const layerSizes = builder.lastBuild.layers.map(({ description, layer }) => ({ description, size: layer.size }));

    const rows = [
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
    const resultsFile = join(benchDir, "results-oci.json");
    writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
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
    writeFileSync(join(benchDir, "results-oci.md"), markdown);

    log("");
    log(table);
    log("");
    log(`targets: cold ${passText(coldPass)}, warm ${passText(warmPass)}`);
    log(`wrote ${relative(process.cwd(), join(benchDir, "results-oci.json"))} and results-oci.md`);
    if (digests.size !== 1)
      throw new BenchError(`cold builds gave ${digests.size} different digests: not reproducible`);
  } finally {
    await registry?.stop();
    rmSync(join(tmp, "registry-data"), { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`oci bench: ${error instanceof BenchError ? error.message : (error?.stack ?? error)}\n`);
  process.exit(1);
});
