import type { GitHubStandIn } from "@phoenix/github-stand-in";
import { ProbotOctokit } from "probot";

/** Probot's own Octokit (retries and throttling included), talking to the stand-in. */
export function octokitFor(standIn: GitHubStandIn): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({
    auth: { token: "ghs_test_installation_token" },
    request: { fetch: standIn.fetch, retries: 0 },
    throttle: { enabled: false },
    retry: { enabled: false },
  });
}
