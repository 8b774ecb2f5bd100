import { type ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { OciBuildError } from "./oci-build-error.js";

/** Basic-auth credentials for an ECR registry's OCI distribution endpoint. */
export interface EcrRegistryCredentials {
  /** Host of the registry (`111122223333.dkr.ecr.eu-west-1.amazonaws.com`). */
  readonly registry: string;
  /** Always `AWS`. */
  readonly username: string;
  readonly password: string;
}

export interface EcrRegistryCredentialsOptions {
  /**
   * Tokens (valid 12 hours) are renewed this long before they expire.
   * @default 5 minutes
   */
  readonly refreshBeforeExpiryMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * A source of registry credentials for the OCI registry client, from ECR GetAuthorizationToken.
 * The token is cached until shortly before `expiresAt`; concurrent callers share one request.
 */
export function ecrRegistryCredentials(
  client: ECRClient,
  options: EcrRegistryCredentialsOptions = {},
): () => Promise<EcrRegistryCredentials> {
  const now = options.now ?? Date.now;
  const refreshBefore = options.refreshBeforeExpiryMs ?? 5 * 60_000;
  let cached: { credentials: EcrRegistryCredentials; expiresAt: number } | undefined;
  let pending: Promise<EcrRegistryCredentials> | undefined;

  const fetch = async (): Promise<EcrRegistryCredentials> => {
    const { authorizationData } = await client.send(new GetAuthorizationTokenCommand({})).catch((error: unknown) => {
      const aws = error instanceof Error ? error : new Error(String(error));
      throw new OciBuildError(`ECR GetAuthorizationToken failed: ${aws.message}`, aws.name, { cause: error });
    });
    const data = authorizationData?.[0];
    if (!data?.authorizationToken || !data.proxyEndpoint) {
      throw new OciBuildError("ECR GetAuthorizationToken answered without a token", "InvalidOutput");
    }
    const credentials = {
      registry: new URL(data.proxyEndpoint).host,
      ...decodeAuthorizationToken(data.authorizationToken),
    };
    cached = { credentials, expiresAt: data.expiresAt?.getTime() ?? 0 };
    return credentials;
  };

  return () => {
    if (cached && cached.expiresAt - refreshBefore > now()) return Promise.resolve(cached.credentials);
    pending ??= fetch().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

/** ECR tokens are base64 of `AWS:<password>`. */
export function decodeAuthorizationToken(token: string): { username: string; password: string } {
  const decoded = Buffer.from(token, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) throw new OciBuildError("ECR authorization token is not base64 of user:password", "InvalidOutput");
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
