/** The service's log lines an issue carries; CloudWatch Logs in production. */
export interface LogWindow {
  readonly lines: string[];
  /** The streams the lines came from, for links to them. */
  readonly streams: LogStreamRef[];
}

/** One log stream, named as CloudWatch Logs names it. */
export interface LogStreamRef {
  readonly region: string;
  readonly logGroup: string;
  readonly stream: string;
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
