import {
  type CloudWatchLogsClient,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
  GetLogEventsCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-cloudwatch-logs";
import type { LogReader } from "../../ports/log-reader.js";

const AROUND_MS = 5 * 60_000;

export interface LogReaderTarget {
  readonly region: string;
  readonly logGroupName: string;
}

/** `LogReader` on CloudWatch Logs: FilterLogEvents around a moment, GetLogEvents for a stream's tail. */
export function createCloudWatchLogReader(client: CloudWatchLogsClient, target: LogReaderTarget): LogReader {
  const ref = (stream: string) => ({ region: target.region, logGroup: target.logGroupName, stream });
  return {
    async around(at, limit) {
      let page: FilterLogEventsCommandOutput;
      try {
        page = await client.send(
          new FilterLogEventsCommand({
            logGroupName: target.logGroupName,
            startTime: at.getTime() - AROUND_MS,
            endTime: at.getTime() + AROUND_MS,
            limit,
          }),
        );
      } catch (error) {
        // An environment whose service never logged has no log group yet: the issue says so, it is still filed.
        if (error instanceof ResourceNotFoundException) return { lines: [], streams: [] };
        throw error;
      }
      const events = page.events ?? [];
      const streams = [...new Set(events.map((e) => e.logStreamName).filter((s): s is string => Boolean(s)))];
      return { lines: events.map((e) => (e.message ?? "").trimEnd()), streams: streams.map(ref) };
    },
    async tailOfStream(logStream, limit) {
      try {
        // startFromHead false + limit: the newest `limit` events, returned oldest first.
        const page = await client.send(
          new GetLogEventsCommand({
            logGroupName: target.logGroupName,
            logStreamName: logStream,
            limit,
            startFromHead: false,
          }),
        );
        return { lines: (page.events ?? []).map((e) => (e.message ?? "").trimEnd()), streams: [ref(logStream)] };
      } catch (error) {
        // A task that never started, or ran without awslogs, has no stream: no lines, not an error.
        if (error instanceof ResourceNotFoundException) return { lines: [], streams: [] };
        throw error;
      }
    },
  };
}
