/** The GitHub issues the bot keeps for alarms and crashes: the port its handlers act through. */
export interface IssueTracker {
  create(issue: NewIssue): Promise<TrackedIssue>;
  get(issueNumber: number): Promise<TrackedIssue | undefined>;
  update(issueNumber: number, change: IssueChange): Promise<void>;
  comment(issueNumber: number, body: string): Promise<void>;
}

export interface NewIssue {
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
}

export interface TrackedIssue {
  readonly number: number;
  readonly state: "open" | "closed";
  readonly body: string;
  readonly url: string;
}

export interface IssueChange {
  readonly body?: string;
  readonly state?: "open" | "closed";
  readonly stateReason?: "completed" | "not_planned" | "reopened";
}
