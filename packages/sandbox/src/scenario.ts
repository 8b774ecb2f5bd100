import { randomBytes, randomUUID } from "node:crypto";
import { DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import {
  DescribeAlarmsCommand,
  type MetricAlarm,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import type { SandboxState } from "@phoenix/github-stand-in";
import {
  deliverWebhook,
  mergedPullRequestPayload,
  pullRequestCommentPayload,
  SandboxGitHubClient,
  type WebhookRepository,
} from "@phoenix/github-stand-in";
import { EVENT_DETAIL_TYPES, EVENT_SOURCES, PHOENIX_APP, type PhoenixResourceNames } from "@phoenix/shared";
import { type AwsClientConfig, motoAccountClients } from "./aws/moto-accounts.js";
import { EVENTS_SECRET_HEADER } from "./events/event-bus-stand-in.js";

/** One environment of a running sandbox: where its app answers and where its AWS resources are. */
export interface SandboxEnvironmentEndpoints {
  readonly name: string;
  /** The moto account its stack was seeded in. */
  readonly account: string;
  readonly appUrl: string;
  readonly names: PhoenixResourceNames;
  /** The role the bot assumes to act here (the ops config's `roleArn`). */
  readonly deployerRoleArn: string;
}

/** Everything a scenario needs to reach a running sandbox; also what `sandbox scenario` reads from its state file. */
export interface SandboxEndpoints {
  readonly botUrl: string;
  readonly githubUrl: string;
  /** The sandbox's EventBridge: AWS events put here reach the bot when the stacks' rules route them. */
  readonly eventsUrl: string;
  readonly webhookSecret: string;
  readonly eventsSecret: string;
  /** moto, with the sandbox's own keys (the ops account). */
  readonly aws: AwsClientConfig;
  readonly repository: WebhookRepository;
  /** In deployment order: staging (the ops account), production (a second account). */
  readonly environments: readonly SandboxEnvironmentEndpoints[];
  /** Logins the sandbox made collaborators: one with write access, one read-only. */
  readonly writer: string;
  readonly reader: string;
}

export interface ScenarioStep {
  readonly name: string;
  readonly ms: number;
  readonly detail: string;
}

export type StepListener = (step: ScenarioStep) => void;

const STEP_TIMEOUT_MS = 60_000;

/** The scenario's step names, in order (the bench and the e2e test key on them). */
export const SCENARIO_STEPS = {
  merge: "merge a pull request → deployment success",
  scale: "/scale staging 3-6 → scalable target 3..6",
  readOnly: "/deploy staging by a read-only user → refused",
  outOfOrder: "/deploy production before staging ran the commit → refused",
  deployStaging: "/deploy staging of that commit → built once, deployed",
  promote: "/deploy production → same digest promoted to the second account",
  cpuAlarm: "CPU alarm → issue opened",
  cpuOk: "alarm back to OK → issue closed",
  http5xx: "production 5xx alarm → a 5xx issue, not a CPU one",
  crash: "GET /crash → crash issue with the app's last log lines",
} as const;

/**
 * The ops loop end to end, through the bot's real endpoints: signed GitHub webhooks to Probot's
 * endpoint; AWS events put on the sandbox's EventBridge, which routes them by the stacks' rules;
 * a real `/crash` of the running app. Each step waits for its visible outcome (on the GitHub
 * stand-in, in moto's accounts) and is timed. Replayable: every run uses new pull requests,
 * commits and comment ids.
 */
export async function runScenario(sandbox: SandboxEndpoints, onStep: StepListener = () => {}): Promise<ScenarioStep[]> {
  const github = new SandboxGitHubClient(sandbox.githubUrl);
  const steps: ScenarioStep[] = [];
  const run = async (name: string, body: () => Promise<string>) => {
    const started = performance.now();
    const detail = await body();
    const step = { name, ms: Math.round(performance.now() - started), detail };
    steps.push(step);
    onStep(step);
  };
  const webhook = (event: string, payload: unknown) =>
    deliverWebhook(`${sandbox.botUrl}/api/github/webhooks`, sandbox.webhookSecret, event, payload).then(expectOk);
  const say = (pr: number, body: string, login = sandbox.writer) =>
    webhook("issue_comment", comment(sandbox, pr, commentIdNow(), body, login));
  const putEvent = (event: unknown) =>
    fetch(sandbox.eventsUrl, {
      method: "POST",
      headers: { "content-type": "application/json", [EVENTS_SECRET_HEADER]: sandbox.eventsSecret },
      body: JSON.stringify(event),
    }).then(expectOk);
  const staging = environmentNamed(sandbox, "staging");
  const production = environmentNamed(sandbox, "production");
  const deploymentSucceeded = (sha: string, environment: string) =>
    waitFor(github, `the deployment of ${sha.slice(0, 7)} to ${environment} to succeed`, (state) => {
      const found = state.deployments.find((d) => d.sha === sha && d.environment === environment);
      const last = found?.statuses.at(-1);
      if (last?.state === "failure" || last?.state === "error")
        throw new Error(`deployment failed: ${last.description}`);
      return last?.state === "success" ? found : undefined;
    });

  await run(SCENARIO_STEPS.merge, async () => {
    const pr = await github.openPullRequest(newSha());
    const mergeSha = newSha();
    await webhook("pull_request", mergedPullRequestPayload(sandbox.repository, pr, mergeSha, sandbox.writer));
    const deployment = await deploymentSucceeded(mergeSha, staging.name);
    return `deployment ${deployment.id}: ${String(deployment.payload.taskDefinitionArn).split("/").pop()}, ${String(deployment.payload.imageDigest).slice(0, 19)}…`;
  });

  await run(SCENARIO_STEPS.scale, async () => {
    const pr = await github.openPullRequest(newSha());
    await say(pr, `/scale ${staging.name} 3-6`);
    await waitFor(github, "the /scale reply", (state) => replyTo(state, pr, /^### 🚀 `\/scale/));
    const { ScalableTargets } = await awsOf(sandbox, staging).autoScaling.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: "ecs",
        ResourceIds: [`service/${staging.names.cluster}/${staging.names.service}`],
      }),
    );
    const target = ScalableTargets?.[0];
    if (target?.MinCapacity !== 3 || target.MaxCapacity !== 6) {
      throw new Error(`scalable target is ${target?.MinCapacity}..${target?.MaxCapacity}, not 3..6`);
    }
    return "Application Auto Scaling: min 3, max 6";
  });

  await run(SCENARIO_STEPS.readOnly, async () => {
    const pr = await github.openPullRequest(newSha());
    await say(pr, `/deploy ${staging.name}`, sandbox.reader);
    await waitFor(github, "the refusal", (state) => replyTo(state, pr, /write access or higher/));
    return `@${sandbox.reader} refused; nothing deployed`;
  });

  // One pull request carries the promotion: refused first, then staging, then production.
  const headSha = newSha();
  const promotionPr = await github.openPullRequest(headSha);

  await run(SCENARIO_STEPS.outOfOrder, async () => {
    await say(promotionPr, `/deploy ${production.name}`);
    const refusal = await waitFor(github, "the deployment-order refusal", (state) =>
      replyTo(state, promotionPr, new RegExp(`accepts only images that succeeded in \\*\\*${staging.name}\\*\\*`)),
    );
    const deployed = (await github.state()).deployments.filter((d) => d.sha === headSha);
    if (deployed.length > 0) throw new Error(`the refused /deploy created deployment ${deployed[0]?.id}`);
    return plainText(refusal.body.replace(/^#+ .*\n/, ""));
  });

  let stagingDigest = "";
  await run(SCENARIO_STEPS.deployStaging, async () => {
    await say(promotionPr, `/deploy ${staging.name}`);
    const deployment = await deploymentSucceeded(headSha, staging.name);
    stagingDigest = String(deployment.payload.imageDigest);
    return `built ${stagingDigest.slice(0, 19)}… once; deployment ${deployment.id} live in ${staging.name}`;
  });

  await run(SCENARIO_STEPS.promote, async () => {
    await say(promotionPr, `/deploy ${production.name}`);
    const deployment = await deploymentSucceeded(headSha, production.name);
    const { imageDigest, imageSource, imageUri, taskDefinitionArn } = deployment.payload as Record<string, string>;
    if (imageDigest !== stagingDigest || imageSource !== "reused") {
      throw new Error(`production got ${imageDigest} (${imageSource}), not staging's ${stagingDigest} reused`);
    }
    const builds = (await github.state()).deployments.filter(
      (d) => d.sha === headSha && d.payload.imageSource === "built",
    ).length;
    if (builds !== 1) throw new Error(`${headSha.slice(0, 7)} was built ${builds} times, not once`);
    // What production's account holds: the service on a revision running that digest, and the live image.
    const aws = awsOf(sandbox, production);
    const { services } = await aws.ecs.send(
      new DescribeServicesCommand({ cluster: production.names.cluster, services: [production.names.service] }),
    );
    const { taskDefinition } = await aws.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: services?.[0]?.taskDefinition }),
    );
    const image = taskDefinition?.containerDefinitions?.find((c) => c.name === PHOENIX_APP.containerName)?.image;
    if (services?.[0]?.taskDefinition !== taskDefinitionArn || !image?.endsWith(`@${stagingDigest}`)) {
      throw new Error(`production's service runs ${services?.[0]?.taskDefinition} with ${image}`);
    }
    const { Parameter } = await aws.ssm.send(new GetParameterCommand({ Name: production.names.liveImageParameter }));
    if (Parameter?.Value !== imageUri)
      throw new Error(`production's live image is ${Parameter?.Value}, not ${imageUri}`);
    return `reused ${stagingDigest.slice(0, 19)}… (1 build); ${arnTail(String(taskDefinitionArn))} in account ${production.account}`;
  });

  let alarmIssue = 0;
  await run(SCENARIO_STEPS.cpuAlarm, async () => {
    const alarm = await alarmNamed(sandbox, staging, staging.names.alarms.cpuHigh);
    await putMetric(sandbox, staging, alarm, [35, 48, 66, 91, 97]);
    await putEvent(await changeAlarmState(sandbox, staging, alarm, "ALARM", "OK"));
    const issue = await waitFor(github, "an open CPU issue", (state) =>
      state.issues.find((i) => i.state === "open" && i.labels.includes("ops:cpu")),
    );
    alarmIssue = issue.number;
    return `issue #${issue.number}: ${issue.title}`;
  });

  await run(SCENARIO_STEPS.cpuOk, async () => {
    const alarm = await alarmNamed(sandbox, staging, staging.names.alarms.cpuHigh);
    await putEvent(await changeAlarmState(sandbox, staging, alarm, "OK", "ALARM"));
    await waitFor(github, `issue #${alarmIssue} to close`, (state) =>
      state.issues.find((i) => i.number === alarmIssue && i.state === "closed"),
    );
    return `issue #${alarmIssue} closed`;
  });

  await run(SCENARIO_STEPS.http5xx, async () => {
    const alarm = await alarmNamed(sandbox, production, production.names.alarms.http5xx);
    await putMetric(sandbox, production, alarm, [0, 2, 9, 14, 23]);
    await putEvent(await changeAlarmState(sandbox, production, alarm, "ALARM", "OK"));
    const issue = await waitFor(github, "an open 5xx issue", (state) =>
      state.issues.find((i) => i.state === "open" && i.title.includes(production.names.alarms.http5xx)),
    );
    if (!issue.labels.includes("ops:5xx") || issue.labels.includes("ops:cpu") || !/^5xx\b/.test(issue.title)) {
      throw new Error(`the 5xx alarm became "${issue.title}" labelled ${issue.labels.join(", ")}`);
    }
    // Back to OK, so a replay opens a new issue rather than finding this one.
    await putEvent(await changeAlarmState(sandbox, production, alarm, "OK", "ALARM"));
    await waitFor(github, `issue #${issue.number} to close`, (state) =>
      state.issues.find((i) => i.number === issue.number && i.state === "closed"),
    );
    return `issue #${issue.number}: ${issue.title} [${issue.labels.join(", ")}], closed on OK`;
  });

  await run(SCENARIO_STEPS.crash, async () => {
    const before = crashReports(await github.state());
    await fetch(`${staging.appUrl}/crash`).catch(() => undefined); // the process dies mid-answer
    const issue = await waitFor(github, "a crash report", (state) =>
      crashReports(state) > before
        ? state.issues.find((i) => i.labels.includes("ops:crash") && i.body.includes(PHOENIX_APP.crashLogLine))
        : undefined,
    );
    await waitForHealthy(staging.appUrl);
    return `issue #${issue.number}; the platform replaced the task and the app answers again`;
  });
  return steps;
}

