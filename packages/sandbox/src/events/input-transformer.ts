/**
 * What an EventBridge rule target receives ("Amazon EventBridge input transformation" in the
 * EventBridge user guide): the whole event, a constant `Input`, the part at `InputPath`, or an
 * `InputTransformer`'s template with its variables substituted. A variable is a path of
 * `InputPathsMap` or one of EventBridge's predefined ones (`<aws.events.event>` …). Outside a
 * string literal a variable becomes its JSON value; inside one, its text.
 */
export interface RuleTargetInput {
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: {
    readonly InputPathsMap?: Readonly<Record<string, string>>;
    readonly InputTemplate: string;
  };
}

export interface MatchedRule {
  readonly name: string;
  readonly arn: string;
}

export class InputTransformError extends Error {
  override readonly name = "InputTransformError";
}

/** The target's input for `event` matched by `rule`, as the text EventBridge would deliver. */
export function targetInput(
  target: RuleTargetInput,
  event: Readonly<Record<string, unknown>>,
  rule: MatchedRule,
): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(valueAtPath(event, target.InputPath) ?? null);
  const transformer = target.InputTransformer;
  if (!transformer) return JSON.stringify(event);
  const variables = new Map<string, unknown>([
    ["aws.events.event", event],
    ["aws.events.event.json", event],
    ["aws.events.rule-name", rule.name],
    ["aws.events.rule-arn", rule.arn],
    ["aws.events.event.ingestion-time", event.time],
  ]);
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    variables.set(name, valueAtPath(event, path));
  }
  return substitute(transformer.InputTemplate, variables);
}

/** `$.detail.state.value`-style paths (dot notation, as the rules here write them). */
function valueAtPath(event: unknown, path: string): unknown {
  if (!path.startsWith("$")) throw new InputTransformError(`input path ${path} must start with $`);
  const keys = path.slice(1).split(".").filter(Boolean);
  let value: unknown = event;
  for (const key of keys) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function substitute(template: string, variables: ReadonlyMap<string, unknown>): string {
  let output = "";
  let inString = false;
  for (let at = 0; at < template.length; at++) {
    const char = template[at] as string;
    if (char === "\\" && inString) {
      output += char + (template[at + 1] ?? "");
      at++;
      continue;
    }
    if (char === '"') inString = !inString;
    if (char === "<") {
      const end = template.indexOf(">", at);
      const name = end < 0 ? undefined : template.slice(at + 1, end);
      if (name !== undefined && variables.has(name)) {
        const value = variables.get(name);
        output += inString ? JSON.stringify(textOf(value)).slice(1, -1) : JSON.stringify(value ?? null);
        at = end;
        continue;
      }
    }
    output += char;
  }
  return output;
}

function textOf(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value ?? null);
}
