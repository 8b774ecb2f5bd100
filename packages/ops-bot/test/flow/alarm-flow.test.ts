import { randomUUID } from "node:crypto";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { labelledEventInputTemplate, resourceNames, WHOLE_EVENT_VARIABLE } from "@phoenix/shared";
import { afterEach, describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../test-support/moto.js";
import type { SnsEnvelopeInput } from "../../src/intake/sns/string-to-sign.js";
import { awsFixture } from "../support/aws-fixtures.js";
import { deployerRoleInMoto, inMotoAccount, OPS_ACCOUNT } from "../support/moto-accounts.js";
import { OpsBotUnderTest, SIGNING_CERT_URL, TOPIC_ARN } from "../support/ops-bot-under-test.js";
import { signEnvelope } from "../support/sns-test-signer.js";

/** The account production runs in, apart from the ops account where the bot runs. */
const PRODUCTION_ACCOUNT = "444455556666";
const REGION = motoClientConfig().region;

/**
 * An app name no other test run uses: moto keeps log groups and metrics for the life of the
 * server, and the log group, the alarm names and the metric dimensions all derive from it.
 */
const uniqueApp = () => `flow-${randomUUID().slice(0, 8)}`;

/** Log lines in the environment's log group (`resourceNames(...).logGroup`), in `account`. */
async function putServiceLogs(account: string, logGroup: string, at: Date, lines: readonly string[]): Promise<void> {
  const logs = inMotoAccount(new CloudWatchLogsClient(motoClientConfig()), account);
  await logs.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: "phoenix/app/task1" }));
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: logGroup,
      logStreamName: "phoenix/app/task1",
      logEvents: lines.map((message, i) => ({ timestamp: at.getTime() - 30_000 + i, message })),
    }),
  );
}

async function putMetric(
  account: string,
  metric: { namespace: string; name: string; dimensions: Record<string, string> },
  at: Date,
  values: readonly number[],
): Promise<void> {
  await inMotoAccount(new CloudWatchClient({ ...motoClientConfig(), maxAttempts: 1 }), account).send(
    new PutMetricDataCommand({
      Namespace: metric.namespace,
      MetricData: values.map((value, i) => ({
        MetricName: metric.name,
        Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
        Timestamp: new Date(at.getTime() - (values.length - i) * 60_000),
        Value: value,
      })),
    }),
  );
}

/** Staging's deployer role, in the ops account: the bot reads every environment through its own role. */
async function stagingDeployer(app: string): Promise<{ roleArn: string }> {
  return {
    roleArn: await deployerRoleInMoto(OPS_ACCOUNT, resourceNames({ app, environment: "staging" }).deployerRole),
  };
}

/** The ops config of the repositories in the stand-in: `app`, and each environment's region and role. */
function opsConfigYaml(app: string, environments: Record<string, { roleArn?: string }>): string {
  return [
    `app: ${app}`,
    "environments:",
    ...Object.entries(environments).flatMap(([name, { roleArn }]) => [
      `  ${name}:`,
      `    region: ${REGION}`,
      ...(roleArn ? [`    roleArn: ${roleArn}`] : []),
    ]),
    "",
  ].join("\n");
}

/**
 * One of the service's alarms as EventBridge sends its state change (fixtures: the CloudWatch
 * guide's sample as PhoenixServiceAlarms creates each alarm), renamed for `app`/`environment`,
 * in `account`, changed at `at`; labelled as the ops bus labels it.
 */
function labelledAlarmEvent(
  fixture: string,
  where: { app: string; environment: string; account: string; repository: string },
  at: Date,
): { event: Record<string, unknown>; labelled: unknown; alarmName: string } {
  const sample = awsFixture(fixture) as { detail: { alarmName: string; state: Record<string, unknown> } };
  const names = resourceNames({ app: where.app, environment: where.environment });
  const stagingNames = resourceNames({ app: "phoenix", environment: "staging" });
  const key = (Object.keys(stagingNames.alarms) as (keyof typeof stagingNames.alarms)[]).find(
    (name) => stagingNames.alarms[name] === sample.detail.alarmName,
  );
  if (!key) throw new Error(`${fixture} is not one of the service's alarms`);
  const alarmName = names.alarms[key];
  const event = {
    ...sample,
    id: randomUUID(),
    account: where.account,
    region: REGION,
    time: at.toISOString().replace(/\.\d+Z$/, "Z"),
    resources: [`arn:aws:cloudwatch:${REGION}:${where.account}:alarm:${alarmName}`],
    detail: {
      ...sample.detail,
      alarmName,
      state: { ...sample.detail.state, timestamp: at.toISOString().replace("Z", "+0000") },
    },
  };
  const template = labelledEventInputTemplate({ environment: where.environment, repository: where.repository });
  return { event, labelled: JSON.parse(template.replace(WHOLE_EVENT_VARIABLE, JSON.stringify(event))), alarmName };
}

