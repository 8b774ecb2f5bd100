import { randomBytes, randomUUID } from "node:crypto";
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { SandboxState } from "@phoenix/github-stand-in";
import {
  deliverWebhook,
  mergedPullRequestPayload,
  pullRequestCommentPayload,
  SandboxGitHubClient,
  type WebhookRepository,
} from "@phoenix/github-stand-in";
import { EVENT_DETAIL_TYPES, EVENT_SOURCES, PHOENIX_APP, type PhoenixResourceNames } from "@phoenix/shared";
import type { AwsClientConfig } from "./seed-aws.js";

/** Everything a scenario needs to reach a running sandbox; also what `sandbox scenario` reads from its state file. */
export interface SandboxEndpoints {
  readonly botUrl: string;
  readonly githubUrl: string;
  readonly appUrl: string;
  readonly webhookSecret: string;
  readonly eventsSecret: string;
  readonly aws: AwsClientConfig;
  readonly account: string;
  readonly repository: WebhookRepository;
  readonly environment: string;
  readonly names: PhoenixResourceNames;
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

/**
 * The ops loop end to end, through the bot's real endpoints: signed GitHub webhooks to Probot's
 * endpoint, AWS events to the EventBridge API-destination endpoint, a real `/crash` of the
 * running app. Each step waits for its visible outcome (on the GitHub stand-in, in moto) and
 * is timed. Replayable: every run uses new pull requests, commits and comment ids.
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
  const event = (payload: unknown) =>
    fetch(`${sandbox.botUrl}/aws/events`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-phoenix-events-secret": sandbox.eventsSecret },
      body: JSON.stringify(payload),
    }).then(expectOk);
  const env = sandbox.environment;

  await run("merge a pull request → deployment success", async () => {
    const pr = await github.openPullRequest(newSha());
    const mergeSha = newSha();
    await webhook("pull_request", mergedPullRequestPayload(sandbox.repository, pr, mergeSha, sandbox.writer));
    const deployment = await waitFor(github, `deployment of ${mergeSha.slice(0, 7)} to succeed`, (state) => {
      const found = state.deployments.find((d) => d.sha === mergeSha);
      const last = found?.statuses.at(-1)?.state;
      if (last === "failure" || last === "error")
        throw new Error(`deployment failed: ${found?.statuses.at(-1)?.description}`);
      return last === "success" ? found : undefined;
    });
    return `deployment ${deployment.id}: ${String(deployment.payload.taskDefinitionArn).split("/").pop()}, ${String(deployment.payload.imageDigest).slice(0, 19)}…`;
  });

  await run(`/scale ${env} 3-6 → scalable target 3..6`, async () => {
    const pr = await github.openPullRequest(newSha());
    const commentId = commentIdNow();
    await webhook("issue_comment", comment(sandbox, pr, commentId, `/scale ${env} 3-6`, sandbox.writer));
    await waitFor(github, "the /scale reply", (state) => replyTo(state, pr, /^### 🚀 `\/scale/));
    const { ScalableTargets } = await new ApplicationAutoScalingClient(sandbox.aws).send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: "ecs",
        ResourceIds: [`service/${sandbox.names.cluster}/${sandbox.names.service}`],
      }),
    );
    const target = ScalableTargets?.[0];
    if (target?.MinCapacity !== 3 || target.MaxCapacity !== 6) {
      throw new Error(`scalable target is ${target?.MinCapacity}..${target?.MaxCapacity}, not 3..6`);
    }
    return "Application Auto Scaling: min 3, max 6";
  });

  await run(`/deploy ${env} by a read-only user → refused`, async () => {
    const pr = await github.openPullRequest(newSha());
    await webhook("issue_comment", comment(sandbox, pr, commentIdNow(), `/deploy ${env}`, sandbox.reader));
    await waitFor(github, "the refusal", (state) => replyTo(state, pr, /write access or higher/));
    return `@${sandbox.reader} refused; nothing deployed`;
  });

  let alarmIssue = 0;
  await run("CPU alarm → issue opened", async () => {
    const at = new Date();
    await putCpu(sandbox, at, [35, 48, 66, 91, 97]);
    await event(alarmStateChange(sandbox, "ALARM", "OK", at));
    const issue = await waitFor(github, "an open CPU issue", (state) =>
      state.issues.find((i) => i.state === "open" && i.labels.includes("ops:cpu")),
    );
    alarmIssue = issue.number;
    return `issue #${issue.number}: ${issue.title}`;
  });

  await run("alarm back to OK → issue closed", async () => {
    await event(alarmStateChange(sandbox, "OK", "ALARM", new Date()));
    await waitFor(github, `issue #${alarmIssue} to close`, (state) =>
      state.issues.find((i) => i.number === alarmIssue && i.state === "closed"),
    );
    return `issue #${alarmIssue} closed`;
  });

  await run("GET /crash → crash issue with the app's last log lines", async () => {
    const before = crashReports(await github.state());
    await fetch(`${sandbox.appUrl}/crash`).catch(() => undefined); // the process dies mid-answer
    const issue = await waitFor(github, "a crash report", (state) =>
      crashReports(state) > before
        ? state.issues.find((i) => i.labels.includes("ops:crash") && i.body.includes(PHOENIX_APP.crashLogLine))
        : undefined,
    );
    await waitForHealthy(sandbox.appUrl);
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

async function putCpu(sandbox: SandboxEndpoints, at: Date, values: readonly number[]): Promise<void> {
  await new CloudWatchClient(sandbox.aws).send(
    new PutMetricDataCommand({
      Namespace: "AWS/ECS",
      MetricData: values.map((value, i) => ({
        MetricName: "CPUUtilization",
        Dimensions: [
          { Name: "ClusterName", Value: sandbox.names.cluster },
          { Name: "ServiceName", Value: sandbox.names.service },
        ],
        Timestamp: new Date(at.getTime() - (values.length - i) * 60_000),
        Value: value,
        Unit: "Percent",
      })),
    }),
  );
}

/** A "CloudWatch Alarm State Change" event as EventBridge delivers it for the service's CPU alarm. */
function alarmStateChange(sandbox: SandboxEndpoints, value: "ALARM" | "OK", previous: "ALARM" | "OK", at: Date) {
  const { region } = sandbox.aws;
  const alarmName = sandbox.names.alarms.cpuHigh;
  const stamp = at.toISOString().replace("Z", "+0000");
  const reason =
    value === "ALARM"
      ? "Threshold Crossed: 1 out of the last 1 datapoints [97.0] was greater than the threshold (70.0)."
      : "Threshold Crossed: 1 out of the last 1 datapoints [12.0] was not greater than the threshold (70.0).";
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": EVENT_DETAIL_TYPES.cloudWatchAlarmStateChange,
    source: EVENT_SOURCES.cloudwatch,
    account: sandbox.account,
    time: at.toISOString().replace(/\.\d+Z$/, "Z"),
    region,
    resources: [`arn:aws:cloudwatch:${region}:${sandbox.account}:alarm:${alarmName}`],
    detail: {
      alarmName,
      configuration: {
        description: "Average CPU of the Phoenix service above 70 % for a minute",
        metrics: [
          {
            id: "m1",
            metricStat: {
              metric: {
                namespace: "AWS/ECS",
                name: "CPUUtilization",
                dimensions: { ClusterName: sandbox.names.cluster, ServiceName: sandbox.names.service },
              },
              period: 60,
              stat: "Average",
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
