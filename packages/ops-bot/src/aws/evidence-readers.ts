/** Ports for the evidence an issue carries; production adapters read CloudWatch. */
export interface MetricQuery {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: string;
  readonly periodSeconds: number;
}

export interface MetricReader {
  /** Datapoints of the metric over the hour before `end`. */
  lastHour(query: MetricQuery, end: Date): Promise<{ at: Date; value: number }[]>;
}

export interface LogWindow {
  readonly lines: string[];
  /** Console links to the streams the lines came from. */
  readonly links: string[];
}

export interface LogReader {
  /** Log lines of the service around `at` (a few minutes either side), oldest first. */
  around(at: Date, limit: number): Promise<LogWindow>;
  /**
   * The last `limit` lines of one stream (a stopped task's `awslogs` stream); none when the
   * stream does not exist. Other failures throw, so the delivery is retried rather than filed
   * without its logs.
   */
  tailOfStream(logStream: string, limit: number): Promise<LogWindow>;
}
