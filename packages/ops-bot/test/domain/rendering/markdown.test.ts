import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  codeCell,
  factTable,
  fenced,
  fitBody,
  GITHUB_BODY_LIMIT,
  inlineCode,
  oneLine,
  quoteLine,
  redactSecrets,
} from "../../../src/domain/rendering/markdown.js";

/** Text as logs and people write it: backticks, pipes, line breaks, markdown and HTML in any mix. */
const hostileText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom("`", "```", "````", "|", "\n", "\r\n", "~~~", "<!--", "-->", "@octocat", "# ", "*", " "),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 20 },
  )
  .map((parts) => parts.join(""));

describe("the issue-rendering kit", () => {
  it("keeps log lines inside their fenced block, whatever backticks they contain", () => {
    const hostile = ["before", "````", "# heading?", "```` `x` ```````", "after"];
    const block = fenced(hostile);
    const fence = block.split("\n")[0]?.replace(/text$/, "") ?? "";
    expect(fence).toBe("````````");
    const inner = block.split("\n").slice(1, -1);
    expect(inner).toEqual(hostile);
    // CommonMark closes a backtick fence only with a run at least as long as the opening one.
    expect(inner.some((line) => line.trim().startsWith(fence))).toBe(false);
    expect(block.split("\n").at(-1)).toBe(fence);
  });

  it("never lets a line close the fence early, for any lines (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          hostileText.map((text) => text.replace(/\r?\n/g, " ")),
          { maxLength: 8 },
        ),
        (lines) => {
          const block = fenced(lines).split("\n");
          const fence = (block[0] ?? "").replace(/text$/, "");
          const inner = block.slice(1, -1);
          const closes = (line: string) => (line.trim().match(/^`+/)?.[0] ?? "").length >= fence.length;
          expect(inner.some(closes)).toBe(false);
          expect(block.at(-1)).toBe(fence);
        },
      ),
    );
  });

  it("keeps a table cell one cell on one line, for any text (property)", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const cell = codeCell(text);
        expect(cell).not.toMatch(/[\r\n]/);
        // Every pipe is escaped, so GFM cannot split the cell on it.
        expect(cell.replace(/\\\|/g, "")).not.toContain("|");
        const row =
          factTable([["Reason", cell]])
            .split("\n")
            .at(-1) ?? "";
        expect(row.startsWith("| Reason | ")).toBe(true);
      }),
    );
  });

  it("keeps what a person typed inside one code span, cut to its limit", () => {
    expect(inlineCode("/deploy `prod` @octocat")).toBe("``/deploy `prod` @octocat``");
    expect(inlineCode("x".repeat(100))).toBe(`\`${"x".repeat(80)}…\``);
    fc.assert(
      fc.property(hostileText, (text) => {
        const span = inlineCode(text);
        const ticks = span.match(/^`+/)?.[0] ?? "";
        expect(span.endsWith(ticks)).toBe(true);
        expect(span.slice(ticks.length, -ticks.length)).not.toContain(ticks);
        expect(span).not.toMatch(/[\r\n]/);
      }),
    );
  });

  it("masks credentials in URIs and in password, secret and token settings", () => {
    expect(redactSecrets("DB_PASSWORD=s3cr3t token: abc")).toBe("DB_PASSWORD=**** token: ****");
    expect(redactSecrets("mongodb://phoenix:hunter2@docdb.internal:27017/app")).toBe(
      "mongodb://phoenix:****@docdb.internal:27017/app",
    );
    expect(redactSecrets('{"clientSecret": "abc123"}')).toBe('{"clientSecret": "****"}');
  });

  it("masks a credential in every piece of foreign text it renders", () => {
    const secret = "mongodb://app:hunter2@db:27017 password=hunter2";
    for (const rendered of [
      fenced([secret]),
      codeCell(secret),
      inlineCode(secret, 500),
      oneLine(secret),
      quoteLine(secret),
    ]) {
      expect(rendered).not.toContain("hunter2");
    }
  });

  it("cuts a body to GitHub's limit and says so", () => {
    expect(fitBody("short")).toBe("short");
    const cut = fitBody("x".repeat(GITHUB_BODY_LIMIT + 10));
    expect(cut).toHaveLength(GITHUB_BODY_LIMIT);
    expect(cut).toMatch(/cut: the rest would pass GitHub's 65,536-character limit/);
  });
});
