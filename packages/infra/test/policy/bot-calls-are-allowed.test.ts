import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AWS_CALL_RECORDINGS_COMMAND,
  type RecordedAwsCall,
  type RecordedInstallation,
} from "../../../../test-support/aws-call-recording.js";
import { synthesizePhoenixTemplates } from "../../src/stack/phoenix-app.js";
import { type DeployedTemplate, evaluate, roleByArn, rolesOfTemplates } from "../../src/template/index.js";
import { actionOf, authorizationsFor } from "./operation-authorization.js";
import {
  configOfInstallation,
  deniedCalls,
  describeDenial,
  loadRecordings,
  namesTheStacksDoNotCreate,
} from "./recorded-calls.js";
import { withoutStatement } from "./without-statement.js";

// The acceptance: every AWS call the bot makes is allowed by the policy that the
// templates give it. The ops bot's flow tests (deploy, scale, alarm, crash, promotion into a
// second account) run the bot against moto through a recording proxy; each test's calls are
// checked here against the stacks that would serve that test's installation in AWS: the ops
// stack in the bot's account, each environment stack in the account the bot reached it in.

const recordings = loadRecordings();

interface TestCalls {
  readonly key: string;
  readonly installation: RecordedInstallation | undefined;
  readonly calls: RecordedAwsCall[];
}

/** The calls of each test, with the installation it played. */
const byTest: TestCalls[] = recordings.flatMap((recording) => {
  const tests = new Map<string, RecordedAwsCall[]>();
  for (const call of recording.calls) tests.set(call.test, [...(tests.get(call.test) ?? []), call]);
  return [...tests].map(([test, calls]) => ({
    key: `${recording.testFile} > ${test}`,
    installation: recording.installations.find((installation) => installation.test === test),
    calls,
  }));
});

const allCalls = byTest.flatMap((test) => test.calls);

/** The templates of a test's installation, in the accounts and region its calls used. */
function stacksOf(test: TestCalls & { installation: RecordedInstallation }): DeployedTemplate[] {
  const botAccount = test.calls.find((call) => call.principal.kind === "bot")?.principal;
  if (botAccount?.kind !== "bot") throw new Error(`${test.key}: no call with the bot's own key shows its account`);
  return Object.values(synthesizePhoenixTemplates(configOfInstallation(test.installation, botAccount.account)));
}

const played = (test: TestCalls): test is TestCalls & { installation: RecordedInstallation } =>
  test.installation !== undefined;

describe("every AWS call the bot makes in the flow tests is allowed by the IAM policies the templates give it", () => {
  it("has recordings of the deploy, scale, alarm and crash flows, through the bot's role and a deployer role", () => {
    expect(recordings.map((recording) => recording.testFile).sort()).toEqual(
      expect.arrayContaining([
        "packages/ops-bot/test/flow/alarm-flow.test.ts",
        "packages/ops-bot/test/flow/crash-flow.test.ts",
        "packages/ops-bot/test/flow/deploy-flow.test.ts",
      ]),
    );
    const actions = new Set(allCalls.map(actionOf));
    for (const action of [
      "ecs:RegisterTaskDefinition", // deploy
      "ecs:UpdateService",
      "application-autoscaling:RegisterScalableTarget", // /scale
      "cloudwatch:GetMetricData", // alarm issues
      "logs:GetLogEvents", // crash issues
      "sts:AssumeRole",
    ]) {
      expect(actions, action).toContain(action);
    }
    expect(allCalls.some((call) => call.principal.kind === "assumed-role")).toBe(true);
  });

  it("fails, naming the command that writes them, when the recordings are missing", () => {
    const empty = mkdtempSync(join(tmpdir(), "phoenix-no-recordings-"));
    try {
      expect(() => loadRecordings(empty)).toThrow(AWS_CALL_RECORDINGS_COMMAND);
      expect(() => loadRecordings(join(empty, "absent"))).toThrow(/no AWS call recordings/);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });

  it("knows the installation each calling test played", () => {
    expect(byTest.filter((test) => !played(test)).map((test) => test.key)).toEqual([]);
  });

  describe.each(recordings.map((recording) => recording.testFile))("%s", (testFile) => {
    const recording = recordings.find((candidate) => candidate.testFile === testFile);

    it("names, in each test's ops config, the clusters and services the environment stacks create", () => {
      expect(recording?.installations.flatMap(namesTheStacksDoNotCreate)).toEqual([]);
    });

    it("makes only calls allowed for the principal that made them (operation resource principal)", () => {
      const denials = byTest
        .filter((test) => test.key.startsWith(`${testFile} > `))
        .filter(played)
        .flatMap((test) => deniedCalls(test.calls, stacksOf(test), test.installation.app));
      expect([...new Set(denials.map(describeDenial))]).toEqual([]);
    }, 180_000);
  });

  it("fails a recorded call once the template loses the statement that allowed it", () => {
    // A call a deployer role made, allowed as synthesized: the proof needs one to remove a grant from.
    const candidate = byTest
      .filter(played)
      .flatMap((test) =>
        test.calls.filter((call) => call.principal.kind === "assumed-role").map((call) => ({ test, call })),
      );
    let shown = false;
    for (const { test, call } of candidate) {
      const stacks = stacksOf(test);
      if (deniedCalls([call], stacks, test.installation.app).length > 0) continue;
      const roleArn = call.principal.kind === "assumed-role" ? call.principal.roleArn : "";
      const role = roleByArn(rolesOfTemplates(stacks), roleArn);
      const [authorization] = authorizationsFor(call);
      const decision = role && authorization && evaluate(role.policies, authorization);
      if (!role || !authorization || decision?.effect !== "allow") continue;
      const policy = role.policies.find((candidatePolicy) => candidatePolicy.name === decision.policy);
      if (!policy) continue;

      const denials = deniedCalls([call], withoutStatement(stacks, policy, decision.statement), test.installation.app);
      expect(denials.map(describeDenial)).toEqual([
        expect.stringContaining(`${actionOf(call)} ${authorization.resource} ${roleArn} — implicit-deny`),
      ]);
      shown = true;
      break;
    }
    expect(shown, "no recorded call through a deployer role is allowed as synthesized").toBe(true);
  }, 180_000);
});
