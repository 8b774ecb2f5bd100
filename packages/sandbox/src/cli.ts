#!/usr/bin/env node
// `pnpm start` (= `./dev start` after the build): the local sandbox, up until Ctrl-C, with the
// scenario run once. `pnpm sandbox scenario`: replay the scenario against a running sandbox.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { readSandboxEndpoints, startSandbox } from "./sandbox.js";
import { renderTimeline, runScenario, type ScenarioStep } from "./scenario.js";

const say = (line: string) => process.stdout.write(`${line}\n`);

function workspaceRoot(): string {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    if (dirname(dir) === dir) throw new Error("run the sandbox from inside the Phoenix Ops checkout");
  }
}

async function scenario(run: () => Promise<ScenarioStep[]>): Promise<boolean> {
  say("\nscenario:");
  try {
    const steps = await run();
    say(`\n${renderTimeline(steps)}\n`);
    return true;
  } catch (error) {
    say(`scenario failed: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

const command = process.argv[2] ?? "up";
const root = workspaceRoot();
if (command === "scenario") {
  const endpoints = readSandboxEndpoints(root);
  process.exit(
    (await scenario(() => runScenario(endpoints, (step) => say(`  ✓ ${step.name} (${step.ms} ms)`)))) ? 0 : 1,
  );
} else if (command === "up") {
  const sandbox = await startSandbox({ workspaceRoot: root, log: say, publishEndpoints: true });
  const { endpoints } = sandbox;
  say(
    [
      "",
      "Phoenix sandbox is up (127.0.0.1 only):",
      ...endpoints.environments.map(
        (environment) =>
          `  ${`${environment.name} app`.padEnd(15)}${environment.appUrl}  (account ${environment.account}, deployer role ${environment.deployerRoleArn.split("/").pop()})`,
      ),
      `  ops bot        ${endpoints.botUrl}  (webhooks /api/github/webhooks, events /aws/events)`,
      `  GitHub page    ${endpoints.githubUrl}/_sandbox/   ← issues, comments, deployments the bot wrote`,
      `  AWS (moto)     ${endpoints.aws.endpoint}  (ops and staging: account ${endpoints.environments[0]?.account})`,
      `  EventBridge    ${endpoints.eventsUrl}  (the stacks' rules, from each account to the bot)`,
    ].join("\n"),
  );
  await scenario(() => runScenario(endpoints, (step) => say(`  ✓ ${step.name} (${step.ms} ms)`)));
  say("Replay with `pnpm sandbox scenario`; Ctrl-C stops everything the sandbox started.");
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      say("\nsandbox: stopping…");
      void sandbox.stop().then(() => process.exit(0));
    });
  }
} else {
  say("usage: sandbox [up|scenario]");
  process.exit(2);
}