/** The metric a fixture's alarm watches, with dimension values of this test's own. */
function metricOf(event: Record<string, unknown>, app: string) {
  const [entry] = (
    event as {
      detail: {
        configuration: {
          metrics: {
            metricStat: { metric: { namespace: string; name: string; dimensions: Record<string, string> } };
          }[];
        };
      };
    }
  ).detail.configuration.metrics;
  if (!entry) throw new Error("the fixture names no metric");
  const { namespace, name, dimensions } = entry.metricStat.metric;
  const own = Object.fromEntries(Object.entries(dimensions).map(([key, value]) => [key, `${value}-${app}`]));
  return { namespace, name, dimensions: own };
}

function withDimensions(event: Record<string, unknown>, dimensions: Record<string, string>): Record<string, unknown> {
  const detail = event.detail as { configuration: { metrics: { metricStat: { metric: object } }[] } };
  const [entry] = detail.configuration.metrics;
  if (!entry) throw new Error("the fixture names no metric");
  return {
    ...event,
    detail: {
      ...detail,
      configuration: {
        ...detail.configuration,
        metrics: [
          { ...entry, metricStat: { ...entry.metricStat, metric: { ...entry.metricStat.metric, dimensions } } },
        ],
      },
    },
  };
}

describe("alarms of an environment in another account, labelled by the ops bus (EventBridge endpoint)", () => {
  let bot: OpsBotUnderTest | undefined;
  afterEach(async () => {
    await bot?.stop();
    bot?.github.assertClean();
    bot = undefined;
  });

  it("files a 5xx alarm in the labelled repository, with log lines and metric read through production's deployer role", async () => {
    const app = uniqueApp();
    const now = new Date();
    const names = resourceNames({ app, environment: "production" });
    const roleArn = await deployerRoleInMoto(PRODUCTION_ACCOUNT, `${names.deployerRole}`);
    const where = { app, environment: "production", account: PRODUCTION_ACCOUNT, repository: "octo-shop/storefront" };
    const alarm = labelledAlarmEvent("eventbridge-cloudwatch-alarm-state-change-phoenix-target-5xx", where, now);
    const metric = metricOf(alarm.event, app);
    const event = withDimensions(alarm.event, metric.dimensions);
    const labelled = JSON.parse(
      labelledEventInputTemplate(where).replace(WHOLE_EVENT_VARIABLE, JSON.stringify(event)),
    ) as unknown;
    const logLine = `{"level":50,"msg":"request failed","url":"/generatecert","marker":"${app}"}`;
    await putServiceLogs(PRODUCTION_ACCOUNT, names.logGroup, now, [logLine]);
    await putMetric(PRODUCTION_ACCOUNT, metric, now, [0, 4, 37]);

    bot = await OpsBotUnderTest.start();
    bot.github.files.set(".github/phoenix-ops.yml", opsConfigYaml(app, { production: { roleArn } }));
    expect((await bot.deliverEvent(labelled)).status).toBe(202);
    await bot.settled();

    const created = bot.github.requests.filter((request) => request.operationId === "issues/create");
    expect(created.map((request) => request.path)).toEqual(["/repos/octo-shop/storefront/issues"]);
    const [issue] = [...bot.github.issues.values()];
    expect(issue?.title).toBe(`5xx from the app: ${alarm.alarmName} in ALARM`);
    expect(issue?.labels).toEqual(["ops:5xx"]);
    expect(issue?.body).toContain("| Environment | `production` |");
    expect(issue?.body).toContain(`"marker":"${app}"`); // the log line, from the production account
    expect(issue?.body).toContain("line [0, 4, 37]"); // the chart, from the production account's metric
    // Neither exists in the ops account, where the bot's own credentials act: the reads assumed the role.
    const opsLogs = new CloudWatchLogsClient(motoClientConfig());
    const { logGroups } = await opsLogs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: names.logGroup }));
    expect(logGroups ?? []).toEqual([]);
    expect(OPS_ACCOUNT).not.toBe(PRODUCTION_ACCOUNT);
  });

  it("acts once on the same labelled event delivered twice", async () => {
    const app = uniqueApp();
    const now = new Date();
    bot = await OpsBotUnderTest.start();
    bot.github.files.set(".github/phoenix-ops.yml", opsConfigYaml(app, { staging: await stagingDeployer(app) }));
    const where = { app, environment: "staging", account: OPS_ACCOUNT, repository: "octo-org/phoenix" };
    const alarm = labelledAlarmEvent("eventbridge-cloudwatch-alarm-state-change-phoenix-cpu-high", where, now);
    await putServiceLogs(OPS_ACCOUNT, resourceNames({ app, environment: "staging" }).logGroup, now, ["GET / 200"]);
    // EventBridge redelivers an event it could not deliver, after the first attempt.
    expect((await bot.deliverEvent(alarm.labelled)).status).toBe(202);
    await bot.settled();
    expect((await bot.deliverEvent(alarm.labelled)).status).toBe(202);
    await bot.settled();

    expect(bot.github.issues.size).toBe(1);
    const [issue] = [...bot.github.issues.values()];
    expect(issue?.title).toBe(`CPU peak: ${alarm.alarmName} in ALARM`);
    expect(issue?.body).toContain("| Occurrences | 1 |");
  });

  it("writes nothing for an alarm event without labels, or labelled with an environment the config lacks", async () => {
    const app = uniqueApp();
    bot = await OpsBotUnderTest.start();
    bot.github.files.set(".github/phoenix-ops.yml", opsConfigYaml(app, { staging: {} }));
    const where = { app, environment: "qa", account: OPS_ACCOUNT, repository: "octo-org/phoenix" };
    const alarm = labelledAlarmEvent("eventbridge-cloudwatch-alarm-state-change-phoenix-elb-5xx", where, new Date());
    expect((await bot.deliverEvent(alarm.event)).status).toBe(202);
    expect((await bot.deliverEvent(alarm.labelled)).status).toBe(202);
    await bot.settled();
    expect(bot.github.requests.filter((request) => request.operationId.startsWith("issues/"))).toEqual([]);
  });
});

