// Synth time of the full CDK app: each run is a fresh `node dist/bin/phoenix.js`, which is
// what `cdk synth` executes (import aws-cdk-lib, build the ops stack and both environments'
// stacks of config/two-accounts.json, run cdk-nag, write the templates). Writes bench/results.json and bench/results.md; the median is the number to quote.
//   pnpm --filter @phoenix/infra bench        (PHOENIX_BENCH_SYNTH_RUNS, default 7)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { BenchError, benchPaths, intEnv, median, writeResults } from "@phoenix/bench-kit";

const { benchDir } = benchPaths(import.meta.url);
const entry = join(benchDir, "..", "dist", "bin", "phoenix.js");
const config = join(benchDir, "..", "config", "two-accounts.json");
/** Phoenix-ops, and per environment (staging, production) its live-image and environment stacks. */
const EXPECTED_TEMPLATES = 5;

/** One synth in a fresh process writing to a temporary directory; its wall time in ms. */
function synthOnce(run: number): number {
  const outdir = mkdtempSync(join(os.tmpdir(), "phoenix-synth-bench-"));
  try {
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, [entry], {
      // What `cdk synth -c phoenixConfig=…` hands the app.
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ phoenixConfig: config }) },
      encoding: "utf8",
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const templates = readdirSync(outdir).filter((name) => name.endsWith(".template.json"));
    if (child.status !== 0 || templates.length !== EXPECTED_TEMPLATES) {
      console.error(child.stderr);
      throw new BenchError(`synth run ${run + 1} failed (exit ${child.status}, ${templates.length} templates)`);
    }
    return ms;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function main(): void {
  if (!existsSync(entry)) throw new BenchError(`${entry} is missing: build first (pnpm --filter @phoenix/infra build)`);
  const runs = intEnv("PHOENIX_BENCH_SYNTH_RUNS", 7, 1, 50);

  const durations: number[] = [];
  for (let run = 0; run < runs; run++) durations.push(synthOnce(run));

  const results = {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), node: process.version },
    what: "node dist/bin/phoenix.js -c phoenixConfig=config/two-accounts.json: the ops stack and both environments (5 stacks) with cdk-nag AwsSolutions, fresh process each run",
    runs: durations.map((ms) => Math.round(ms)),
    medianMs: Math.round(median(durations)),
    minMs: Math.round(Math.min(...durations)),
    maxMs: Math.round(Math.max(...durations)),
  };
  const table = [
    `Full CDK app synth, ${results.date}: ${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}; ${runs} runs.`,
    "",
    "| metric | value |",
    "| --- | --- |",
    `| synth, 5 stacks + cdk-nag (median) | ${(results.medianMs / 1000).toFixed(2)} s |`,
    `| fastest / slowest run | ${(results.minMs / 1000).toFixed(2)} s / ${(results.maxMs / 1000).toFixed(2)} s |`,
    "",
  ].join("\n");
  writeResults(benchDir, results, table);
  console.log(table);
}

try {
  main();
} catch (error) {
  console.error(error instanceof BenchError ? error.message : error);
  process.exitCode = 1;
}
