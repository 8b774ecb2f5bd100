import { type CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { MetricReader } from "../../ports/metric-reader.js";

const HOUR_MS = 3_600_000;

/** `MetricReader` on CloudWatch GetMetricData: one query, the alarm's own statistic and period. */
export function createCloudWatchMetricReader(client: CloudWatchClient): MetricReader {
  return {
    async lastHour(query, end) {
      const points: { at: Date; value: number }[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new GetMetricDataCommand({
            StartTime: new Date(end.getTime() - HOUR_MS),
            EndTime: end,
            ScanBy: "TimestampAscending",
            NextToken: nextToken,
            MetricDataQueries: [
              {
                Id: "m",
                ReturnData: true,
                MetricStat: {
                  Metric: {
                    Namespace: query.namespace,
                    MetricName: query.name,
                    Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })),
                  },
                  Period: query.periodSeconds,
                  Stat: query.statistic,
                },
              },
            ],
          }),
        );
        for (const result of page.MetricDataResults ?? []) {
          (result.Timestamps ?? []).forEach((at, i) => {
            const value = result.Values?.[i];
            if (value !== undefined) points.push({ at, value });
          });
        }
        nextToken = page.NextToken;
      } while (nextToken);
      return points.sort((a, b) => a.at.getTime() - b.at.getTime());
    },
  };
}
