import type { Probot } from "probot";
import { hasEnvironmentLabels } from "../../domain/events/environment-labels.js";
import type { OpsLogger } from "../../ports/logger.js";
import type { AwsInputRouter } from "../aws-input-router.js";

/** The three ways AWS invokes the bot's function (only the fields read here). */
export interface FunctionUrlRequest {
  readonly requestContext: { readonly http: { readonly method: string; readonly path: string } };
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}
export interface SnsInvocation {
  readonly Records: readonly {
    readonly EventSource: "aws:sns";
    readonly Sns: { readonly MessageId: string; readonly TopicArn: string; readonly Message: string };
  }[];
}
/**
 * An AWS event as sent (CodeBuild, the schedule: it has a `detail-type`), or an environment's
 * event labelled by the ops bus (`LabelledEnvironmentEvent` of @phoenix/shared: it has the
 * labels key). The router parses either.
 */
export type EventBridgeInvocation = Readonly<Record<string, unknown>>;

export interface FunctionUrlResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface LambdaHandlerDeps {
  readonly probot: Probot;
  readonly router: AwsInputRouter;
  readonly allowedTopicArns: readonly string[];
  readonly logger: OpsLogger;
}

const WEBHOOK_PATH = "/api/github/webhooks";

/**
 * SNS and EventBridge invocations are authenticated by IAM (only the subscriptions and rules
 * the stack created can invoke the function), so they go straight to the router; a failure
 * is thrown so Lambda retries the invocation and then parks it in the dead-letter queue.
 * The function URL is public: GitHub webhooks are verified by their HMAC signature.
 */
export function createLambdaHandler(deps: LambdaHandlerDeps) {
  const allowedTopics = new Set(deps.allowedTopicArns);
  return async (event: unknown): Promise<FunctionUrlResponse | { outcomes: string[] }> => {
    if (isFunctionUrlRequest(event)) return receiveWebhook(deps, event);
    if (isSnsInvocation(event)) {
      const outcomes: string[] = [];
      for (const { Sns } of event.Records) {
        if (!allowedTopics.has(Sns.TopicArn)) {
          deps.logger.warn(
            { topicArn: Sns.TopicArn, messageId: Sns.MessageId },
            "lambda: SNS topic not allowed; ignored",
          );
          outcomes.push("ignored:topic");
          continue;
        }
        outcomes.push(await deps.router.onSnsNotification(Sns));
      }
      return { outcomes };
    }
    if (isEventBridgeInvocation(event)) return { outcomes: [await deps.router.onEvent(event)] };
    deps.logger.warn({}, "lambda: unrecognised invocation; ignored");
    return { outcomes: ["ignored:unknown-invocation"] };
  };
}

async function receiveWebhook(deps: LambdaHandlerDeps, request: FunctionUrlRequest): Promise<FunctionUrlResponse> {
  const reply = (statusCode: number, body: Record<string, string>): FunctionUrlResponse => ({
    statusCode,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (request.requestContext.http.method !== "POST" || request.requestContext.http.path !== WEBHOOK_PATH) {
    return reply(404, { error: "not-found" });
  }
  const header = (name: string) => request.headers?.[name] ?? "";
  const payload = request.isBase64Encoded
    ? Buffer.from(request.body ?? "", "base64").toString("utf8")
    : (request.body ?? "");
  try {
    await deps.probot.webhooks.verifyAndReceive({
      id: header("x-github-delivery"),
      name: header("x-github-event") as Parameters<Probot["webhooks"]["verifyAndReceive"]>[0]["name"],
      signature: header("x-hub-signature-256"),
      payload,
    });
    return reply(200, { status: "ok" });
  } catch (error) {
    const failures = (error as { errors?: { status?: number }[] }).errors ?? [];
    const status = (error as { status?: number }).status ?? failures[0]?.status;
    if (status === 400 || /signature/i.test(String(error))) {
      deps.logger.warn({ delivery: header("x-github-delivery") }, "lambda: webhook signature does not match; refused");
      return reply(401, { error: "bad-signature" });
    }
    deps.logger.error({ delivery: header("x-github-delivery"), err: String(error) }, "lambda: webhook handling failed");
    return reply(500, { error: "internal" });
  }
}

function isFunctionUrlRequest(event: unknown): event is FunctionUrlRequest {
  return (
    typeof event === "object" &&
    event !== null &&
    "requestContext" in event &&
    "http" in (event as FunctionUrlRequest).requestContext
  );
}
function isSnsInvocation(event: unknown): event is SnsInvocation {
  const records = (event as SnsInvocation | undefined)?.Records;
  return Array.isArray(records) && records.length > 0 && records.every((r) => r.EventSource === "aws:sns");
}
function isEventBridgeInvocation(event: unknown): event is EventBridgeInvocation {
  if (typeof event !== "object" || event === null) return false;
  const record = event as Readonly<Record<string, unknown>>;
  return typeof record["detail-type"] === "string" || hasEnvironmentLabels(record);
}
