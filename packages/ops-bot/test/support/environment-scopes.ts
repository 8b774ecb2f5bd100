import type { GitHubStandIn } from "@phoenix/github-stand-in";
import { createOctokitIssueTracker } from "../../src/adapters/github/octokit-issue-tracker.js";
import type { EventLabels } from "../../src/domain/events/environment-labels.js";
import { type EnvironmentScopeSources, EnvironmentScopes } from "../../src/domain/notifications/environment-scope.js";
import type { IssueTracker } from "../../src/ports/issue-tracker.js";
import type { LogReader } from "../../src/ports/log-reader.js";
import type { MetricReader } from "../../src/ports/metric-reader.js";
import { octokitFor } from "./octokit-for.js";

export const REPOSITORY = { owner: "octo-org", repo: "phoenix" } as const;
export const STAGING: EventLabels = { environment: "staging", repository: REPOSITORY };

/** A `.github/phoenix-ops.yml` (as YAML parses it) with one environment, staging, under the default app name. */
export const STAGING_ONLY_CONFIG = { environments: { staging: { region: "eu-west-1" } } };

const noLogs: LogReader = {
  around: async () => ({ lines: [], streams: [] }),
  tailOfStream: async () => ({ lines: [], streams: [] }),
};
const noMetrics: MetricReader = { lastHour: async () => [] };

/**
 * Environment scopes for handler tests: each repository's ops config from `configs` (by
 * `owner/name`, else `STAGING_ONLY_CONFIG`), issues on the GitHub stand-in (which serves one
 * repository; its recorded request paths tell the repositories apart), and the evidence readers
 * given (none by default). `sources` overrides any of them.
 */
export function environmentScopes(
  github: GitHubStandIn,
  options: {
    readonly configs?: Readonly<Record<string, unknown>>;
    readonly sources?: Partial<EnvironmentScopeSources>;
  } = {},
): EnvironmentScopes {
  return new EnvironmentScopes({
    opsConfig: async ({ owner, repo }) => {
      const content = options.configs ? options.configs[`${owner}/${repo}`] : STAGING_ONLY_CONFIG;
      return content === undefined ? { kind: "absent" } : { kind: "file", content };
    },
    issues: (repository) => createOctokitIssueTracker(octokitFor(github), repository),
    logs: () => noLogs,
    metrics: () => noMetrics,
    ...options.sources,
  });
}

/** An issue tracker whose every create fails as GitHub does when it answers 502. */
export const ISSUES_FAILING_WITH_502: IssueTracker = {
  create: async () => {
    throw new Error("GitHub answered 502");
  },
  get: async () => undefined,
  update: async () => {},
  comment: async () => {},
};

/** A logger that keeps what was logged, so a test can assert the warning an ignored event leaves. */
export class RecordingLogger {
  readonly entries: { level: "info" | "warn" | "error"; fields: Record<string, unknown>; message: string }[] = [];
  info(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: "info", fields, message });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: "warn", fields, message });
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: "error", fields, message });
  }
  warnings(): string[] {
    return this.entries.filter((entry) => entry.level === "warn").map((entry) => entry.message);
  }
}
