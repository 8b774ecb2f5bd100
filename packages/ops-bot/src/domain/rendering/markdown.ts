/**
 * `text` as a GitHub-markdown code span, safe for anything a user typed: backticks inside
 * cannot close it, line breaks cannot end it, `@mentions` inside do not notify anyone, and
 * very long input is cut so one bad key cannot flood a comment.
 */
export function inlineCode(text: string, maxLength = 80): string {
  const flat = text.replace(/[\r\n]+/g, " ");
  const shown = flat.length > maxLength ? `${flat.slice(0, maxLength)}…` : flat;
  const longestRun = Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = shown.startsWith("`") || shown.endsWith("`") || shown === "" ? " " : "";
  return `${fence}${pad}${shown}${pad}${fence}`;
}
