import { timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { EventDelivery, EventRouter } from "./event-router.js";

/** The header the bot's EventBridge endpoint and this stand-in check (an API destination's shared secret). */
export const EVENTS_SECRET_HEADER = "x-phoenix-events-secret";

export interface EventBusStandInOptions {
  readonly router: EventRouter;
  /** The bot's EventBridge API-destination endpoint (`<bot>/aws/events`). */
  readonly botEventsUrl: string;
  readonly eventsSecret: string;
  readonly log: (line: string) => void;
}

export interface EventBusStandIn {
  /** Where an AWS service's event is put (POST, one event as JSON, the events secret in its header). */
  readonly url: string;
  /** Puts `event` on its account's default bus and delivers what the rules send the bot. */
  put(event: Readonly<Record<string, unknown>>): Promise<readonly EventDelivery[]>;
  close(): Promise<void>;
}

/**
 * EventBridge for the sandbox: AWS events (the local platform's, the scenario's alarm state
 * changes) go through the synthesized stacks' rules ({@link EventRouter}), and every input a
 * rule gives the bot is posted to the bot's EventBridge endpoint, as an API destination would.
 * Listens on 127.0.0.1 so `sandbox scenario` in another process can put events too.
 */
export async function startEventBusStandIn(options: EventBusStandInOptions): Promise<EventBusStandIn> {
  const put = async (event: Readonly<Record<string, unknown>>) => {
    const deliveries = options.router.route(event);
    if (deliveries.length === 0) {
      options.log(`events: no rule routes "${String(event["detail-type"])}" from account ${String(event.account)}`);
    }
    for (const delivery of deliveries) {
      const response = await fetch(options.botEventsUrl, {
        method: "POST",
        headers: { "content-type": "application/json", [EVENTS_SECRET_HEADER]: options.eventsSecret },
        body: delivery.input,
      });
      if (!response.ok) {
        throw new Error(`events: the bot answered ${response.status} to ${delivery.route.join(" → ")}`);
      }
    }
    return deliveries;
  };

  const server = createServer((request, response) => {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    const secret = Buffer.from(String(request.headers[EVENTS_SECRET_HEADER] ?? ""));
    const expected = Buffer.from(options.eventsSecret);
    if (request.method !== "POST") return answer(405, { error: "POST one AWS event" });
    if (secret.length !== expected.length || !timingSafeEqual(secret, expected)) {
      return answer(401, { error: "wrong events secret" });
    }
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let event: unknown;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return answer(400, { error: "the body is not JSON" });
      }
      if (typeof event !== "object" || event === null || Array.isArray(event)) {
        return answer(400, { error: "the body is not one event" });
      }
      put(event as Record<string, unknown>).then(
        (deliveries) => answer(200, { routes: deliveries.map((delivery) => delivery.route) }),
        (error: unknown) => answer(502, { error: error instanceof Error ? error.message : String(error) }),
      );
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    put,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeIdleConnections();
      }),
  };
}
