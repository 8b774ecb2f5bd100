import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LEDGER_KEY_PREFIXES, ledgerKeys } from "../../src/domain/ledger-keys.js";

const repository = { owner: "octo-org", repo: "phoenix" };
type Name = keyof typeof ledgerKeys;
/** Each key builder called with one arbitrary string (and fixed other arguments). */
const build: Record<Name, (value: string) => string> = {
  snsMessage: (v) => ledgerKeys.snsMessage(v),
  eventBridgeEvent: (v) => ledgerKeys.eventBridgeEvent(v),
  ecsTaskEvent: (v) => ledgerKeys.ecsTaskEvent(v, 3),
  githubDelivery: (v) => ledgerKeys.githubDelivery(v),
  delivered: (v) => ledgerKeys.delivered(v),
  deliveryInProgress: (v) => ledgerKeys.deliveryInProgress(v),
  alarmCount: (v) => ledgerKeys.alarmCount(v),
  alarmIssueLock: (v) => ledgerKeys.alarmIssueLock(v),
  alarmIssue: (v) => ledgerKeys.alarmIssue(v),
  alarmFolded: (v) => ledgerKeys.alarmFolded(v),
  crashIssueLock: (v) => ledgerKeys.crashIssueLock(v),
  crashIssue: (v) => ledgerKeys.crashIssue(v),
  newIssues: (v) => ledgerKeys.newIssues(v, 7),
  deployLock: (v) => ledgerKeys.deployLock(repository, v),
  deployInFlight: (v) => ledgerKeys.deployInFlight(repository, v),
  deployStarted: (v) => ledgerKeys.deployStarted(v),
  deployFinished: (v) => ledgerKeys.deployFinished(v),
  deployByBuild: (v) => ledgerKeys.deployByBuild(v),
  deployByRollout: (v) => ledgerKeys.deployByRollout(v),
  imageSucceeded: (v) => ledgerKeys.imageSucceeded(repository, "staging", v),
  commitSucceeded: (v) => ledgerKeys.commitSucceeded(repository, "staging", v),
};
const names = Object.keys(LEDGER_KEY_PREFIXES) as Name[];

describe("Ledger keys: one table of every key the bot writes", () => {
  it("has a builder for every listed key, and each key starts with its listed prefix", () => {
    expect(Object.keys(ledgerKeys).sort()).toEqual([...names].sort());
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.string(), (name, value) => {
        expect(build[name](value).startsWith(LEDGER_KEY_PREFIXES[name].prefix)).toBe(true);
      }),
    );
  });

  it("never gives two purposes of one entry kind the same key, whatever the ids", () => {
    const sameKind = names.flatMap((a) =>
      names
        .filter((b) => a < b && LEDGER_KEY_PREFIXES[a].kind === LEDGER_KEY_PREFIXES[b].kind)
        .map((b) => [a, b] as const),
    );
    expect(sameKind.length).toBeGreaterThan(10);
    // No prefix starts another of its kind: a key of one purpose can never read as the other's.
    for (const [a, b] of sameKind) {
      const [p, q] = [LEDGER_KEY_PREFIXES[a].prefix, LEDGER_KEY_PREFIXES[b].prefix];
      expect(p.startsWith(q) || q.startsWith(p), `${a} ${p} / ${b} ${q}`).toBe(false);
    }
    fc.assert(
      fc.property(fc.constantFrom(...sameKind), fc.string(), fc.string(), ([a, b], x, y) => {
        expect(build[a](x)).not.toBe(build[b](y));
      }),
      { numRuns: 2_000 },
    );
  });

  it("keeps the strings a deployed bot already wrote", () => {
    const id = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324";
    const taskArn = "arn:aws:ecs:us-west-2:111122223333:task/phoenix-staging/c13b4cb40f1f4fe4a2971f76ae5a47ad";
    expect(ledgerKeys.snsMessage(id)).toBe(`sns:${id}`);
    expect(ledgerKeys.eventBridgeEvent(id)).toBe(`eventbridge:${id}`);
    expect(ledgerKeys.githubDelivery(id)).toBe(`github-delivery:${id}`);
    expect(ledgerKeys.delivered(`sns:${id}`)).toBe(`delivered:sns:${id}`);
    expect(ledgerKeys.deployLock(repository, "staging")).toBe("deploy/octo-org/phoenix/staging");
    expect(ledgerKeys.deployInFlight(repository, "staging")).toBe("deploy-in-flight/octo-org/phoenix/staging");
    expect(ledgerKeys.newIssues("crash", 12)).toBe("new-issues:crash:12");
    expect(ledgerKeys.ecsTaskEvent(taskArn, 6)).toBe(`ecs-task:${taskArn}@6`);
  });

  it("names deployment-order records by repository, environment and digest or commit", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(ledgerKeys.imageSucceeded(repository, "staging", digest)).toBe(
      `image-succeeded/octo-org/phoenix/staging/${digest}`,
    );
    expect(ledgerKeys.commitSucceeded(repository, "staging", "f".repeat(40))).toBe(
      `commit-succeeded/octo-org/phoenix/staging/${"f".repeat(40)}`,
    );
    // Environment names hold no slash, so one environment's records never read as another's.
    expect(ledgerKeys.imageSucceeded(repository, "staging", digest)).not.toBe(
      ledgerKeys.imageSucceeded(repository, "staging-2", digest),
    );
  });

  it("identifies a task state change by task ARN and version, whatever the event id", () => {
    const taskArn = "arn:aws:ecs:us-west-2:111122223333:task/phoenix-staging/c13b4cb40f1f4fe4a2971f76ae5a47ad";
    expect(ledgerKeys.ecsTaskEvent(taskArn, 6)).not.toBe(ledgerKeys.ecsTaskEvent(taskArn, 7));
  });
});