/** A timeline for people: one line per step with its time. */
export function renderTimeline(steps: readonly ScenarioStep[]): string {
  const width = Math.max(...steps.map((step) => step.name.length));
  return steps
    .map((step) => `${step.name.padEnd(width)}  ${(step.ms / 1000).toFixed(2).padStart(6)} s  ${step.detail}`)
    .join("\n");
}

function comment(sandbox: SandboxEndpoints, pr: number, id: number, body: string, login: string) {
  return pullRequestCommentPayload(sandbox.repository, pr, { id, body, login, createdAt: new Date().toISOString() });
}

function replyTo(state: SandboxState, issueNumber: number, pattern: RegExp) {
  return state.issues.find((i) => i.number === issueNumber)?.comments.find((c) => pattern.test(c.body));
}

/** Crashes the bot has reported: a new crash issue, or one more occurrence on an open one. */
function crashReports(state: SandboxState): number {
  return state.issues
    .filter((issue) => issue.labels.includes("ops:crash"))
    .reduce((sum, issue) => sum + Number(/\| Occurrences \| (\d+) \|/.exec(issue.body)?.[1] ?? 1), 0);
}

async function waitFor<T>(
  github: SandboxGitHubClient,
  what: string,
  check: (state: SandboxState) => T | undefined,
): Promise<T> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const found = check(await github.state());
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sandbox scenario: gave up waiting for ${what} after ${STEP_TIMEOUT_MS / 1000} s`);
}

async function waitForHealthy(appUrl: string): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (
      await fetch(`${appUrl}${PHOENIX_APP.healthCheckPath}`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("sandbox scenario: the app did not come back after /crash");
}

export function environmentNamed(sandbox: SandboxEndpoints, name: string): SandboxEnvironmentEndpoints {
  const found = sandbox.environments.find((environment) => environment.name === name);
  if (!found) throw new Error(`the sandbox has no environment ${name}`);
  return found;
}

/** The sandbox playing AWS in the environment's account (not the bot: it goes through the deployer role). */
function awsOf(sandbox: SandboxEndpoints, environment: SandboxEnvironmentEndpoints) {
  return motoAccountClients(sandbox.aws, environment.account);
}

async function alarmNamed(
  sandbox: SandboxEndpoints,
  environment: SandboxEnvironmentEndpoints,
  name: string,
): Promise<MetricAlarm> {
  const { MetricAlarms } = await awsOf(sandbox, environment).cloudWatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [name] }),
  );
  const alarm = MetricAlarms?.[0];
  if (!alarm) throw new Error(`no alarm ${name} in account ${environment.account}`);
  return alarm;
}

/** Datapoints of the alarm's own metric, one a minute up to now (what the bot charts). */
async function putMetric(
  sandbox: SandboxEndpoints,
  environment: SandboxEnvironmentEndpoints,
  alarm: MetricAlarm,
  values: readonly number[],
): Promise<void> {
  const now = Date.now();
  await awsOf(sandbox, environment).cloudWatch.send(
    new PutMetricDataCommand({
      Namespace: alarm.Namespace,
      MetricData: values.map((value, i) => ({
        MetricName: alarm.MetricName,
        Dimensions: alarm.Dimensions,
        Timestamp: new Date(now - (values.length - i) * 60_000),
        Value: value,
      })),
    }),
  );
}

/**
 * CloudWatch's part, which moto does not play: the alarm's state set in moto, and the "CloudWatch
 * Alarm State Change" event EventBridge gets for it, built from the alarm as moto describes it.
 */
async function changeAlarmState(
  sandbox: SandboxEndpoints,
  environment: SandboxEnvironmentEndpoints,
  alarm: MetricAlarm,
  value: "ALARM" | "OK",
  previous: "ALARM" | "OK",
) {
  const at = new Date();
  const threshold = alarm.Threshold ?? 0;
  const reason =
    value === "ALARM"
      ? `Threshold Crossed: 1 out of the last 1 datapoints was greater than or equal to the threshold (${threshold.toFixed(1)}).`
      : `Threshold Crossed: 1 out of the last 1 datapoints was not greater than or equal to the threshold (${threshold.toFixed(1)}).`;
  await awsOf(sandbox, environment).cloudWatch.send(
    new SetAlarmStateCommand({ AlarmName: alarm.AlarmName, StateValue: value, StateReason: reason }),
  );
  const { region } = sandbox.aws;
  const stamp = at.toISOString().replace("Z", "+0000");
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": EVENT_DETAIL_TYPES.cloudWatchAlarmStateChange,
    source: EVENT_SOURCES.cloudwatch,
    account: environment.account,
    time: at.toISOString().replace(/\.\d+Z$/, "Z"),
    region,
    resources: [alarm.AlarmArn ?? `arn:aws:cloudwatch:${region}:${environment.account}:alarm:${alarm.AlarmName}`],
    detail: {
      alarmName: alarm.AlarmName,
      configuration: {
        description: alarm.AlarmDescription,
        metrics: [
          {
            id: "m1",
            metricStat: {
              metric: {
                namespace: alarm.Namespace,
                name: alarm.MetricName,
                dimensions: Object.fromEntries((alarm.Dimensions ?? []).map(({ Name, Value }) => [Name, Value])),
              },
              period: alarm.Period,
              stat: alarm.Statistic,
            },
            returnData: true,
          },
        ],
      },
      previousState: { value: previous, reason: "previous state", timestamp: stamp },
      state: { value, reason, timestamp: stamp },
    },
  };
}

function arnTail(arn: string): string {
  return arn.split("/").pop() ?? arn;
}

/** A bot reply as one line of plain text, for the timeline. */
function plainText(markdown: string): string {
  return markdown
    .replace(/\*\*|`/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

function newSha(): string {
  return randomBytes(20).toString("hex");
}

/** Comment ids only need to be unique within the stand-in's life. */
function commentIdNow(): number {
  return Date.now() * 10 + Math.floor(Math.random() * 10);
}

async function expectOk(response: Response): Promise<void> {
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}: ${await response.text()}`);
}
