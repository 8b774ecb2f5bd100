#!/usr/bin/env node
// Synth time of the full CDK app: each run is a fresh `node dist/bin/phoenix.js`, which is
// what `cdk synth` executes (import aws-cdk-lib, build both stacks, run cdk-nag, write the
// templates). Writes bench/results.json and bench/results.md; the median is the number to quote.
//   pnpm --filter @phoenix/infra bench        (PHOENIX_BENCH_SYNTH_RUNS, default 7)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "../../../scripts/bench-kit.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const entry = join(benchDir, "..", "dist", "bin", "phoenix.js");
if (!existsSync(entry)) {
  console.error(`${entry} is missing: build first (pnpm --filter @phoenix/infra build)`);
  process.exit(1);
}
const runs = Number(process.env.PHOENIX_BENCH_SYNTH_RUNS ?? 7);
if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
  console.error("PHOENIX_BENCH_SYNTH_RUNS must be a whole number from 1 to 50");
  process.exit(1);
}

const durations = [];
for (let run = 0; run < runs; run++) {
  const outdir = mkdtempSync(join(os.tmpdir(), "phoenix-synth-bench-"));
  try {
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, [entry], {
      env: { ...process.env, CDK_OUTDIR: outdir },
      encoding: "utf8",
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const templates = readdirSync(outdir).filter((name) => name.endsWith(".template.json"));
    if (child.status !== 0 || templates.length !== 2) {
      console.error(child.stderr);
      throw new Error(`synth run ${run + 1} failed (exit ${child.status}, ${templates.length} templates)`);
    }
    durations.push(ms);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const sorted = [...durations].sort((a, b) => a - b);
const results = {
  date: new Date().toISOString(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), node: process.version },
  what: "node dist/bin/phoenix.js: both stacks (staging, production) with cdk-nag AwsSolutions, fresh process each run",
  runs: durations.map((ms) => Math.round(ms)),
  medianMs: Math.round(median(durations)),
  minMs: Math.round(sorted[0]),
  maxMs: Math.round(sorted.at(-1)),
};
const table = [
  `Full CDK app synth, ${results.date}: ${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}; ${runs} runs.`,
  "",
  "| metric | value |",
  "| --- | --- |",
  `| synth, both stacks + cdk-nag (median) | ${(results.medianMs / 1000).toFixed(2)} s |`,
  `| fastest / slowest run | ${(results.minMs / 1000).toFixed(2)} s / ${(results.maxMs / 1000).toFixed(2)} s |`,
  "",
].join("\n");
writeFileSync(join(benchDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(benchDir, "results.md"), table);
console.log(table);
