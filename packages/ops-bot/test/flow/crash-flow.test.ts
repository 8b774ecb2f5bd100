import { randomUUID } from "node:crypto";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  labelledEventInputTemplate,
  opsResourceNames,
  PHOENIX_APP,
  resourceNames,
  WHOLE_EVENT_VARIABLE,
} from "@phoenix/shared";
import { afterEach, describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../test-support/moto.js";
import { awsFixture } from "../support/aws-fixtures.js";
import { deployerRoleInMoto, inMotoAccount, OPS_ACCOUNT } from "../support/moto-accounts.js";
import { EVENTS_SECRET, OpsBotUnderTest } from "../support/ops-bot-under-test.js";

/** The account production runs in, apart from the ops account where the bot runs. */
const PRODUCTION_ACCOUNT = "444455556666";
const REGION = motoClientConfig().region;

// Through the real HTTP endpoint: ECS Task State Change events (the ECS developer guide's
// example and its stop-code variants, each given its own task ARN), labelled by the ops bus
// → POST /aws/events as an EventBridge API destination sends them → crash issues on the
// GitHub stand-in, with the task's log lines read from moto's CloudWatch Logs in the
// environment's account.
function stoppedTask(fixture: string, taskId: string, account = OPS_ACCOUNT): Record<string, unknown> {
  const event = awsFixture(fixture) as { detail: Record<string, unknown> } & Record<string, unknown>;
  const taskArn = `arn:aws:ecs:${REGION}:${account}:task/phoenix-staging/${taskId}`;
  return { ...event, id: randomUUID(), account, resources: [taskArn], detail: { ...event.detail, taskArn } };
}

/** The event with its task running an image of the ops repository, as every environment's tasks do. */
function runningOpsImage(event: Record<string, unknown>, app: string): Record<string, unknown> {
  const detail = event.detail as { containers: Record<string, unknown>[] };
  const image = `${OPS_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${opsResourceNames(app).repository}:latest`;
  return {
    ...event,
    detail: { ...detail, containers: detail.containers.map((c, i) => (i === 0 ? { ...c, image } : c)) },
  };
}

const labelled = (event: unknown, environment = "staging", repository = "octo-org/phoenix") =>
  JSON.parse(
    labelledEventInputTemplate({ environment, repository }).replace(WHOLE_EVENT_VARIABLE, JSON.stringify(event)),
  );

/** An app name no other test run uses (moto keeps log groups for the server's life); the log group derives from it. */
const uniqueApp = () => `flow-${randomUUID().slice(0, 8)}`;

function opsConfigYaml(app: string, environment: string, roleArn?: string): string {
  return [
    `app: ${app}`,
    "environments:",
    `  ${environment}:`,
    `    region: ${REGION}`,
    ...(roleArn ? [`    roleArn: ${roleArn}`] : []),
    "",
  ].join("\n");
}

const postEvent = (bot: OpsBotUnderTest, event: unknown, secret = EVENTS_SECRET) =>
  fetch(`${bot.url}/aws/events`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-phoenix-events-secret": secret },
    body: JSON.stringify(event),
  });

/** The environment's log group in `account`, with the task's `awslogs` stream holding `lines`. */
async function logGroupWithStream(account: string, logGroupName: string, stream: string, lines: string[]) {
  const logs = inMotoAccount(new CloudWatchLogsClient(motoClientConfig()), account);
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
}

describe("crashes through the EventBridge API-destination endpoint", () => {
  let bot: OpsBotUnderTest | undefined;
  afterEach(async () => {
    await bot?.stop();
    bot?.github.assertClean();
    bot = undefined;
  });

  it("opens a crash issue in the labelled repository, carrying the task's last log lines read through production's deployer role", async () => {
    const app = uniqueApp();
    const names = resourceNames({ app, environment: "production" });
    const roleArn = await deployerRoleInMoto(PRODUCTION_ACCOUNT, names.deployerRole);
    const taskId = randomUUID().replaceAll("-", "");
    const event = runningOpsImage(
      stoppedTask("ecs-task-state-change-essential-container-exited.json", taskId, PRODUCTION_ACCOUNT),
      app,
    );
    const container = ((event.detail as { containers: { name: string }[] }).containers[0] as { name: string }).name;
    const lines = [
      ...Array.from({ length: 70 }, (_, i) => JSON.stringify({ level: 30, msg: "request completed", url: `/?n=${i}` })),
      JSON.stringify({ level: 50, msg: PHOENIX_APP.crashLogLine }),
    ];
    const stream = `${PHOENIX_APP.logStreamPrefix}/${container}/${taskId}`;
    await logGroupWithStream(PRODUCTION_ACCOUNT, names.logGroup, stream, lines);
    bot = await OpsBotUnderTest.start();
    bot.github.files.set(".github/phoenix-ops.yml", opsConfigYaml(app, "production", roleArn));

    expect((await postEvent(bot, labelled(event, "production", "octo-shop/storefront"))).status).toBe(202);
    await bot.stop();

    expect(bot.github.issues.size).toBe(1);
    const created = bot.github.requests.filter((request) => request.operationId === "issues/create");
    expect(created.map((request) => request.path)).toEqual(["/repos/octo-shop/storefront/issues"]);
    const [issue] = [...bot.github.issues.values()];
    expect(issue?.labels).toEqual(["ops:crash"]);
    expect(issue?.body).toContain(PHOENIX_APP.crashLogLine);
    expect(issue?.body).toContain("/?n=69"); // only the production account has these lines
    expect(issue?.body).not.toContain('/?n=20"'); // older than the last 50 lines
    expect(issue?.state).toBe("open");
  });

  it("writes nothing for a stopped task without labels", async () => {
    const app = uniqueApp();
    bot = await OpsBotUnderTest.start();
    bot.github.files.set(".github/phoenix-ops.yml", opsConfigYaml(app, "staging"));
    const event = stoppedTask(
      "ecs-task-state-change-essential-container-exited.json",
      randomUUID().replaceAll("-", ""),
    );
    expect((await postEvent(bot, event)).status).toBe(202);
    await bot.stop();
    expect(bot.github.requests).toEqual([]);
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
      const event = labelled(stoppedTask(fixture, randomUUID().replaceAll("-", "")));
      expect((await postEvent(bot, event)).status, fixture).toBe(202);
    }
    await bot.stop();
    expect(bot.github.requests).toEqual([]);
  });

  it("refuses a missing or wrong shared secret with 401 and acts on nothing", async () => {
    bot = await OpsBotUnderTest.start();
    const event = labelled(stoppedTask("ecs-task-state-change-essential-container-exited.json", "0123456789abcdef"));
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