// Through the real HTTP endpoint: signed SNS notifications carrying CloudWatch alarm messages
// (fixtures: Phoenix variants of AWS's sample, times moved to now) → POST /aws/sns → the
// bot's issue work after the 200 → GitHub stand-in. SNS messages carry no labels: they go to
// the default repository, whose environment is found by the alarm's name.
function alarmNotification(
  bot: OpsBotUnderTest,
  fixture: string,
  at: Date,
  app: string,
  service = `${app}-staging-web`,
): SnsEnvelopeInput {
  const alarm = awsFixture(fixture) as {
    AlarmName: string;
    AlarmArn: string;
    Trigger: { Dimensions: { name: string; value: string }[] };
  };
  const alarmName = alarm.AlarmName.replace(/^phoenix-/, `${app}-`);
  const dimensions = alarm.Trigger.Dimensions.map((d) => (d.name === "ServiceName" ? { ...d, value: service } : d));
  const message = {
    ...alarm,
    AlarmName: alarmName,
    AlarmArn: alarm.AlarmArn.replace(alarm.AlarmName, alarmName),
    Trigger: { ...alarm.Trigger, Dimensions: dimensions },
    StateChangeTime: at.toISOString().replace("Z", "+0000"),
  };
  return signEnvelope(
    {
      Type: "Notification",
      MessageId: randomUUID(),
      TopicArn: TOPIC_ARN,
      Message: JSON.stringify(message),
      Timestamp: at.toISOString(),
      SignatureVersion: "2",
      Signature: "",
      SigningCertURL: SIGNING_CERT_URL,
      UnsubscribeURL: `https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC_ARN}:1`,
    },
    bot.signer,
  );
}

const post = (bot: OpsBotUnderTest, envelope: SnsEnvelopeInput) =>
  fetch(`${bot.url}/aws/sns`, {
    method: "POST",
    headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": envelope.Type },
    body: JSON.stringify(envelope),
  });

