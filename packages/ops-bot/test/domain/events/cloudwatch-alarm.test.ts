import { describe, expect, it } from "vitest";
import {
  type AlarmStateChange,
  parseAlarmStateChangeEvent,
  parseSnsAlarmMessage,
} from "../../../src/domain/events/cloudwatch-alarm.js";
import { alarmFingerprint } from "../../../src/domain/notifications/fingerprints.js";
import { loadFixture, parseErrorFrom, REMOVE, variantOf } from "../../support/aws-fixtures.js";

const snsMessage = (name: string) => JSON.stringify(loadFixture(name).payload);

describe("CloudWatch alarm message carried by SNS", () => {
  it("normalises the Phoenix CPU alarm", () => {
    expect(parseSnsAlarmMessage(snsMessage("cloudwatch-alarm-sns-message-phoenix-cpu-high"))).toStrictEqual({
      alarmName: "phoenix-staging-cpu-high",
      alarmArn: "arn:aws:cloudwatch:us-west-2:111122223333:alarm:phoenix-staging-cpu-high",
      accountId: "111122223333",
      region: "us-west-2",
      newState: "ALARM",
      oldState: "OK",
      reason:
        "Threshold Crossed: 1 out of the last 1 datapoints [99.8 (07/05/24 14:02:00)] was greater than or equal to the threshold (80.0) (minimum 1 datapoint for OK -> ALARM transition).",
      changedAt: new Date("2024-05-07T14:03:12.481Z"),
      description: "CPU of a phoenix-staging-web task reached 80 % within a minute.",
      threshold: 80,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      metric: {
        namespace: "AWS/ECS",
        name: "CPUUtilization",
        dimensions: { ClusterName: "phoenix-staging", ServiceName: "phoenix-staging-web" },
        periodSeconds: 60,
        statistic: "Maximum",
      },
    } satisfies AlarmStateChange);
  });

  it("reads the Region code from the alarm ARN, not the Region display name", () => {
    const change = parseSnsAlarmMessage(snsMessage("cloudwatch-alarm-sns-message-phoenix-cpu-high"));
    expect(change.region).toBe("us-west-2");
  });

  it("keeps the Region field when the ARN has none (AWS's placeholder sample)", () => {
    const change = parseSnsAlarmMessage(snsMessage("cloudwatch-alarm-sns-message"));
    expect(change.region).toBe("EXAMPLE");
    expect(change.metric).toEqual({
      namespace: "AWS/EC2",
      name: "NetworkOut",
      dimensions: { InstanceId: "TestInstance" },
      periodSeconds: 60,
      statistic: "Average",
    });
  });

  it("reads the only metric of a metric-math alarm from Trigger.Metrics", () => {
    const change = parseSnsAlarmMessage(snsMessage("cloudwatch-alarm-sns-message-metric-math"));
    expect(change.metric).toEqual({
      namespace: "AWS/EC2",
      name: "NetworkOut",
      dimensions: { InstanceId: "TestInstance" },
      periodSeconds: 60,
      statistic: "Average",
    });
    expect(change.threshold).toBe(0);
  });

  it("reports the return to OK", () => {
    const change = parseSnsAlarmMessage(snsMessage("cloudwatch-alarm-sns-message-phoenix-cpu-ok"));
    expect([change.oldState, change.newState]).toEqual(["ALARM", "OK"]);
  });

  it.each([
    ["a missing AlarmName", ["AlarmName"], REMOVE, "AlarmName", /AlarmName is required/],
    ["NewStateValue FIRING", ["NewStateValue"], "FIRING", "NewStateValue", /"OK"\|"ALARM"\|"INSUFFICIENT_DATA"/],
    ["a missing AlarmArn", ["AlarmArn"], REMOVE, "AlarmArn", /is required/],
    ["a textual Trigger.Period", ["Trigger", "Period"], "sixty", "Trigger.Period", /is invalid/],
    [
      "an unknown comparison operator",
      ["Trigger", "ComparisonOperator"],
      "Above",
      "Trigger.ComparisonOperator",
      /is invalid/,
    ],
    ["an unreadable StateChangeTime", ["StateChangeTime"], "yesterday", "StateChangeTime", /not an ISO 8601 timestamp/],
  ] as const)("rejects %s, naming the field", (_, path, value, expectedPath, problem) => {
    const message = JSON.stringify(variantOf("cloudwatch-alarm-sns-message-phoenix-cpu-high", path, value));
    const error = parseErrorFrom(() => parseSnsAlarmMessage(message));
    expect(error.path).toBe(expectedPath);
    expect(error.message).toMatch(/^CloudWatch alarm message: /);
    expect(error.message).toMatch(problem);
  });

  it("rejects a Message that is not JSON", () => {
    expect(() => parseSnsAlarmMessage("ALARM: phoenix-staging-cpu-high")).toThrow(
      "CloudWatch alarm message: is not valid JSON",
    );
  });
});

