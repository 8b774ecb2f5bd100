import type { SandboxState } from "./stand-in-state.js";

/** The sandbox's own routes on the GitHub stand-in (`/_sandbox/…`): read its state, open pull requests. */
export class SandboxGitHubClient {
  constructor(private readonly baseUrl: string) {}

  async state(): Promise<SandboxState> {
    const response = await fetch(`${this.baseUrl}/_sandbox/state`);
    if (!response.ok) throw new Error(`GitHub stand-in state: ${response.status}`);
    return (await response.json()) as SandboxState;
  }

  /** Opens a pull request from a branch of the repository itself, its head committed now. */
  async openPullRequest(headSha: string): Promise<number> {
    const response = await fetch(`${this.baseUrl}/_sandbox/pull-requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ headSha, committedAt: new Date(Date.now() - 1000).toISOString() }),
    });
    if (!response.ok) throw new Error(`GitHub stand-in: opening a pull request failed with ${response.status}`);
    return ((await response.json()) as { number: number }).number;
  }
}
