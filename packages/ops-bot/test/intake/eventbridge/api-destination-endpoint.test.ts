import { describe, expect, it } from "vitest";
import {
  type ApiDestinationEndpointDeps,
  type ApiDestinationEvent,
  DEFAULT_API_DESTINATION_SECRET_HEADER,
  handleApiDestinationRequest,
  secretsMatch,
} from "../../../src/intake/eventbridge/api-destination-endpoint.js";
import type { OpsLogger } from "../../../src/ports/logger.js";

// Fixture provenance: the example event in the Amazon EventBridge user guide ("Amazon EventBridge events").
const DOCS_EVENT = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated" },
};
const SECRET = "s3cr3t-value-from-secrets-manager-0123456789";

function harness(overrides: Partial<ApiDestinationEndpointDeps> = {}) {
  const logs: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const logger: OpsLogger = {
    info: (fields, message) => logs.push({ level: "info", fields, message }),
    warn: (fields, message) => logs.push({ level: "warn", fields, message }),
    error: (fields, message) => logs.push({ level: "error", fields, message }),
  };
  const events: ApiDestinationEvent[] = [];
  const deps: ApiDestinationEndpointDeps = {
    secret: SECRET,
    onEvent: async (event) => {
      events.push(event);
    },
    logger,
    ...overrides,
  };
  const post = (headers: Record<string, string | string[]>, body = JSON.stringify(DOCS_EVENT)) =>
    handleApiDestinationRequest({ headers, body }, deps);
  const reasons = () => logs.filter((line) => line.level === "warn").map((line) => line.fields.reason);
  return { logs, events, post, reasons };
}

describe("the EventBridge API destination endpoint", () => {
  it("accepts the right secret with 202 and dispatches the parsed event after responding", async () => {
    const h = harness();
    const response = await h.post({
      [DEFAULT_API_DESTINATION_SECRET_HEADER]: SECRET,
      "content-type": "application/json",
    });
    expect(response.status).toBe(202);
    expect(h.events).toEqual([]);
    await response.afterResponse?.();
    expect(h.events).toEqual([DOCS_EVENT]);
  });

  it("rejects a missing secret with 401 and dispatches nothing", async () => {
    const h = harness();
    const response = await h.post({ "content-type": "application/json" });
    expect(response.status).toBe(401);
    expect(response.afterResponse).toBeUndefined();
    expect(h.reasons()).toEqual(["missing-secret"]);
  });

  it.each([
    ["a different value", "wrong"],
    ["an empty value", ""],
    ["a prefix of the secret", SECRET.slice(0, -1)],
    ["the secret with a suffix", `${SECRET}x`],
    ["the secret in another case", SECRET.toUpperCase()],
    ["the secret with surrounding space", ` ${SECRET}`],
  ])("rejects %s with 401", async (_case, value) => {
    const h = harness();
    const response = await h.post({ [DEFAULT_API_DESTINATION_SECRET_HEADER]: value });
    expect(response.status).toBe(401);
    expect(h.reasons()).toEqual(["wrong-secret"]);
    expect(h.events).toEqual([]);
  });

  it("rejects the secret sent twice", async () => {
    const h = harness();
    expect((await h.post({ [DEFAULT_API_DESTINATION_SECRET_HEADER]: [SECRET, SECRET] })).status).toBe(401);
  });

  it("reads the secret from a configured header, matching its name case-insensitively", async () => {
    const h = harness({ secretHeader: "X-Ops-Token" });
    expect((await h.post({ [DEFAULT_API_DESTINATION_SECRET_HEADER]: SECRET })).status).toBe(401);
    expect((await h.post({ "x-ops-token": SECRET })).status).toBe(202);
  });

  it("checks the secret before reading the body", async () => {
    const h = harness();
    expect((await h.post({}, "{not json")).status).toBe(401);
    expect(h.reasons()).toEqual(["missing-secret"]);
  });

  it.each(["{not json", ""])("rejects malformed JSON %j with 400 once authenticated", async (body) => {
    const h = harness();
    expect((await h.post({ [DEFAULT_API_DESTINATION_SECRET_HEADER]: SECRET }, body)).status).toBe(400);
    expect(h.reasons()).toEqual(["malformed-json"]);
  });

  it.each(["[]", "42", "null", '"event"'])("rejects JSON %s that is not an object with 400", async (body) => {
    const h = harness();
    expect((await h.post({ [DEFAULT_API_DESTINATION_SECRET_HEADER]: SECRET }, body)).status).toBe(400);
  });

  it("refuses every request when no secret is configured, even one sending an empty header", async () => {
    const h = harness({ secret: "" });
    expect((await h.post({ [DEFAULT_API_DESTINATION_SECRET_HEADER]: "" })).status).toBe(401);
    expect(h.logs.some((line) => line.level === "error")).toBe(true);
  });

  it("logs a failing event handler instead of letting afterResponse reject", async () => {
    const h = harness({
      onEvent: async () => {
        throw new Error("GitHub is down");
      },
    });
    const response = await h.post({ [DEFAULT_API_DESTINATION_SECRET_HEADER]: SECRET });
    await expect(response.afterResponse?.()).resolves.toBeUndefined();
    expect(h.logs.some((line) => line.level === "error" && /handler failed/.test(line.message))).toBe(true);
  });

  it("never writes the expected or the presented secret to the log", async () => {
    const h = harness();
    await h.post({ [DEFAULT_API_DESTINATION_SECRET_HEADER]: SECRET });
    await h.post({ [DEFAULT_API_DESTINATION_SECRET_HEADER]: "guess-1234" });
    const logged = JSON.stringify(h.logs);
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain("guess-1234");
  });
});

describe("secret comparison", () => {
  it("matches only the identical string", () => {
    expect(secretsMatch(SECRET, SECRET)).toBe(true);
    expect(secretsMatch("ключ-🔑", "ключ-🔑")).toBe(true);
    expect(secretsMatch("ключ-🔑", "ключ-🔒")).toBe(false);
  });

  it("compares secrets of any length without throwing (timingSafeEqual sees equal-length digests)", () => {
    expect(() => secretsMatch("", SECRET)).not.toThrow();
    expect(secretsMatch("", SECRET)).toBe(false);
    expect(secretsMatch("x".repeat(10_000), SECRET)).toBe(false);
  });
});