describe("CloudWatch Alarm State Change event", () => {
  it("normalises the documented single-metric example", () => {
    expect(parseAlarmStateChangeEvent(loadFixture("eventbridge-cloudwatch-alarm-state-change").payload)).toStrictEqual({
      alarmName: "ServerCpuTooHigh",
      alarmArn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh",
      accountId: "123456789012",
      region: "us-east-1",
      newState: "ALARM",
      oldState: "OK",
      reason:
        "Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (02/10/19 16:59:00)] was greater than the threshold (50.0) (minimum 1 datapoint for OK -> ALARM transition).",
      changedAt: new Date("2019-10-02T17:04:40.989Z"),
      description: "Goes into alarm when server CPU utilization is too high!",
      threshold: 50,
      metric: {
        namespace: "AWS/EC2",
        name: "CPUUtilization",
        dimensions: { InstanceId: "i-12345678901234567" },
        periodSeconds: 300,
        statistic: "Average",
      },
    } satisfies AlarmStateChange);
  });

  it("names no single metric for a metric-math alarm over two metrics", () => {
    const change = parseAlarmStateChangeEvent(
      loadFixture("eventbridge-cloudwatch-alarm-state-change-metric-math").payload,
    );
    expect(change.metric).toBeUndefined();
    expect(change.threshold).toBe(10000);
    expect(change.oldState).toBe("INSUFFICIENT_DATA");
  });

  it("names the watched metric of an anomaly-detection alarm, which has no threshold", () => {
    const change = parseAlarmStateChangeEvent(
      loadFixture("eventbridge-cloudwatch-alarm-state-change-anomaly-detection").payload,
    );
    expect(change.metric?.name).toBe("CPUUtilization");
    expect(change.threshold).toBeUndefined();
  });

  it("builds the alarm ARN from account, Region and name when resources lack it", () => {
    const event = variantOf("eventbridge-cloudwatch-alarm-state-change", ["resources"], []);
    expect(parseAlarmStateChangeEvent(event).alarmArn).toBe(
      "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh",
    );
  });

  it.each([
    ["another detail-type", ["detail-type"], "CloudWatch Alarm Configuration Change", "detail-type"],
    ["a missing alarmName", ["detail", "alarmName"], REMOVE, "detail.alarmName"],
    ["state value FIRING", ["detail", "state", "value"], "FIRING", "detail.state.value"],
    ["a missing previousState", ["detail", "previousState"], REMOVE, "detail.previousState"],
    ["an unreadable state timestamp", ["detail", "state", "timestamp"], "soon", "detail.state.timestamp"],
  ] as const)("rejects %s, naming the field", (_, path, value, expectedPath) => {
    const event = variantOf("eventbridge-cloudwatch-alarm-state-change", path, value);
    const error = parseErrorFrom(() => parseAlarmStateChangeEvent(event));
    expect(error.path).toBe(expectedPath);
    expect(error.message).toMatch(new RegExp(`^CloudWatch Alarm State Change: ${expectedPath} `));
  });
});

describe("one alarm, two transports", () => {
  it("gives the same fingerprint whether the change came by SNS or EventBridge", () => {
    const bySns = parseSnsAlarmMessage(snsMessage("cloudwatch-alarm-sns-message-phoenix-cpu-high"));
    const event = structuredClone(loadFixture("eventbridge-cloudwatch-alarm-state-change").payload) as {
      account: string;
      region: string;
      resources: string[];
      detail: { alarmName: string };
    };
    event.account = "111122223333";
    event.region = "us-west-2";
    event.resources = [bySns.alarmArn];
    event.detail.alarmName = "phoenix-staging-cpu-high";
    const byEventBridge = parseAlarmStateChangeEvent(event);
    const place = { repository: { owner: "octo-org", repo: "phoenix" }, environment: "staging" };
    expect(alarmFingerprint(byEventBridge, place)).toBe(alarmFingerprint(bySns, place));
    expect(alarmFingerprint(bySns.alarmArn, place)).toBe(alarmFingerprint(bySns, place));
  });
});