describe("CPU alarms through the SNS endpoint, for the default repository", () => {
  let bot: OpsBotUnderTest | undefined;
  afterEach(async () => {
    await bot?.stop();
    bot?.github.assertClean();
    bot = undefined;
  });

  async function startWithStaging(app: string): Promise<OpsBotUnderTest> {
    const started = await OpsBotUnderTest.start();
    started.github.files.set(".github/phoenix-ops.yml", opsConfigYaml(app, { staging: await stagingDeployer(app) }));
    return started;
  }

  it("turns 50 concurrent ALARM notifications for one alarm into exactly one issue, with the metric and logs from CloudWatch", async () => {
    const app = uniqueApp();
    const now = new Date();
    const service = `${app}-staging-web`;
    await putMetric(
      OPS_ACCOUNT,
      {
        namespace: "AWS/ECS",
        name: "CPUUtilization",
        dimensions: { ClusterName: "phoenix-staging", ServiceName: service },
      },
      now,
      [12, 35, 97.5],
    );
    const logLine = '{"level":30,"msg":"request completed","url":"/generatecert"}';
    await putServiceLogs(OPS_ACCOUNT, resourceNames({ app, environment: "staging" }).logGroup, now, [logLine]);
    const started = await startWithStaging(app);
    bot = started;
    const fixture = "cloudwatch-alarm-sns-message-phoenix-cpu-high.json";
    const statuses = await Promise.all(
      Array.from({ length: 50 }, () =>
        post(started, alarmNotification(started, fixture, now, app, service)).then((r) => r.status),
      ),
    );
    expect(statuses.every((status) => status === 200)).toBe(true);
    await bot.stop(); // waits for the work done after acknowledging

    expect(bot.github.issues.size).toBe(1);
    const issue = [...bot.github.issues.values()][0];
    expect(issue?.title).toBe(`CPU peak: ${app}-staging-cpu-high in ALARM`);
    expect(issue?.labels).toEqual(["ops:cpu"]);
    expect(bot.github.requests.filter((r) => r.operationId === "issues/create").map((r) => r.path)).toEqual([
      "/repos/octo-org/phoenix/issues",
    ]);
    expect(issue?.body).toContain("| Occurrences | 50 |");
    expect(issue?.body).toContain("line [12, 35, 97.5]"); // the chart, from GetMetricData
    expect(issue?.body).toContain('"url":"/generatecert"'); // the log lines around the breach
    expect(bot.certificates.requested).toHaveLength(1); // cached after the first verification
  });

  it("closes the issue when the alarm returns to OK", async () => {
    const app = uniqueApp();
    bot = await startWithStaging(app);
    const now = new Date();
    expect(
      (await post(bot, alarmNotification(bot, "cloudwatch-alarm-sns-message-phoenix-cpu-high.json", now, app))).status,
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const later = new Date(now.getTime() + 60_000);
    expect(
      (await post(bot, alarmNotification(bot, "cloudwatch-alarm-sns-message-phoenix-cpu-ok.json", later, app))).status,
    ).toBe(200);
    await bot.stop();

    const [issue] = [...bot.github.issues.values()];
    expect(issue?.state).toBe("closed");
    expect(issue?.comments.at(-1)?.body).toMatch(new RegExp(`^Recovered: ${app}-staging-cpu-high is OK again`));
  });

  it("writes nothing for an alarm no environment of the default repository names", async () => {
    bot = await startWithStaging(uniqueApp());
    const elsewhere = alarmNotification(bot, "cloudwatch-alarm-sns-message-phoenix-cpu-high.json", new Date(), "other");
    expect((await post(bot, elsewhere)).status).toBe(200);
    await bot.stop();
    expect(bot.github.requests.filter((request) => request.operationId.startsWith("issues/"))).toEqual([]);
  });

  it("refuses a tampered notification with 403 and writes nothing to GitHub", async () => {
    const app = uniqueApp();
    bot = await startWithStaging(app);
    const envelope = alarmNotification(bot, "cloudwatch-alarm-sns-message-phoenix-cpu-high.json", new Date(), app);
    const tampered = {
      ...envelope,
      Message: envelope.Message.replace(`${app}-staging-cpu-high`, `${app}-production-cpu-high`),
    };
    expect((await post(bot, tampered)).status).toBe(403);
    await bot.stop();
    expect(bot.github.requests).toEqual([]);
  });
});
