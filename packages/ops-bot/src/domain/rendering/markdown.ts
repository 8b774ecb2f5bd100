// The one kit every issue and comment body the bot writes is made with. Whatever comes from
// outside the bot (log lines, AWS reasons, what a person typed) goes through one of these, so it
// stays literal (no @mention, no link, no HTML, no broken table or fence), fits GitHub's limits,
// and never carries a credential (DESIGN: no secret in an issue body).

/** GitHub refuses issue and comment bodies longer than this. */
export const GITHUB_BODY_LIMIT = 65_536;

const SECRET_PATTERNS: readonly (readonly [RegExp, string])[] = [
  // Credentials in a URI: mongodb://user:password@host → mongodb://user:****@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s@/]+@/gi, "$1:****@"],
  // password=…, "secret": "…", token: … (a key name ending in one of these words).
  [/\b([\w-]*(?:password|passwd|secret|token)["']?\s*[:=]\s*["']?)[^\s"',;&}]+/gi, "$1****"],
];

/** Takes credentials out of text before it goes into a body. */
export function redactSecrets(text: string): string {
  let redacted = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) redacted = redacted.replace(pattern, replacement);
  return redacted;
}

/** `text` cut to `max` characters, with an ellipsis when cut. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * `text` as a code span, safe for anything a user typed: backticks inside cannot close it, line
 * breaks cannot end it, `@mentions` inside do not notify anyone, credentials are masked, and
 * very long input is cut so one bad key cannot flood a comment.
 */
export function inlineCode(text: string, maxLength = 80): string {
  const flat = redactSecrets(text).replace(/[\r\n]+/g, " ");
  return codeSpan(flat.length > maxLength ? `${flat.slice(0, maxLength)}…` : flat);
}

/** A value from AWS or GitHub (an image URI, an ARN, a build id) as a code span in prose, uncut. */
export function code(text: string): string {
  return codeSpan(oneLine(text));
}

/**
 * Inline code for a table cell: text from logs and AWS stays literal, whitespace is flattened,
 * and a pipe does not split the cell (GFM reads `\|` as `|` inside code in a table).
 */
export function codeCell(text: string): string {
  return codeSpan(redactSecrets(text).replace(/\s+/g, " ").trim().replace(/\|/g, "\\|"));
}

/** Text on one line with credentials masked: for issue titles, which GitHub shows as plain text. */
export function oneLine(text: string): string {
  return redactSecrets(text).replace(/\s+/g, " ").trim();
}

/** Plain text for a table cell or a one-line quote: one line, a pipe cannot split the cell. */
export function plainCell(text: string): string {
  return oneLine(text).replace(/\|/g, "\\|");
}

/**
 * A fenced block no line can close: the fence is longer than any run of backticks inside
 * (CommonMark closes a fence only with a run at least as long), and tildes never close it.
 * Each line is masked and cut to `maxLineLength`.
 */
export function fenced(lines: readonly string[], maxLineLength = 800): string {
  const shown = lines.map((line) => shorten(redactSecrets(line), maxLineLength));
  const fence = "`".repeat(Math.max(3, longestBacktickRun(shown.join("\n")) + 1));
  return [`${fence}text`, ...shown, fence].join("\n");
}

/** A two-column table without a header row, as issue bodies show their facts. */
export function factTable(rows: readonly (readonly [string, string])[]): string {
  return ["| | |", "|---|---|", ...rows.map(([name, value]) => `| ${name} | ${value} |`)].join("\n");
}

/** A one-line blockquote of text from outside (a failure reason, say). */
export function quoteLine(text: string): string {
  return `> ${oneLine(text)}`;
}

/** A body GitHub accepts: cut below its limit, saying so, when it would be longer. */
export function fitBody(body: string): string {
  if (body.length <= GITHUB_BODY_LIMIT) return body;
  const note = "\n\n_…cut: the rest would pass GitHub's 65,536-character limit._";
  return `${body.slice(0, GITHUB_BODY_LIMIT - note.length)}${note}`;
}

/** The first 7 characters of a commit sha, as GitHub shows it. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

function codeSpan(text: string): string {
  const fence = "`".repeat(longestBacktickRun(text) + 1);
  const pad = text.startsWith("`") || text.endsWith("`") || text === "" ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}
