/**
 * How a registry wants to be authenticated, learnt from its 401 challenge: none, Basic (ECR,
 * with the `AWS:<password>` pair from GetAuthorizationToken) or a Bearer token fetched from the
 * realm the challenge names (Docker Hub, GHCR, distribution with token auth).
 */
import { OciBuildError } from "./oci-build-error.js";

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/** Asked again when the registry rejects what it returned last (an expired ECR token). */
export type RegistryCredentialsProvider = () => Promise<RegistryCredentials | undefined>;

export type AuthChallenge =
  | { readonly scheme: "basic"; readonly realm?: string }
  | { readonly scheme: "bearer"; readonly realm: string; readonly service?: string; readonly scope?: string };

/** Parses `WWW-Authenticate`; undefined for a scheme this client cannot answer. */
export function parseAuthChallenge(header: string | null): AuthChallenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match?.[1]) return undefined;
  const params: Record<string, string> = {};
  for (const param of (match[2] ?? "").matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    if (param[1]) params[param[1].toLowerCase()] = param[2]?.replace(/\\(.)/g, "$1") ?? param[3] ?? "";
  }
  const scheme = match[1].toLowerCase();
  if (scheme === "basic") return { scheme: "basic", ...(params.realm ? { realm: params.realm } : {}) };
  if (scheme === "bearer" && params.realm) {
    return {
      scheme: "bearer",
      realm: params.realm,
      ...(params.service ? { service: params.service } : {}),
      ...(params.scope ? { scope: params.scope } : {}),
    };
  }
  return undefined;
}

/** The username/password pair in an ECR authorization token (base64 of `AWS:<password>`). */
export function credentialsFromAuthorizationToken(token: string): RegistryCredentials {
  const decoded = Buffer.from(token, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0)
    throw new OciBuildError("the registry authorization token is not base64 of user:password", "InvalidToken");
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64")}`;
}

/** `repository:<name>:<actions>` scopes for a token request. */
export function repositoryScope(repository: string, actions: "pull" | "pull,push"): string {
  return `repository:${repository}:${actions}`;
}
