import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** What the GitHub App secret holds (JSON): everything Probot needs to act as the App. */
export interface GitHubAppCredentials {
  readonly appId: string | number;
  readonly privateKey: string;
  readonly webhookSecret: string;
}

/** Reads and checks the App's credentials; the error names what is missing, never a value. */
export async function readGitHubAppCredentials(
  client: SecretsManagerClient,
  secretArn: string,
): Promise<GitHubAppCredentials> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  let credentials: Partial<GitHubAppCredentials>;
  try {
    credentials = JSON.parse(SecretString ?? "{}") as Partial<GitHubAppCredentials>;
  } catch {
    throw new Error("config: the GitHub App secret is not JSON; it must hold appId, privateKey and webhookSecret");
  }
  if (!credentials.appId || !credentials.privateKey || !credentials.webhookSecret) {
    throw new Error("config: the GitHub App secret must hold appId, privateKey and webhookSecret");
  }
  return { appId: credentials.appId, privateKey: credentials.privateKey, webhookSecret: credentials.webhookSecret };
}
