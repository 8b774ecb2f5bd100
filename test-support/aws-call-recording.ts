import { fileURLToPath } from "node:url";

// The contract between the ops bot's flow tests, which record every AWS call the bot makes
// (packages/ops-bot/test/support/aws-call-recorder.ts), and the infra test that checks each
// call against the IAM policies the synthesized templates give the bot
// (packages/infra/test/policy/bot-calls-are-allowed.test.ts).

/** Where the flow tests write one recording per test file. */
export const AWS_CALL_RECORDINGS_DIR = fileURLToPath(
  new URL("../packages/ops-bot/test-results/aws-calls/", import.meta.url),
);

/** The command that (re)writes the recordings. */
export const AWS_CALL_RECORDINGS_COMMAND = "pnpm --filter @phoenix/ops-bot exec vitest run test/flow";

/** Who signed a call: the bot's own credentials, or credentials from STS AssumeRole of a role. */
export type RecordedPrincipal =
  | { readonly kind: "bot"; readonly account: string }
  | { readonly kind: "assumed-role"; readonly roleArn: string; readonly account: string }
  /** A key neither the bot's nor handed out by an AssumeRole the recorder saw. */
  | { readonly kind: "unknown" };

export interface RecordedAwsCall {
  /** The test that was running (vitest's full name). */
  readonly test: string;
  /** The SigV4 signing name from the credential scope (`ecs`, `logs`, `monitoring`, `sts`…). */
  readonly signingService: string;
  readonly region: string;
  /** The account the call acted in: the principal's, as moto resolves it. */
  readonly account: string;
  readonly accessKeyId: string;
  readonly principal: RecordedPrincipal;
  /** The API operation (`UpdateService`, `AssumeRole`…). */
  readonly operation: string;
  /** The request's parameters: the JSON body, or the query protocol's form fields. */
  readonly request: Record<string, unknown>;
  readonly status: number;
  /** The JSON response body (query-protocol responses are not parsed). */
  readonly response?: unknown;
}

/**
 * The installation a test played: the ops config it gave the bot, as the bot resolved it
 * (`.github/phoenix-ops.yml` with defaults applied). With the accounts the calls show, it says
 * which stacks, in which accounts and under which names, would serve these calls in AWS.
 */
export interface RecordedInstallation {
  readonly test: string;
  readonly app: string;
  readonly environments: Readonly<
    Record<
      string,
      { readonly region: string; readonly cluster: string; readonly service: string; readonly roleArn?: string }
    >
  >;
}

export interface AwsCallRecording {
  /** The test file, relative to the repository root. */
  readonly testFile: string;
  readonly calls: readonly RecordedAwsCall[];
  readonly installations: readonly RecordedInstallation[];
}
