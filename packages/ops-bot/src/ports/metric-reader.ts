/** The metric behind an alarm, for the chart an alarm issue carries; CloudWatch in production. */
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
