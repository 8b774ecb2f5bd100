// End-to-end times of the local sandbox's scenario: the whole ops loop on this machine, through
// the bot's real endpoints (@phoenix/sandbox's startSandbox and runScenario). One sandbox (free
// ports), the scenario run SANDBOX_BENCH_RUNS (5) times against it; medians per step. The
// headline steps:
//   merge → deployment success   signed pull_request webhook until the GitHub Deployment's status
//                                is success (image build + push, task definition, ECS rollout by
//                                the local platform, deployment-completed event)
//   promote staging → production `/deploy production` of a commit staging ran until production's
//                                deployment succeeds in the second moto account (no build: the
//                                digest is reused)
//   alarm → issue visible        CloudWatch alarm event until the CPU issue is open on the stand-in
//   crash → issue visible        GET /crash on the running app until the crash issue (with the
//                                app's last log lines from moto) is on the stand-in
//
//   scripts/test-services.sh up && pnpm --filter @phoenix/sandbox build
//   pnpm --filter @phoenix/sandbox bench
//
// Output: bench/results.json, bench/results.md and the table on stdout.
import { execFileSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import {
  BenchError,
  benchPaths,
  importBuilt,
  intEnv,
  type MachineDescription,
  machineDescription,
  markdownTable,
  median,
  writeResults,
} from "@phoenix/bench-kit";
import type { ScenarioStep } from "@phoenix/sandbox";

const { benchDir, workspaceRoot } = benchPaths(import.meta.url);

/** The steps the issue names, by the scenario's step names, with the short name the table shows. */
const HEADLINE: Readonly<Record<string, string>> = {
  "merge a pull request → deployment success": "merge → deployment success",
  "/deploy production → same digest promoted to the second account": "promote staging → production",
  "CPU alarm → issue opened": "alarm → issue visible",
  "GET /crash → crash issue with the app's last log lines": "crash → issue visible",
};

interface StepResult {
  readonly name: string;
  readonly headline: string | undefined;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly runsMs: readonly (number | undefined)[];
}

interface BenchResult {
  readonly date: string;
  readonly machine: MachineDescription;
  readonly node: string;
  readonly commit: string | undefined;
  readonly runs: number;
  readonly sandboxUpMs: number;
  readonly steps: readonly StepResult[];
  readonly scenarioTotalMedianMs: number;
}

async function main(): Promise<void> {
  const runs = intEnv("SANDBOX_BENCH_RUNS", 5, 1, 50);
  const { startSandbox, runScenario } = await importBuilt("@phoenix/sandbox", () => import("@phoenix/sandbox"));

  const upStarted = performance.now();
  const sandbox = await startSandbox({
    workspaceRoot,
    ports: { app: 0, bot: 0, github: 0, productionApp: 0 },
    app: "phoenix-bench",
    log: () => {},
  });
  const upMs = performance.now() - upStarted;
  const samples: ScenarioStep[][] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      const steps = await runScenario(sandbox.endpoints);
      samples.push(steps);
      process.stderr.write(`[bench] scenario ${run}/${runs}: ${steps.map((s) => `${s.ms} ms`).join(", ")}\n`);
    }
  } finally {
    await sandbox.stop();
  }

  const names = (samples[0] ?? []).map((step) => step.name);
  const steps = names.map((name): StepResult => {
    const values = samples.map((steps) => steps.find((step) => step.name === name)?.ms);
    const measured = values.filter((ms): ms is number => ms !== undefined);
    return {
      name,
      headline: HEADLINE[name],
      medianMs: median(values),
      minMs: Math.min(...measured),
      maxMs: Math.max(...measured),
      runsMs: values,
    };
  });
  const totals = samples.map((steps) => steps.reduce((sum, step) => sum + step.ms, 0));
  const result: BenchResult = {
    date: new Date().toISOString(),
    machine: machineDescription(),
    node: process.version,
    commit: gitHead(),
    runs,
    sandboxUpMs: Math.round(upMs),
    steps,
    scenarioTotalMedianMs: median(totals),
  };

  const table = renderTable(result);
  writeResults(benchDir, result, `${table}\n`);
  process.stdout.write(`${table}\n`);
}

function renderTable(result: BenchResult): string {
  const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`);
  const lines = [
    "# Sandbox scenario bench",
    "",
    `${result.date}: ${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.node}; one sandbox, the scenario ${result.runs} times; medians (min–max). Sandbox up (services running, image built, moto seeded from the synthesized stacks, both environments' apps healthy): ${ms(result.sandboxUpMs)}.`,
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

function gitHead(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: workspaceRoot, encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

main().catch((error: unknown) => {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${error instanceof BenchError ? "" : "sandbox bench failed: "}${text}\n`);
  process.exit(1);
});
