import { GitHubStandIn } from "@phoenix/github-stand-in";
import { describe, expect, it } from "vitest";
import { createOctokitIssueTracker } from "../../../src/adapters/github/octokit-issue-tracker.js";
import { octokitFor } from "../../support/octokit-for.js";

const repository = { owner: "octo-org", repo: "phoenix" };

describe("issues through GitHub's REST API (every request checked against GitHub's OpenAPI description)", () => {
  it("creates, reads, comments on and closes an issue", async () => {
    const github = new GitHubStandIn();
    const issues = createOctokitIssueTracker(octokitFor(github), repository);

    const created = await issues.create({ title: "CPU high", body: "<!-- fp -->", labels: ["ops:cpu"] });
    await issues.comment(created.number, "again");
    await issues.update(created.number, { state: "closed", stateReason: "completed" });

    expect(await issues.get(created.number)).toMatchObject({
      number: created.number,
      state: "closed",
      body: "<!-- fp -->",
    });
    expect(github.issues.get(created.number)?.comments.map((c) => c.body)).toEqual(["again"]);
    expect(github.requests.map((r) => r.operationId)).toEqual([
      "issues/create",
      "issues/create-comment",
      "issues/update",
      "issues/get",
    ]);
    github.assertClean();
  });

  it("reads a missing issue as undefined", async () => {
    const github = new GitHubStandIn();
    expect(await createOctokitIssueTracker(octokitFor(github), repository).get(404)).toBeUndefined();
  });

  it("rejects a request GitHub's description does not allow, so the test sees it", async () => {
    const github = new GitHubStandIn();
    const issues = createOctokitIssueTracker(octokitFor(github), repository);
    await expect(issues.update(1, { state: "finished" as "closed" })).rejects.toMatchObject({ status: 422 });
    expect(() => github.assertClean()).toThrow(/issues\/update: request body does not match the schema/);
  });
});
