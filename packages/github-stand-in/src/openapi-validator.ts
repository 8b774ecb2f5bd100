import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv2019 as AjvBase } from "ajv/dist/2019.js";
import addFormats from "ajv-formats";

/**
 * Checks a GitHub REST request against GitHub's own OpenAPI description
 * (`@octokit/openapi`, api.github.com): the path and method must name a documented
 * operation that GitHub Apps may call, required query parameters must be present, and a
 * JSON body must satisfy the operation's request schema.
 */
export class OpenApiViolation extends Error {
  override readonly name = "OpenApiViolation";
}

export interface MatchedOperation {
  readonly operationId: string;
  readonly method: string;
  readonly pathTemplate: string;
  readonly pathParams: Readonly<Record<string, string>>;
}

interface Operation {
  readonly operationId: string;
  readonly parameters?: readonly (Parameter | { $ref: string })[];
  readonly requestBody?: {
    readonly content?: Record<string, { readonly schema?: unknown }>;
    readonly required?: boolean;
  };
  readonly "x-github"?: { readonly enabledForGitHubApps?: boolean };
}
interface Parameter {
  readonly name: string;
  readonly in: "path" | "query" | "header";
  readonly required?: boolean;
}
interface Route {
  readonly method: string;
  readonly pathTemplate: string;
  readonly pattern: RegExp;
  readonly paramNames: readonly string[];
  readonly literalSegments: number;
  readonly operation: Operation;
}
interface Spec {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { readonly parameters: Record<string, Parameter> } & Record<string, unknown>;
}

const HTTP_METHODS = new Set(["get", "post", "put", "patch", "delete"]);
let shared: GitHubOpenApi | undefined;

export class GitHubOpenApi {
  private readonly routes: Route[];
  private readonly ajv: InstanceType<typeof AjvBase>;
  private readonly bodyValidators = new Map<string, ReturnType<InstanceType<typeof AjvBase>["compile"]>>();

  private constructor(private readonly spec: Spec) {
    this.routes = Object.entries(spec.paths).flatMap(([pathTemplate, item]) =>
      Object.entries(item)
        .filter(([method]) => HTTP_METHODS.has(method))
        .map(([method, operation]) => compileRoute(method.toUpperCase(), pathTemplate, operation)),
    );
    // Most literal segments first, so /repos/{o}/{r}/issues/comments wins over /issues/{n}.
    this.routes.sort((a, b) => b.literalSegments - a.literalSegments);
    this.ajv = new AjvBase({ strict: false, allErrors: true, validateFormats: true });
    addFormats.default(this.ajv);
    this.ajv.addSchema(toJsonSchema({ components: spec.components }) as object, "github");
  }

  /** The description is 13 MB: load it once per process. */
  static load(): GitHubOpenApi {
    if (!shared) {
      const require = createRequire(import.meta.url);
      const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
      shared = new GitHubOpenApi(JSON.parse(readFileSync(file, "utf8")) as Spec);
    }
    return shared;
  }

