import { describe, expect, it } from "vitest";
import { renderGitHubMarkdown } from "../../src/page/github-markdown.js";

describe("the sandbox's markdown, rendered as GitHub would show the bot's text", () => {
  it("shows raw HTML, block or inline, as text", () => {
    const html = renderGitHubMarkdown(
      '<script>alert(1)</script>\n\nService <img src=x onerror="alert(2)"> is **down**',
    );

    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(2)&quot;&gt;");
    expect(html).toContain("<strong>down</strong>");
  });

  it('turns a mermaid block into an escaped <pre class="mermaid"> and leaves other code as code', () => {
    const html = renderGitHubMarkdown('```mermaid\nxychart-beta\n    title "a < b"\n```\n\n```yaml\nkey: value\n```');

    expect(html).toContain('<pre class="mermaid">xychart-beta\n    title &quot;a &lt; b&quot;</pre>');
    expect(html).toContain('<code class="language-yaml">key: value');
  });

  it("keeps http(s) links and drops the target of javascript: links", () => {
    const html = renderGitHubMarkdown("[logs](https://example.test/logs) and [click](javascript:alert(1))");

    expect(html).toContain('<a href="https://example.test/logs">logs</a>');
    expect(html).not.toContain("javascript:");
    expect(html).toContain("click");
  });

  it("hides HTML comments, as GitHub does with the bot's fingerprint markers", () => {
    const html = renderGitHubMarkdown("<!-- phoenix-ops:crash:0123 -->\nContainer `app` exited");
    expect(html).not.toContain("phoenix-ops:crash");
    expect(html).toContain("<code>app</code>");
  });
});
