import { randomUUID } from "node:crypto";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { OPS_BOT_ENV } from "@phoenix/shared";
import { afterEach, describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../test-support/moto.js";
import type { SnsEnvelopeInput } from "../../src/intake/sns/string-to-sign.js";
import { awsFixture } from "../support/aws-fixtures.js";
import { OpsBotUnderTest, SIGNING_CERT_URL, TOPIC_ARN } from "../support/ops-bot-under-test.js";
import { signEnvelope } from "../support/sns-test-signer.js";

/**
 * The alarm's metric (the fixture's own: AWS/ECS CPUUtilization for the Phoenix service) and
 * the service's log lines, put into moto around `at`. The service name is made unique: moto
 * keeps metrics for the server's life and matches them by name and dimensions.
 */
async function putEvidence(at: Date, cpu: readonly number[]): Promise<{ logGroupName: string; service: string }> {
  const service = `phoenix-staging-web-${randomUUID().slice(0, 8)}`;
  await new CloudWatchClient({ ...motoClientConfig(), maxAttempts: 1 }).send(
    new PutMetricDataCommand({
      Namespace: "AWS/ECS",
      MetricData: cpu.map((value, i) => ({
        MetricName: "CPUUtilization",
        Dimensions: [
          { Name: "ClusterName", Value: "phoenix-staging" },
          { Name: "ServiceName", Value: service },
        ],
        Timestamp: new Date(at.getTime() - (cpu.length - i) * 60_000),
        Value: value,
        Unit: "Percent",
      })),
    }),
  );
  const logs = new CloudWatchLogsClient(motoClientConfig());
  const logGroupName = `/phoenix/flow/${randomUUID().slice(0, 8)}`;
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: "phoenix/app/task1" }));
  await logs.send(
    new PutLogEventsCommand({
      logGroupName,
      logStreamName: "phoenix/app/task1",
      logEvents: [
        { timestamp: at.getTime() - 30_000, message: '{"level":30,"msg":"request completed","url":"/generatecert"}' },
      ],
    }),
  );
  return { logGroupName, service };
}

// Through the real HTTP endpoint: signed SNS notifications carrying CloudWatch alarm messages
// (fixtures: Phoenix variants of AWS's sample, times moved to now) → POST /aws/sns → the
// bot's issue work after the 200 → GitHub stand-in.
function alarmNotification(
  bot: OpsBotUnderTest,
  fixture: string,
  at: Date,
  service = "phoenix-staging-web",
): SnsEnvelopeInput {
  const alarm = awsFixture(fixture) as { Trigger: { Dimensions: { name: string; value: string }[] } };
  const dimensions = alarm.Trigger.Dimensions.map((d) => (d.name === "ServiceName" ? { ...d, value: service } : d));
  const message = {
    ...alarm,
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

describe("CPU alarms through the SNS endpoint", () => {
  let bot: OpsBotUnderTest | undefined;
  afterEach(async () => {
    await bot?.stop();
    bot?.github.assertClean();
    bot = undefined;
  });

  it("turns 50 concurrent ALARM notifications for one alarm into exactly one issue, with the metric and logs from CloudWatch", async () => {
    const now = new Date();
    const { logGroupName, service } = await putEvidence(now, [12, 35, 97.5]);
    const started = await OpsBotUnderTest.start({ [OPS_BOT_ENV.logGroupName]: logGroupName });
    bot = started;
    const fixture = "cloudwatch-alarm-sns-message-phoenix-cpu-high.json";
    const statuses = await Promise.all(
      Array.from({ length: 50 }, () =>
        post(started, alarmNotification(started, fixture, now, service)).then((r) => r.status),
      ),
    );
    expect(statuses.every((status) => status === 200)).toBe(true);
    await bot.stop(); // waits for the work done after acknowledging

    expect(bot.github.issues.size).toBe(1);
    const issue = [...bot.github.issues.values()][0];
    expect(issue?.title).toBe("CPU peak: phoenix-staging-cpu-high in ALARM");
    expect(issue?.labels).toEqual(["ops:cpu"]);
    expect(issue?.body).toContain("| Occurrences | 50 |");
    expect(issue?.body).toContain("line [12, 35, 97.5]"); // the chart, from GetMetricData
    expect(issue?.body).toContain('"url":"/generatecert"'); // the log lines around the breach
    expect(bot.certificates.requested).toHaveLength(1); // cached after the first verification
  });

  it("closes the issue when the alarm returns to OK", async () => {
    bot = await OpsBotUnderTest.start();
    const now = new Date();
    expect(
      (await post(bot, alarmNotification(bot, "cloudwatch-alarm-sns-message-phoenix-cpu-high.json", now))).status,
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      (
        await post(
          bot,
          alarmNotification(bot, "cloudwatch-alarm-sns-message-phoenix-cpu-ok.json", new Date(now.getTime() + 60_000)),
        )
      ).status,
    ).toBe(200);
    await bot.stop();

    const [issue] = [...bot.github.issues.values()];
    expect(issue?.state).toBe("closed");
    expect(issue?.comments.at(-1)?.body).toMatch(/^Recovered: phoenix-staging-cpu-high is OK again/);
  });

  it("refuses a tampered notification with 403 and writes nothing to GitHub", async () => {
    bot = await OpsBotUnderTest.start();
    const envelope = alarmNotification(bot, "cloudwatch-alarm-sns-message-phoenix-cpu-high.json", new Date());
    const tampered = {
      ...envelope,
      Message: envelope.Message.replace("phoenix-staging-cpu-high", "phoenix-production-cpu-high"),
    };
    expect((await post(bot, tampered)).status).toBe(403);
    await bot.stop();
    expect(bot.github.requests).toEqual([]);
  });
});
