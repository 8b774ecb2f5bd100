import { Marked, type Tokens } from "marked";

/**
 * The bot's markdown → HTML, close enough to what GitHub shows. The bot's text quotes
 * user-controlled values (titles, commands, log lines), and GitHub strips raw HTML, so raw
 * HTML here is shown as text, and links that are not http(s), mailto or relative lose their
 * target. ```mermaid blocks become `<pre class="mermaid">`, which the page's mermaid turns
 * into a chart, as GitHub does.
 */
export function renderGitHubMarkdown(markdown: string): string {
  // GitHub hides HTML comments (the bot's fingerprint markers) instead of showing them as text.
  return githubMarkdown.parse(markdown.replace(/<!--[\s\S]*?-->/g, ""), { async: false });
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function isSafeHref(href: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href.trim())?.[1]?.toLowerCase();
  return scheme === undefined || scheme === "http" || scheme === "https" || scheme === "mailto";
}

const githubMarkdown = new Marked({ gfm: true, breaks: false });
githubMarkdown.use({
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    code({ text, lang }: Tokens.Code): string | false {
      if (lang?.trim().toLowerCase() !== "mermaid") return false;
      return `<pre class="mermaid">${escapeHtml(text)}</pre>\n`;
    },
    link(token: Tokens.Link): string | false {
      if (isSafeHref(token.href)) return false;
      return this.parser.parseInline(token.tokens);
    },
    image({ href, text }: Tokens.Image): string | false {
      if (isSafeHref(href)) return false;
      return escapeHtml(text);
    },
  },
});
