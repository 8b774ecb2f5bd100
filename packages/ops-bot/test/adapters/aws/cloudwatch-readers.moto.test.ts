import { randomUUID } from "node:crypto";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../../test-support/moto.js";
import { createCloudWatchLogReader } from "../../../src/adapters/aws/cloudwatch-log-reader.js";
import { createCloudWatchMetricReader } from "../../../src/adapters/aws/cloudwatch-metric-reader.js";

// Against moto server on loopback: data goes in through the AWS APIs and comes back
// through the adapters, as it would from CloudWatch.
describe("evidence from CloudWatch (moto server)", () => {
  it("reads the last hour of a metric in time order", async () => {
    // No SDK retries: a retried PutMetricData would store the datapoints twice, and moto (unlike
    // CloudWatch) does not fold two datapoints of one period into one statistic.
    const client = new CloudWatchClient({ ...motoClientConfig(), maxAttempts: 1 });
    // Unique in every field: moto keeps metrics for the life of the server, across test runs,
    // and (5.2.5) matches GetMetricData queries by name and dimensions whatever the namespace.
    const run = randomUUID().slice(0, 8);
    const namespace = `Phoenix/Test/${run}`;
    const metricName = `CPUUtilization-${run}`;
    const service = `phoenix-${run}`;
    const end = new Date();
    const values = [12, 55, 97.5];
    await client.send(
      new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: values.map((value, i) => ({
          MetricName: metricName,
          Dimensions: [{ Name: "ServiceName", Value: service }],
          Timestamp: new Date(end.getTime() - (values.length - i) * 60_000),
          Value: value,
          Unit: "Percent",
        })),
      }),
    );
    const points = await createCloudWatchMetricReader(client).lastHour(
      {
        namespace,
        name: metricName,
        dimensions: { ServiceName: service },
        statistic: "Maximum",
        periodSeconds: 60,
      },
      end,
    );
    expect(points.map((p) => p.value)).toEqual(values);
    expect(points.every((p, i) => i === 0 || (points[i - 1] as { at: Date }).at <= p.at)).toBe(true);
  });

  it("reads the newest lines of a task's log stream, oldest first, and the lines around a moment", async () => {
    const client = new CloudWatchLogsClient(motoClientConfig());
    const logGroupName = `/phoenix/test/${randomUUID().slice(0, 8)}`;
    const logStream = "phoenix/app/0123456789abcdef";
    await client.send(new CreateLogGroupCommand({ logGroupName }));
    await client.send(new CreateLogStreamCommand({ logGroupName, logStreamName: logStream }));
    const start = Date.now() - 120_000;
    await client.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: logStream,
        logEvents: Array.from({ length: 80 }, (_, i) => ({ timestamp: start + i * 1000, message: `line ${i}` })),
      }),
    );
    const reader = createCloudWatchLogReader(client, { region: "eu-west-1", logGroupName });

    const tail = await reader.tailOfStream(logStream, 50);
    expect(tail.lines).toHaveLength(50);
    expect(tail.lines[0]).toBe("line 30");
    expect(tail.lines.at(-1)).toBe("line 79");
    expect(tail.streams).toEqual([{ region: "eu-west-1", logGroup: logGroupName, stream: logStream }]);

    const around = await reader.around(new Date(start + 40_000), 200);
    expect(around.lines).toContain("line 40");
  });

  it("reads no lines, rather than failing, for a task whose log stream does not exist", async () => {
    const client = new CloudWatchLogsClient(motoClientConfig());
    const logGroupName = `/phoenix/test/${randomUUID().slice(0, 8)}`;
    await client.send(new CreateLogGroupCommand({ logGroupName }));
    const reader = createCloudWatchLogReader(client, { region: "eu-west-1", logGroupName });
    expect(await reader.tailOfStream("phoenix/app/never-started", 50)).toEqual({ lines: [], streams: [] });
  });

  it("reads no lines, rather than failing, around a moment in a log group that does not exist yet", async () => {
    const client = new CloudWatchLogsClient(motoClientConfig());
    const reader = createCloudWatchLogReader(client, {
      region: "eu-west-1",
      logGroupName: `/phoenix/never-logged/${randomUUID().slice(0, 8)}`,
    });
    expect(await reader.around(new Date(), 30)).toEqual({ lines: [], streams: [] });
  });
});
