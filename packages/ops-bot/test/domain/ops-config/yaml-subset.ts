/**
 * Reads the YAML subset that EXAMPLE_OPS_CONFIG_YAML is written in: block mappings nested by
 * indentation, `#` comments, plain scalars (integers, booleans, strings) and one-line flow
 * lists and mappings. @phoenix/shared depends on no YAML parser (the one in node_modules is
 * vite's), so the example is checked with this; anything outside the subset throws, so the
 * example cannot silently drift into YAML this reader misunderstands.
 */
export function readYamlSubset(text: string): unknown {
  const lines = text
    .split("\n")
    .map((line) => line.replace(/(^|\s)#.*$/, "").trimEnd())
    .filter((line) => line.trim() !== "")
    .map((line) => ({ indent: line.length - line.trimStart().length, text: line.trim() }));
  let next = 0;

  const mapping = (indent: number): Record<string, unknown> => {
    const result: Record<string, unknown> = {};
    while (next < lines.length) {
      const line = lines[next];
      if (line === undefined || line.indent < indent) break;
      if (line.indent > indent) throw new Error(`unexpected indentation: ${line.text}`);
      const entry = /^([A-Za-z0-9_-]+):(?: +(.+))?$/.exec(line.text);
      if (entry?.[1] === undefined) throw new Error(`not a "key: value" line: ${line.text}`);
      next++;
      const child = lines[next];
      result[entry[1]] =
        entry[2] !== undefined ? flowValue(entry[2]) : child && child.indent > indent ? mapping(child.indent) : null;
    }
    return result;
  };

  const parsed = mapping(0);
  if (next !== lines.length) throw new Error(`unread line: ${lines[next]?.text}`);
  return parsed;
}

function flowValue(text: string): unknown {
  if (text.startsWith("[")) {
    const inner = /^\[(.*)\]$/.exec(text)?.[1];
    if (inner === undefined) throw new Error(`unclosed list: ${text}`);
    return inner.trim() === "" ? [] : inner.split(",").map((item) => scalar(item.trim()));
  }
  if (text.startsWith("{")) {
    const inner = /^\{(.*)\}$/.exec(text)?.[1];
    if (inner === undefined) throw new Error(`unclosed mapping: ${text}`);
    const pairs = inner.split(",").map((pair) => /^\s*([A-Za-z0-9_-]+): +(.+?)\s*$/.exec(pair));
    return Object.fromEntries(
      pairs.map((pair) => {
        if (pair?.[1] === undefined || pair[2] === undefined) throw new Error(`bad flow mapping: ${text}`);
        return [pair[1], scalar(pair[2])];
      }),
    );
  }
  return scalar(text);
}

function scalar(text: string): unknown {
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  if (/^["'{[&*!|>%@`]/.test(text) || text === "null" || text === "~") {
    throw new Error(`outside the subset: ${text}`);
  }
  return text;
}
