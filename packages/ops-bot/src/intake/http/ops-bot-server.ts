import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createNodeMiddleware, type Probot } from "probot";
import type { OpsLogger } from "../../ports/logger.js";
import type { SubscriptionConfirmer } from "../../ports/subscription-confirmer.js";
import type { AwsInputRouter } from "../aws-input-router.js";
import {
  type ApiDestinationEndpointDeps,
  handleApiDestinationRequest,
} from "../eventbridge/api-destination-endpoint.js";
import { opsBotApp, type WebhookServices } from "../github/ops-bot-app.js";
import { handleSnsRequest, type IntakeResponse, type SnsEndpointDeps } from "../sns/sns-endpoint.js";
import type { SnsMessageVerifier } from "../sns/sns-signature-verifier.js";

export const SNS_PATH = "/aws/sns";
export const EVENTS_PATH = "/aws/events";
const MAX_BODY_BYTES = 1_048_576;

export interface OpsBotServerDeps {
  readonly probot: Probot;
  /** Where verified SNS notifications and EventBridge events go. */
  readonly router: Pick<AwsInputRouter, "onSnsNotification" | "onEvent">;
  /** What GitHub webhooks act through; `undefined` serves the webhook path without handlers. */
  readonly webhooks: WebhookServices | undefined;
  /** SNS topics accepted; anything else is refused before any certificate fetch. */
  readonly allowedTopicArns: readonly string[];
  /** The EventBridge API destination's secret; `undefined` refuses every event. */
  readonly eventsSharedSecret: string | undefined;
  readonly verifier: SnsMessageVerifier;
  readonly confirmer: SubscriptionConfirmer;
  readonly logger: OpsLogger;
}

export interface OpsBotServer {
  readonly server: Server;
  /** Stops accepting, then waits (bounded) for work acknowledged but not yet done. */
  close(timeoutMs: number): Promise<void>;
  /** Resolves when the work acknowledged so far is done (tests and the sandbox wait on it). */
  settled(): Promise<void>;
}

/**
 * The bot as a plain HTTP server: GitHub webhooks at Probot's path, SNS and EventBridge
 * API destinations beside it. AWS senders get their answer as soon as the input is
 * verified; the GitHub work runs after the response.
 */
export async function createOpsBotServer(deps: OpsBotServerDeps): Promise<OpsBotServer> {
  const { router } = deps;
  const webhooks = await createNodeMiddleware(opsBotApp(deps.webhooks), { probot: deps.probot });
  const pending = new Set<Promise<void>>();
  const snsDeps: SnsEndpointDeps = {
    allowedTopicArns: new Set(deps.allowedTopicArns),
    verifier: deps.verifier,
    subscriptionConfirmer: deps.confirmer,
    onNotification: async (notification) => {
      const outcome = await router.onSnsNotification(notification);
      deps.logger.info({ intake: "sns", messageId: notification.MessageId, outcome }, "sns: handled");
    },
    logger: deps.logger,
  };
  const eventDeps: ApiDestinationEndpointDeps = {
    secret: deps.eventsSharedSecret ?? "",
    onEvent: async (event) => {
      const outcome = await router.onEvent(event);
      // A labelled environment event carries the AWS event (and its id) under `event`.
      const { id } = (typeof event.event === "object" && event.event !== null ? event.event : event) as {
        id?: unknown;
      };
      deps.logger.info({ intake: "events", id, outcome }, "events: handled");
    },
    logger: deps.logger,
  };

  const runAfter = (response: IntakeResponse, intake: string) => {
    if (!response.afterResponse) return;
    const work = response
      .afterResponse()
      .catch((error: unknown) =>
        deps.logger.error({ intake, err: String(error) }, `${intake}: handling failed after acknowledging`),
      )
      .finally(() => pending.delete(work));
    pending.add(work);
  };

  const server = createServer(async (request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    try {
      if (path === "/health" && request.method === "GET")
        return send(response, { status: 200, body: '{"status":"ok"}' });
      if ((path === SNS_PATH || path === EVENTS_PATH) && request.method === "POST") {
        const body = await readBody(request, MAX_BODY_BYTES);
        if (body === undefined) return send(response, { status: 413, body: '{"error":"body-too-large"}' });
        const intake = { headers: request.headers, body };
        const result =
          path === SNS_PATH
            ? await handleSnsRequest(intake, snsDeps)
            : await handleApiDestinationRequest(intake, eventDeps);
        send(response, result);
        return runAfter(result, path === SNS_PATH ? "sns" : "events");
      }
      await webhooks(request, response, () => send(response, { status: 404, body: '{"error":"not-found"}' }));
    } catch (error) {
      deps.logger.error({ path, err: String(error) }, "request failed");
      if (!response.headersSent) send(response, { status: 500, body: '{"error":"internal"}' });
    }
  });

  return {
    server,
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async close(timeoutMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive connections would otherwise hold close() open until they time out.
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.allSettled([...pending]), deadline]);
      server.closeIdleConnections();
      await Promise.race([closed, deadline]);
      clearTimeout(timer);
      server.closeAllConnections();
    },
  };
}

function send(response: ServerResponse, result: { status: number; body: string }): void {
  response.writeHead(result.status, { "content-type": "application/json" });
  response.end(result.body);
}

/** The body as text, or `undefined` once it passes `limit` bytes (the rest is not read). */
async function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      request.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
