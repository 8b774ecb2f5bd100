import { createHmac, generateKeyPairSync } from "node:crypto";
import { labelledEventInputTemplate } from "@phoenix/shared";
import { pino } from "pino";
import { Probot } from "probot";
import { beforeEach, describe, expect, it } from "vitest";
import type { AwsInputRouter } from "../../../src/intake/aws-input-router.js";
import { createLambdaHandler } from "../../../src/intake/lambda/lambda-handler.js";

const TOPIC = "arn:aws:sns:us-west-2:111122223333:phoenix-staging-alarms";
const SECRET = "webhook-secret";

// Shape of the SNS → Lambda event from the AWS Lambda Developer Guide ("Using Lambda with
// Amazon SNS", example event), with this deployment's topic and an alarm message.
const snsInvocation = (topicArn: string) => ({
  Records: [
    {
      EventVersion: "1.0",
      EventSubscriptionArn: `${topicArn}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
      EventSource: "aws:sns",
      Sns: {
        SignatureVersion: "1",
        Timestamp: "2019-01-02T12:45:07.000Z",
        Signature: "tcc6faL2yUC6dgZdmrwh1Y4cGa/ebXEkAi6RibDsvpi+tE/1+82j...65r==",
        SigningCertUrl:
          "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-ac565b8b1a6c5d002d285f9598aa1d9b.pem",
        MessageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
        Message: '{"AlarmName":"phoenix-staging-cpu-high"}',
        MessageAttributes: {},
        Type: "Notification",
        UnsubscribeUrl: "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&amp;SubscriptionArn=x",
        TopicArn: topicArn,
        Subject: "ALARM",
      },
    },
  ],
});

function webhookRequest(body: string, signatureSecret: string) {
  return {
    requestContext: { http: { method: "POST", path: "/api/github/webhooks" } },
    headers: {
      "x-github-event": "ping",
      "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      "x-hub-signature-256": `sha256=${createHmac("sha256", signatureSecret).update(body).digest("hex")}`,
    },
    body: Buffer.from(body).toString("base64"),
    isBase64Encoded: true,
  };
}

describe("the Lambda entry point", () => {
  let routed: { kind: string; value: unknown }[];
  let handler: ReturnType<typeof createLambdaHandler>;

  beforeEach(() => {
    routed = [];
    const router = {
      onSnsNotification: async (n: unknown) => {
        routed.push({ kind: "sns", value: n });
        return "opened";
      },
      onEvent: async (e: unknown) => {
        routed.push({ kind: "event", value: e });
        return "ignored:deploy-event";
      },
    } as unknown as AwsInputRouter;
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const probot = new Probot({
      appId: 1,
      privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      secret: SECRET,
    });
    handler = createLambdaHandler({ probot, router, allowedTopicArns: [TOPIC], logger: pino({ level: "silent" }) });
  });

  it("routes an SNS invocation from the alarm topic to the alarm handling", async () => {
    expect(await handler(snsInvocation(TOPIC))).toEqual({ outcomes: ["opened"] });
    expect(routed).toEqual([
      {
        kind: "sns",
        value: expect.objectContaining({ MessageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e", TopicArn: TOPIC }),
      },
    ]);
  });

  it("ignores SNS records from a topic it was not given", async () => {
    expect(await handler(snsInvocation("arn:aws:sns:us-west-2:111122223333:someone-else"))).toEqual({
      outcomes: ["ignored:topic"],
    });
    expect(routed).toEqual([]);
  });

  it("routes an EventBridge invocation to the event handling", async () => {
    const event = { id: "e1", "detail-type": "ECS Deployment State Change", source: "aws.ecs", detail: {} };
    expect(await handler(event)).toEqual({ outcomes: ["ignored:deploy-event"] });
    expect(routed[0]?.kind).toBe("event");
  });

  it("routes an environment's event labelled by the ops bus (no detail-type of its own) to the event handling", async () => {
    const labelled = JSON.parse(
      labelledEventInputTemplate({ environment: "production", repository: "octo-shop/storefront" }).replace(
        "<aws.events.event>",
        JSON.stringify({ id: "e2", "detail-type": "ECS Task State Change", source: "aws.ecs", detail: {} }),
      ),
    );
    expect(await handler(labelled)).toEqual({ outcomes: ["ignored:deploy-event"] });
    expect(routed).toEqual([{ kind: "event", value: labelled }]);
  });

  // Body: the "ping" webhook example from GitHub's webhook documentation, trimmed.
  const ping = JSON.stringify({
    zen: "Keep it logically awesome.",
    hook_id: 30,
    hook: { type: "App", id: 30, events: ["issues"] },
  });

  it("accepts a GitHub webhook signed with the App's secret on the function URL", async () => {
    expect(await handler(webhookRequest(ping, SECRET))).toMatchObject({ statusCode: 200 });
  });

  it("refuses a webhook whose signature does not match, with 401", async () => {
    expect(await handler(webhookRequest(ping, "not-the-secret"))).toMatchObject({ statusCode: 401 });
  });

  it("answers 404 on other paths of the function URL", async () => {
    const request = { ...webhookRequest(ping, SECRET), requestContext: { http: { method: "GET", path: "/" } } };
    expect(await handler(request)).toMatchObject({ statusCode: 404 });
  });
});
