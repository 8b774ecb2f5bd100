import { resourceNames } from "@phoenix/shared";
import { describe, expect, it } from "vitest";
import {
  alarmFingerprint,
  crashFingerprint,
  InvalidAlarmArnError,
  normalizeErrorLine,
} from "../../../src/domain/notifications/fingerprints.js";

const names = resourceNames({ app: "phoenix", environment: "staging" });
const STAGING = { repository: { owner: "octo-org", repo: "phoenix" }, environment: "staging" };
const cpuAlarmArn = `arn:aws:cloudwatch:us-west-2:111122223333:alarm:${names.alarms.cpuHigh}`;
const crash = {
  service: names.service,
  container: "app",
  exitCode: 1,
  lastErrorLine:
    '{"level":50,"time":1715090592481,"pid":7,"hostname":"ip-10-0-1-23.us-west-2.compute.internal","msg":"Requested crash by endpoint /crash"}',
};

describe("alarm fingerprints", () => {
  it("are 16 hex digits, the same on every call", () => {
    expect(alarmFingerprint(cpuAlarmArn, STAGING)).toMatch(/^[0-9a-f]{16}$/);
    expect(alarmFingerprint(cpuAlarmArn, STAGING)).toBe(alarmFingerprint(cpuAlarmArn, STAGING));
  });

  it("are the same from the ARN and from account, Region and name", () => {
    expect(
      alarmFingerprint({ accountId: "111122223333", region: "us-west-2", alarmName: names.alarms.cpuHigh }, STAGING),
    ).toBe(alarmFingerprint(cpuAlarmArn, STAGING));
  });

  it("differ between alarms, Regions and accounts", () => {
    const fingerprints = new Set([
      alarmFingerprint(cpuAlarmArn, STAGING),
      alarmFingerprint(cpuAlarmArn.replace(names.alarms.cpuHigh, names.alarms.http5xx), STAGING),
      alarmFingerprint(cpuAlarmArn.replace("us-west-2", "eu-west-1"), STAGING),
      alarmFingerprint(cpuAlarmArn.replace("111122223333", "444455556666"), STAGING),
    ]);
    expect(fingerprints.size).toBe(4);
  });

  it("differ between repositories and environments for the same alarm", () => {
    const elsewhere = [
      { ...STAGING, repository: { owner: "octo-shop", repo: "phoenix" } },
      { ...STAGING, environment: "production" },
    ];
    const fingerprints = new Set([STAGING, ...elsewhere].map((place) => alarmFingerprint(cpuAlarmArn, place)));
    expect(fingerprints.size).toBe(3);
  });

  it("treat the repository's name case-insensitively, as GitHub does", () => {
    const shouted = { ...STAGING, repository: { owner: "Octo-Org", repo: "Phoenix" } };
    expect(alarmFingerprint(cpuAlarmArn, shouted)).toBe(alarmFingerprint(cpuAlarmArn, STAGING));
  });

  it("refuse an ARN that is not a CloudWatch alarm's", () => {
    expect(() => alarmFingerprint("arn:aws:sns:us-west-2:111122223333:phoenix-staging-alarms", STAGING)).toThrow(
      InvalidAlarmArnError,
    );
    expect(() => alarmFingerprint("phoenix-staging-cpu-high", STAGING)).toThrow(/is not a CloudWatch alarm ARN/);
  });
});

describe("crash fingerprints", () => {
  it("are the same for the same crash in another task at another time", () => {
    const otherTask = {
      ...crash,
      lastErrorLine:
        '{"level":50,"time":1715094711002,"pid":7,"hostname":"ip-10-0-2-187.us-west-2.compute.internal","msg":"Requested crash by endpoint /crash"}',
    };
    expect(crashFingerprint(otherTask, STAGING)).toBe(crashFingerprint(crash, STAGING));
    expect(crashFingerprint(crash, STAGING)).toMatch(/^[0-9a-f]{16}$/);
  });

  it("ignore request ids, task ids, UUIDs and timestamps in the error line", () => {
    const line = (at: string, task: string, request: string) =>
      `${at} ERROR [task ${task}] request ${request} failed: MongoServerSelectionError: connect ECONNREFUSED 10.0.3.17:27017`;
    expect(
      crashFingerprint(
        {
          ...crash,
          lastErrorLine: line(
            "2024-05-07T14:03:12.481Z",
            "c13b4cb40f1f4fe4a2971f76ae5a47ad",
            "5f0e3b9a-2c1d-4e8f-9a7b-6c5d4e3f2a10",
          ),
        },
        STAGING,
      ),
    ).toBe(
      crashFingerprint(
        {
          ...crash,
          lastErrorLine: line(
            "2024-05-08 09:00:01,007",
            "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            "9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b5c4",
          ),
        },
        STAGING,
      ),
    );
  });

  it("differ between exit codes", () => {
    expect(crashFingerprint({ ...crash, exitCode: 137 }, STAGING)).not.toBe(crashFingerprint(crash, STAGING));
  });

  it("differ between containers and services", () => {
    expect(crashFingerprint({ ...crash, container: "log-router" }, STAGING)).not.toBe(crashFingerprint(crash, STAGING));
    expect(crashFingerprint({ ...crash, service: "phoenix-production-web" }, STAGING)).not.toBe(
      crashFingerprint(crash, STAGING),
    );
  });

  it("differ between repositories and environments running services of the same name", () => {
    const shop = { ...STAGING, repository: { owner: "octo-shop", repo: "storefront" } };
    expect(crashFingerprint(crash, shop)).not.toBe(crashFingerprint(crash, STAGING));
    expect(crashFingerprint(crash, { ...STAGING, environment: "production" })).not.toBe(
      crashFingerprint(crash, STAGING),
    );
  });

  it("differ between different errors", () => {
    expect(
      crashFingerprint({ ...crash, lastErrorLine: "TypeError: Cannot read properties of undefined" }, STAGING),
    ).not.toBe(crashFingerprint(crash, STAGING));
  });

  it("work without a log line or an exit code", () => {
    expect(crashFingerprint({ service: names.service, container: "app", exitCode: undefined }, STAGING)).toBe(
      crashFingerprint({ service: names.service, container: "app", exitCode: null, lastErrorLine: "" }, STAGING),
    );
  });
});

describe("error line normalisation", () => {
  it.each([
    ["2024-05-07T14:03:12.481Z boom", "<time> boom"],
    ["[2024-05-07 14:03:12,481] boom", "[<time>] boom"],
    ["at 14:03:12 boom", "at <time> boom"],
    ["request 5f0e3b9a-2c1d-4e8f-9a7b-6c5d4e3f2a10 failed", "request <uuid> failed"],
    ["task c13b4cb40f1f4fe4a2971f76ae5a47ad stopped", "task <hex> stopped"],
    ["segfault at 0x7ffd5e8e3a10", "segfault at <hex>"],
    ["connect ECONNREFUSED 10.0.3.17:27017", "connect ECONNREFUSED <ip>"],
    ["worker-3 and req_42 on /users/123", "worker-<n> and req_<n> on /users/<n>"],
    ["took 1715090592481 ms", "took <n> ms"],
    ['{"pid":7,"msg":"x"}', '{"pid":<n>,"msg":"x"}'],
    ["  HTTP 503   from upstream  ", "HTTP 503 from upstream"],
    ["listen EADDRINUSE: address already in use :::3000", "listen EADDRINUSE: address already in use :::3000"],
  ])("%j → %j", (line, expected) => {
    expect(normalizeErrorLine(line)).toBe(expected);
  });
});
