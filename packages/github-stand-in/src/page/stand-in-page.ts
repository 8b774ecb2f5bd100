import type { SandboxComment, SandboxIssue, SandboxState } from "../stand-in-state.js";
import { escapeHtml, renderGitHubMarkdown } from "./github-markdown.js";

export const SANDBOX_PREFIX = "/_sandbox/";
export const MERMAID_ASSET_PATH = `${SANDBOX_PREFIX}assets/mermaid.min.js`;
const STATE_PATH = `${SANDBOX_PREFIX}state`;
const POLL_MS = 2_000;

const REACTION_EMOJI: Record<string, string> = {
  "+1": "👍",
  "-1": "👎",
  laugh: "😄",
  confused: "😕",
  heart: "❤️",
  hooray: "🎉",
  rocket: "🚀",
  eyes: "👀",
};

/**
 * What the bot wrote, for a person watching the sandbox: issues, pull-request conversations
 * and deployments, newest first. The page polls the state's revision and reloads when it
 * changes, so new events appear without touching anything.
 */
export function renderSandboxPage(state: SandboxState): string {
  const name = `${state.repository.owner}/${state.repository.repo}`;
  const newestFirst = <T>(items: readonly T[]) => [...items].reverse();
  const issues = newestFirst(state.issues.filter((issue) => !issue.pullRequest));
  const pullRequests = newestFirst(state.issues.filter((issue) => issue.pullRequest));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>Phoenix sandbox — ${escapeHtml(name)}</title>
<style>${CSS}</style>
</head>
<body data-revision="${escapeHtml(state.revision)}">
<h1>Phoenix sandbox — ${escapeHtml(name)}</h1>
<p class="muted">What the bot wrote to the GitHub stand-in, newest first. The page reloads when something changes.</p>
${state.violations.length > 0 ? violationsSection(state.violations) : ""}
<section id="issues">
<h2>Issues (${issues.length})</h2>
${issues.map(issueArticle).join("\n") || `<p class="muted">No issues yet.</p>`}
</section>
<section id="pull-requests">
<h2>Pull-request comments (${pullRequests.length})</h2>
${pullRequests.map(pullRequestArticle).join("\n") || `<p class="muted">No pull requests yet.</p>`}
</section>
<section id="deployments">
<h2>Deployments (${state.deployments.length})</h2>
${
  newestFirst(state.deployments)
    .map(
      (deployment) => `<article class="deployment" id="deployment-${deployment.id}">
<h3>Deployment ${deployment.id} → ${escapeHtml(deployment.environment)}</h3>
<p>sha <code>${escapeHtml(deployment.sha)}</code>${deployment.description ? ` — ${escapeHtml(deployment.description)}` : ""}</p>
<details open><summary>payload</summary><pre>${escapeHtml(JSON.stringify(deployment.payload, null, 2))}</pre></details>
<table>
<thead><tr><th>state</th><th>description</th><th>log</th><th>environment</th></tr></thead>
<tbody>
${newestFirst(deployment.statuses)
  .map(
    (status) => `<tr class="deployment-status state-${escapeHtml(status.state)}">
<td>${escapeHtml(status.state)}</td><td>${escapeHtml(status.description)}</td>
<td>${urlCell(status.log_url)}</td><td>${urlCell(status.environment_url)}</td></tr>`,
  )
  .join("\n")}
</tbody>
</table>
</article>`,
    )
    .join("\n") || `<p class="muted">No deployments yet.</p>`
}
</section>
<script src="${MERMAID_ASSET_PATH}"></script>
<script>
mermaid.initialize({
  startOnLoad: true,
  securityLevel: "strict",
  // The metric first, the threshold second: strong colours, as on GitHub.
  themeVariables: { xyChart: { plotColorPalette: "#0969da, #cf222e" } },
});
setInterval(async () => {
  try {
    const state = await (await fetch("${STATE_PATH}", { cache: "no-store" })).json();
    if (state.revision !== document.body.dataset.revision) location.reload();
  } catch {}
}, ${POLL_MS});
</script>
</body>
</html>
`;
}

function violationsSection(violations: readonly string[]): string {
  return `<section id="violations" class="violations">
<h2>Invalid requests (${violations.length})</h2>
<ul>${[...violations]
    .reverse()
    .map((violation) => `<li>${escapeHtml(violation)}</li>`)
    .join("")}</ul>
</section>`;
}

function issueArticle(issue: SandboxIssue): string {
  return `<article class="issue" id="issue-${issue.number}">
<h3>#${issue.number} ${escapeHtml(issue.title)} <span class="state state-${issue.state}">${issue.state}${
    issue.state_reason ? ` (${escapeHtml(issue.state_reason)})` : ""
  }</span></h3>
${issue.labels.length > 0 ? `<p>${issue.labels.map((label) => `<span class="label">${escapeHtml(label)}</span>`).join(" ")}</p>` : ""}
<div class="markdown body">${renderGitHubMarkdown(issue.body)}</div>
${commentList(issue.comments)}
</article>`;
}

function pullRequestArticle(pullRequest: SandboxIssue): string {
  return `<article class="pull-request" id="pull-request-${pullRequest.number}">
<h3>Pull request #${pullRequest.number} <span class="state state-${pullRequest.state}">${pullRequest.state}</span></h3>
${commentList(pullRequest.comments)}
</article>`;
}

function commentList(comments: readonly SandboxComment[]): string {
  if (comments.length === 0) return "";
  return `<ol class="comments" reversed>
${[...comments]
  .reverse()
  .map(
    (comment) => `<li class="comment" id="comment-${comment.id}">
<p class="muted">comment ${comment.id} · ${escapeHtml(comment.created_at)}${
      comment.reactions.length > 0
        ? ` · <span class="reactions">${comment.reactions
            .map(
              (content) =>
                `<span title="${escapeHtml(content)}">${REACTION_EMOJI[content] ?? escapeHtml(content)}</span>`,
            )
            .join(" ")}</span>`
        : ""
    }</p>
<div class="markdown">${renderGitHubMarkdown(comment.body)}</div>
</li>`,
  )
  .join("\n")}
</ol>`;
}

function urlCell(url: string | undefined): string {
  if (!url) return "";
  const safe = /^https?:\/\//i.test(url);
  return safe ? `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>` : escapeHtml(url);
}

const CSS = `
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.5rem; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
article { border: 1px solid #d0d7de; border-radius: 6px; padding: .75rem 1rem; margin: .75rem 0; }
.muted { color: #656d76; font-size: .85rem; margin: .25rem 0; }
.label { background: #ddf4ff; border-radius: 1rem; padding: 0 .5rem; font-size: .8rem; }
.state { font-size: .75rem; border-radius: 1rem; padding: 0 .5rem; color: #fff; background: #1a7f37; }
.state-closed { background: #8250df; }
.comments { padding-left: 1.25rem; } .comment { border-top: 1px solid #eaeef2; padding-top: .25rem; }
.markdown pre, pre { background: #f6f8fa; padding: .5rem; overflow-x: auto; }
pre.mermaid { background: #fff; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid #d0d7de; padding: .2rem .4rem; text-align: left; vertical-align: top; }
.violations { border: 2px solid #cf222e; padding: 0 1rem; } .violations h2 { color: #cf222e; border: 0; }
`;
