import { labelledEventInputTemplate } from "@phoenix/shared";
import { beforeEach, describe, expect, it } from "vitest";
import type { EventLabels } from "../../src/domain/events/environment-labels.js";
import type { AlarmNotification } from "../../src/domain/notifications/alarm-issue-handler.js";
import type { LabelledTaskEvent } from "../../src/domain/notifications/crash-issue-handler.js";
import { AwsInputRouter } from "../../src/intake/aws-input-router.js";
import { awsFixture } from "../support/aws-fixtures.js";
import { RecordingLogger } from "../support/environment-scopes.js";

const SHOP = { owner: "octo-shop", repo: "storefront" };
const DEFAULT_REPOSITORY = { owner: "octo-org", repo: "phoenix" };

/** As the ops bus's input transformer delivers an environment's event. */
const labelled = (event: unknown, environment = "production", repository = "octo-shop/storefront") =>
  JSON.parse(
    labelledEventInputTemplate({ environment, repository }).replace("<aws.events.event>", JSON.stringify(event)),
  ) as Record<string, unknown>;

describe("the AWS input router", () => {
  let logger: RecordingLogger;
  let alarms: AlarmNotification[];
  let tasks: LabelledTaskEvent[];
  let deploys: { event: Readonly<Record<string, unknown>>; labels: EventLabels | undefined }[];
  let router: AwsInputRouter;

  beforeEach(() => {
    logger = new RecordingLogger();
    alarms = [];
    tasks = [];
    deploys = [];
    router = new AwsInputRouter({
      alarms: {
        handle: async (notification) => {
          alarms.push(notification);
          return "opened";
        },
      },
      stoppedTasks: {
        handle: async (task) => {
          tasks.push(task);
          return "opened";
        },
      },
      deploys: {
        handle: async (event, labels) => {
          deploys.push({ event, labels });
          return "resumed";
        },
      },
      snsRepository: DEFAULT_REPOSITORY,
      logger,
    });
  });

  it("hands a labelled alarm event to the alarm handler with its labels, deduplicated by event id", async () => {
    const event = awsFixture("eventbridge-cloudwatch-alarm-state-change-phoenix-target-5xx");
    expect(await router.onEvent(labelled(event))).toBe("opened");
    expect(alarms).toEqual([
      {
        deliveryKey: `eventbridge:${event.id}`,
        origin: { labels: { environment: "production", repository: SHOP } },
        change: expect.objectContaining({ alarmName: "phoenix-staging-http-5xx" }),
      },
    ]);
  });

  it("hands a labelled stopped task to the crash handler with its labels and the event as AWS sent it", async () => {
    const event = awsFixture("ecs-task-state-change-essential-container-exited");
    expect(await router.onEvent(labelled(event, "staging"))).toBe("opened");
    expect(tasks).toEqual([{ labels: { environment: "staging", repository: SHOP }, event }]);
  });

  it.each([
    "eventbridge-cloudwatch-alarm-state-change-phoenix-cpu-high",
    "ecs-task-state-change-essential-container-exited",
  ])("ignores %s without labels, with a warning, and looks nothing up", async (fixture) => {
    expect(await router.onEvent(awsFixture(fixture))).toBe("ignored:unlabelled");
    expect(alarms).toEqual([]);
    expect(tasks).toEqual([]);
    expect(logger.warnings()).toEqual([expect.stringMatching(/without labels/)]);
  });

  it("routes unlabelled CodeBuild events to the deploys, and a labelled ECS deployment with its labels", async () => {
    const build = awsFixture("codebuild-build-state-change");
    const rollout = awsFixture("ecs-deployment-state-change-completed");
    expect(await router.onEvent(build)).toBe("resumed");
    expect(await router.onEvent(labelled(rollout))).toBe("resumed");
    expect(deploys).toEqual([
      { event: build, labels: undefined },
      { event: rollout, labels: { environment: "production", repository: SHOP } },
    ]);
  });

  it("ignores an event with malformed labels as malformed, handing nothing on", async () => {
    const event = awsFixture("eventbridge-cloudwatch-alarm-state-change-phoenix-cpu-high");
    for (const input of [
      labelled(event, "Production"),
      labelled(event, "production", "not a repository"),
      { ...labelled(event), extra: true },
      { phoenixOps: { environment: "production", repository: "octo-shop/storefront" }, event: "text" },
    ]) {
      expect(await router.onEvent(input)).toBe("ignored:malformed");
    }
    expect(alarms).toEqual([]);
    expect(logger.warnings().every((message) => /malformed labelled event/.test(message))).toBe(true);
  });

  it("sends SNS alarm messages to the default repository, to be matched by alarm name", async () => {
    const message = awsFixture("cloudwatch-alarm-sns-message-phoenix-cpu-high");
    const outcome = await router.onSnsNotification({
      MessageId: "m-1",
      TopicArn: "arn:aws:sns:us-west-2:111122223333:phoenix-staging-alarms",
      Message: JSON.stringify(message),
    });
    expect(outcome).toBe("opened");
    expect(alarms).toEqual([
      {
        deliveryKey: "sns:m-1",
        origin: { namedIn: DEFAULT_REPOSITORY },
        change: expect.objectContaining({ alarmName: "phoenix-staging-cpu-high" }),
      },
    ]);
  });
});