  match(method: string, url: URL): MatchedOperation | undefined {
    const upper = method.toUpperCase();
    for (const route of this.routes) {
      if (route.method !== upper) continue;
      const found = route.pattern.exec(url.pathname);
      if (!found) continue;
      const pathParams = Object.fromEntries(
        route.paramNames.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? "")]),
      );
      return { operationId: route.operation.operationId, method: upper, pathTemplate: route.pathTemplate, pathParams };
    }
    return undefined;
  }

  /** Throws `OpenApiViolation` naming what is wrong; returns the matched operation otherwise. */
  /**
   * `auth` is how the request authenticated: as the App itself (a JWT, which may only call the
   * `apps/*` operations) or as an installation (operations GitHub enables for GitHub Apps).
   */
  validate(request: {
    readonly method: string;
    readonly url: URL;
    readonly body: unknown;
    readonly auth: "app-jwt" | "installation";
  }): MatchedOperation {
    const matched = this.match(request.method, request.url);
    if (!matched)
      throw new OpenApiViolation(`${request.method} ${request.url.pathname} is not a documented GitHub REST operation`);
    const route = this.routes.find((r) => r.method === matched.method && r.pathTemplate === matched.pathTemplate);
    const operation = route?.operation as Operation;
    if (request.auth === "app-jwt" && !matched.operationId.startsWith("apps/")) {
      throw new OpenApiViolation(
        `${matched.operationId} cannot be called with the App's JWT; use an installation token`,
      );
    }
    if (request.auth === "installation" && operation["x-github"]?.enabledForGitHubApps !== true) {
      throw new OpenApiViolation(`${matched.operationId} is not available to GitHub App installations`);
    }
    for (const parameter of this.parametersOf(operation)) {
      if (parameter.in === "query" && parameter.required && !request.url.searchParams.has(parameter.name)) {
        throw new OpenApiViolation(`${matched.operationId}: required query parameter "${parameter.name}" is missing`);
      }
    }
    const declared = new Set(
      this.parametersOf(operation)
        .filter((p) => p.in === "query")
        .map((p) => p.name),
    );
    for (const name of request.url.searchParams.keys()) {
      if (!declared.has(name))
        throw new OpenApiViolation(`${matched.operationId}: undocumented query parameter "${name}"`);
    }
    this.validateBody(matched, operation, request.body);
    return matched;
  }

  private validateBody(matched: MatchedOperation, operation: Operation, body: unknown): void {
    const schema = operation.requestBody?.content?.["application/json"]?.schema;
    if (body === undefined) {
      if (operation.requestBody?.required)
        throw new OpenApiViolation(`${matched.operationId}: a request body is required`);
      return;
    }
    if (!schema) throw new OpenApiViolation(`${matched.operationId}: takes no JSON body, but one was sent`);
    let validate = this.bodyValidators.get(matched.operationId);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema) as object);
      this.bodyValidators.set(matched.operationId, validate);
    }
    if (!validate(body)) {
      const problems = (validate.errors ?? []).map((e) => `${e.instancePath || "(body)"} ${e.message}`).join("; ");
      throw new OpenApiViolation(`${matched.operationId}: request body does not match the schema: ${problems}`);
    }
  }

  private parametersOf(operation: Operation): Parameter[] {
    return (operation.parameters ?? []).map((p) =>
      "$ref" in p ? (this.spec.components.parameters[p.$ref.split("/").at(-1) ?? ""] as Parameter) : p,
    );
  }
}

function compileRoute(method: string, pathTemplate: string, operation: Operation): Route {
  const paramNames: string[] = [];
  const segments = pathTemplate.split("/").filter(Boolean);
  const source = segments
    .map((segment) => {
      if (/^\{[^}]+\}$/.test(segment)) {
        paramNames.push(segment.slice(1, -1));
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\{[^}]+\\\}/g, "([^/]+)");
    })
    .join("/");
  return {
    method,
    pathTemplate,
    pattern: new RegExp(`^/${source}/?$`),
    paramNames,
    literalSegments: segments.filter((s) => !s.includes("{")).length,
    operation,
  };
}

/**
 * OpenAPI 3.0 schema → JSON Schema: `nullable: true` becomes an explicit null alternative, and
 * local `#/components/...` references point into the registered "github" schema.
 */
export function toJsonSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonSchema);
  if (!value || typeof value !== "object") return value;
  const { nullable, ...rest } = value as Record<string, unknown>;
  const converted = Object.fromEntries(
    Object.entries(rest).map(([key, inner]) => [
      key,
      key === "$ref" && typeof inner === "string" && inner.startsWith("#/") ? `github${inner}` : toJsonSchema(inner),
    ]),
  );
  if (nullable !== true) return converted;
  if (typeof converted.type === "string") {
    return {
      ...converted,
      type: [converted.type, "null"],
      ...(converted.enum ? { enum: [...(converted.enum as unknown[]), null] } : {}),
    };
  }
  return { anyOf: [converted, { type: "null" }] };
}
