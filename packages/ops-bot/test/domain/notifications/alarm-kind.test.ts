import { resourceNames } from "@phoenix/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAlarmStateChangeEvent, parseSnsAlarmMessage } from "../../../src/domain/events/cloudwatch-alarm.js";
import { alarmKindOf, environmentOfAlarm } from "../../../src/domain/notifications/alarm-kind.js";
import { awsFixture } from "../../support/aws-fixtures.js";

const staging = { app: "phoenix", environment: "staging" };
const names = resourceNames(staging).alarms;

describe("the kind of an alarm", () => {
  it.each([
    ["eventbridge-cloudwatch-alarm-state-change-phoenix-cpu-high", "cpu"],
    ["eventbridge-cloudwatch-alarm-state-change-phoenix-target-5xx", "target-5xx"],
    ["eventbridge-cloudwatch-alarm-state-change-phoenix-elb-5xx", "lb-5xx"],
    ["eventbridge-cloudwatch-alarm-state-change-phoenix-unhealthy-hosts", "unhealthy-hosts"],
  ])("is read from the metric in the configuration of %s", (fixture, kind) => {
    const change = parseAlarmStateChangeEvent(awsFixture(fixture));
    expect(alarmKindOf(change, staging)).toBe(kind);
    // The metric decides, whatever the alarm is called.
    expect(alarmKindOf({ ...change, alarmName: "renamed-by-hand" }, staging)).toBe(kind);
  });

  it("is read from an SNS alarm message's Trigger", () => {
    const message = awsFixture("cloudwatch-alarm-sns-message-phoenix-cpu-high");
    expect(alarmKindOf(parseSnsAlarmMessage(JSON.stringify(message)), staging)).toBe("cpu");
  });

  it("falls back to the name's suffix as resourceNames gives it when no single metric is named", () => {
    expect(alarmKindOf({ alarmName: names.cpuHigh }, staging)).toBe("cpu");
    expect(alarmKindOf({ alarmName: names.http5xx }, staging)).toBe("target-5xx");
    expect(alarmKindOf({ alarmName: names.elb5xx }, staging)).toBe("lb-5xx");
    expect(alarmKindOf({ alarmName: names.unhealthyHosts }, staging)).toBe("unhealthy-hosts");
    const metricMath = parseAlarmStateChangeEvent(awsFixture("eventbridge-cloudwatch-alarm-state-change-metric-math"));
    expect(metricMath.metric).toBeUndefined();
    expect(alarmKindOf({ ...metricMath, alarmName: names.http5xx }, staging)).toBe("target-5xx");
  });

  it("is none for the bot's own alarms and for alarms on other metrics", () => {
    expect(
      alarmKindOf(
        { alarmName: "phoenix-ops-bot-errors", metric: { namespace: "AWS/Lambda", name: "Errors" } },
        staging,
      ),
    ).toBeUndefined();
    expect(alarmKindOf({ alarmName: "phoenix-ops-bot-dead-letters" }, staging)).toBeUndefined();
    const ec2 = parseAlarmStateChangeEvent(awsFixture("eventbridge-cloudwatch-alarm-state-change"));
    expect(alarmKindOf(ec2, staging)).toBeUndefined();
  });

  it("is never decided by a name that only resembles a suffix", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (alarmName) => {
        const kind = alarmKindOf({ alarmName }, staging);
        const suffixes = {
          cpu: "-cpu-high",
          "target-5xx": "-http-5xx",
          "lb-5xx": "-elb-5xx",
          "unhealthy-hosts": "-unhealthy-hosts",
        };
        if (kind === undefined) {
          expect(Object.values(suffixes).some((suffix) => alarmName.endsWith(suffix))).toBe(false);
        } else {
          expect(alarmName.endsWith(suffixes[kind])).toBe(true);
        }
      }),
    );
  });
});

describe("the environment of an alarm known only by name", () => {
  it("is the one whose resourceNames alarms include it exactly", () => {
    const environments = ["staging", "production"];
    expect(environmentOfAlarm("phoenix-production-elb-5xx", "phoenix", environments)).toBe("production");
    expect(environmentOfAlarm("phoenix-staging-cpu-high", "phoenix", environments)).toBe("staging");
    expect(environmentOfAlarm("phoenix-qa-cpu-high", "phoenix", environments)).toBeUndefined();
    expect(environmentOfAlarm("shop-staging-cpu-high", "phoenix", environments)).toBeUndefined();
    expect(environmentOfAlarm("xphoenix-staging-cpu-high", "phoenix", environments)).toBeUndefined();
  });
});
