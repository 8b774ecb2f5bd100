import { randomUUID } from "node:crypto";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { OPS_BOT_ENV, PHOENIX_APP } from "@phoenix/shared";
import { afterEach, describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../test-support/moto.js";
import { awsFixture } from "../support/aws-fixtures.js";
import { EVENTS_SECRET, OpsBotUnderTest } from "../support/ops-bot-under-test.js";

// Through the real HTTP endpoint: ECS Task State Change events (the ECS developer guide's
// example and its stop-code variants, each given its own task ARN) → POST /aws/events as an
// EventBridge API destination sends them → crash issues on the GitHub stand-in, with the
// task's log lines read from moto's CloudWatch Logs.
function stoppedTask(fixture: string, taskId: string): Record<string, unknown> {
  const event = awsFixture(fixture) as { detail: Record<string, unknown> } & Record<string, unknown>;
  const taskArn = `arn:aws:ecs:us-west-2:111122223333:task/phoenix-staging/${taskId}`;
  return { ...event, id: randomUUID(), resources: [taskArn], detail: { ...event.detail, taskArn } };
}

const postEvent = (bot: OpsBotUnderTest, event: unknown, secret = EVENTS_SECRET) =>
  fetch(`${bot.url}/aws/events`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-phoenix-events-secret": secret },
    body: JSON.stringify(event),
  });

async function logGroupWithStream(stream: string, lines: string[]): Promise<string> {
  const logs = new CloudWatchLogsClient(motoClientConfig());
  const logGroupName = `/phoenix/flow/${randomUUID().slice(0, 8)}`;
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: stream }));
  const start = Date.now() - lines.length * 1000;
  await logs.send(
    new PutLogEventsCommand({
      logGroupName,
      logStreamName: stream,
      logEvents: lines.map((message, i) => ({ timestamp: start + i * 1000, message })),
    }),
  );
  return logGroupName;
}

describe("crashes through the EventBridge API-destination endpoint", () => {
  let bot: OpsBotUnderTest | undefined;
  afterEach(async () => {
    await bot?.stop();
    bot?.github.assertClean();
    bot = undefined;
  });

  it("opens a crash issue carrying the task's last log lines from its awslogs stream", async () => {
    const taskId = randomUUID().replaceAll("-", "");
    const event = stoppedTask("ecs-task-state-change-essential-container-exited.json", taskId);
    const container = ((event.detail as { containers: { name: string }[] }).containers[0] as { name: string }).name;
    const lines = [
      ...Array.from({ length: 70 }, (_, i) => JSON.stringify({ level: 30, msg: "request completed", url: `/?n=${i}` })),
      JSON.stringify({ level: 50, msg: PHOENIX_APP.crashLogLine }),
    ];
    const logGroupName = await logGroupWithStream(`${PHOENIX_APP.logStreamPrefix}/${container}/${taskId}`, lines);
    bot = await OpsBotUnderTest.start({ [OPS_BOT_ENV.logGroupName]: logGroupName });

    expect((await postEvent(bot, event)).status).toBe(202);
    await bot.stop();

    expect(bot.github.issues.size).toBe(1);
    const [issue] = [...bot.github.issues.values()];
    expect(issue?.labels).toEqual(["ops:crash"]);
    expect(issue?.body).toContain(PHOENIX_APP.crashLogLine);
    expect(issue?.body).toContain("/?n=69");
    expect(issue?.body).not.toContain('/?n=20"'); // older than the last 50 lines
    expect(issue?.state).toBe("open");
  });

  it("writes nothing to GitHub for scale-in, deployment, user-initiated, Spot and clean-exit stops", async () => {
    bot = await OpsBotUnderTest.start();
    for (const fixture of [
      "ecs-task-state-change-scale-in.json",
      "ecs-task-state-change-deployment-replacement.json",
      "ecs-task-state-change-user-initiated.json",
      "ecs-task-state-change-spot-interruption.json",
      "ecs-task-state-change-termination-notice.json",
      "ecs-task-state-change-clean-exit.json",
    ]) {
      expect((await postEvent(bot, stoppedTask(fixture, randomUUID().replaceAll("-", "")))).status, fixture).toBe(202);
    }
    await bot.stop();
    expect(bot.github.requests).toEqual([]);
  });

  it("refuses a missing or wrong shared secret with 401 and acts on nothing", async () => {
    bot = await OpsBotUnderTest.start();
    const event = stoppedTask("ecs-task-state-change-essential-container-exited.json", "0123456789abcdef");
    expect((await postEvent(bot, event, "wrong-secret-wrong-secret-wrong-secret")).status).toBe(401);
    expect(
      (
        await fetch(`${bot.url}/aws/events`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(event),
        })
      ).status,
    ).toBe(401);
    await bot.stop();
    expect(bot.github.requests).toEqual([]);
  });
});
