#!/usr/bin/env node
// End-to-end times of the local sandbox's scenario: the whole ops loop on this machine, through
// the bot's real endpoints (dist/sandbox). One sandbox (free ports), the scenario run
// SANDBOX_BENCH_RUNS (5) times against it; medians per step. The three the issue names:
//   merge → deployment success   signed pull_request webhook until the GitHub Deployment's status
//                                is success (image build + push, task definition, ECS rollout by
//                                the local platform, deployment-completed event)
//   alarm → issue visible        CloudWatch alarm event until the CPU issue is open on the stand-in
//   crash → issue visible        GET /crash on the running app until the crash issue (with the
//                                app's last log lines from moto) is on the stand-in
//
//   scripts/test-services.sh up && pnpm --filter @phoenix/ops-bot build && node bench/sandbox-scenario.mjs
//
// Output: bench/results-sandbox.json, bench/results-sandbox.md and the table on stdout.
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BenchError, intEnv, machineDescription, markdownTable, median } from "../../../scripts/bench-kit.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(benchDir, "..");
const workspaceRoot = resolve(packageDir, "../..");

const HEADLINE = {
  "merge a pull request → deployment success": "merge → deployment success",
  "CPU alarm → issue opened": "alarm → issue visible",
  "GET /crash → crash issue with the app's last log lines": "crash → issue visible",
};

async function main() {
  const runs = intEnv("SANDBOX_BENCH_RUNS", 5, 1, 50);
  const sandboxModule = join(packageDir, "dist/sandbox/sandbox.js");
  if (!existsSync(sandboxModule))
    throw new BenchError("dist/sandbox is missing: run pnpm --filter @phoenix/ops-bot build");
  const { startSandbox } = await import(pathToFileURL(sandboxModule).href);
  const { runScenario } = await import(pathToFileURL(join(packageDir, "dist/sandbox/scenario.js")).href);

  const upStarted = performance.now();
  const sandbox = await startSandbox({
    workspaceRoot,
    ports: { app: 0, bot: 0, github: 0 },
    app: "phoenix-bench",
    log: () => {},
  });
  const upMs = performance.now() - upStarted;
  const samples = [];
  try {
    for (let run = 1; run <= runs; run++) {
      const steps = await runScenario(sandbox.endpoints);
      samples.push(steps);
      process.stderr.write(`[bench] scenario ${run}/${runs}: ${steps.map((s) => `${s.ms} ms`).join(", ")}\n`);
    }
  } finally {
    await sandbox.stop();
  }

  const names = samples[0].map((step) => step.name);
  const steps = names.map((name) => {
    const values = samples.map((steps) => steps.find((step) => step.name === name)?.ms);
    return {
      name,
      headline: HEADLINE[name],
      medianMs: median(values),
      minMs: Math.min(...values),
      maxMs: Math.max(...values),
      runsMs: values,
    };
  });
  const totals = samples.map((steps) => steps.reduce((sum, step) => sum + step.ms, 0));
  const result = {
    date: new Date().toISOString(),
    machine: machineDescription(),
    node: process.version,
    commit: gitHead(),
    runs,
    sandboxUpMs: Math.round(upMs),
    steps,
    scenarioTotalMedianMs: median(totals),
  };
  writeFileSync(join(benchDir, "results-sandbox.json"), `${JSON.stringify(result, null, 2)}\n`);
  const table = renderTable(result);
  writeFileSync(join(benchDir, "results-sandbox.md"), `${table}\n`);
  process.stdout.write(`${table}\n`);
}

function renderTable(result) {
  const ms = (value) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`);
  const lines = [
    "# Sandbox scenario bench",
    "",
    `${result.date}: ${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.node}; one sandbox, the scenario ${result.runs} times; medians (min–max). Sandbox up (services running, image built, app healthy): ${ms(result.sandboxUpMs)}.`,
    "",
    markdownTable(
      ["step", "median", "min–max"],
      [
        ...result.steps.map((step) => [
          step.headline ? `**${step.headline}**` : step.name,
          ms(step.medianMs),
          `${ms(step.minMs)}–${ms(step.maxMs)}`,
        ]),
        ["whole scenario", ms(result.scenarioTotalMedianMs), ""],
      ],
    ),
  ];
  return lines.join("\n");
}

function gitHead() {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: workspaceRoot, encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof BenchError ? "" : "sandbox bench failed: "}${error.stack ?? error}\n`);
  process.exit(1);
});
