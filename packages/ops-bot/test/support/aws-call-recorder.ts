import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { expect } from "vitest";
import {
  AWS_CALL_RECORDINGS_DIR,
  type AwsCallRecording,
  type RecordedAwsCall,
  type RecordedInstallation,
  type RecordedPrincipal,
} from "../../../../test-support/aws-call-recording.js";
import type { OpsConfig } from "../../src/domain/ops-config/ops-config-schema.js";
import { parseOpsConfig } from "../../src/domain/ops-config/parse-ops-config.js";
import { readYamlSubset } from "../domain/ops-config/yaml-subset.js";

/** What a signed AWS request says about itself, before it is answered. */
export interface AwsRequestDescription {
  readonly signingService: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly operation: string;
  readonly request: Record<string, unknown>;
}

const CREDENTIAL_SCOPE = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;
/** The Smithy RPC v2 path, for a client that moves to it (the body is CBOR: not decoded). */
const RPC_V2_PATH = /\/service\/[^/]+\/operation\/([^/?]+)/;

/**
 * Reads a SigV4-signed request: service and region from the credential scope, the operation
 * from `X-Amz-Target` (JSON protocols: ECS, Logs, DynamoDB, ECR, CodeBuild, App Auto Scaling,
 * SSM, CloudWatch in SDK v3 today) or the `Action` form field (query protocol: STS).
 * An unsigned or unrecognised request throws: the proxy answers it with an error, so a client
 * that changed protocol is seen, not silently recorded as nothing.
 */
export function describeAwsRequest(headers: IncomingHttpHeaders, path: string, body: string): AwsRequestDescription {
  const scope = CREDENTIAL_SCOPE.exec(String(headers.authorization ?? ""));
  if (!scope?.[1] || !scope[2] || !scope[3]) {
    throw new Error(`not a SigV4-signed request: ${headers.authorization ?? "no Authorization header"}`);
  }
  const signed = { accessKeyId: scope[1], region: scope[2], signingService: scope[3] };
  const target = headers["x-amz-target"];
  if (typeof target === "string") {
    const operation = target.slice(target.lastIndexOf(".") + 1);
    return { ...signed, operation, request: body ? (JSON.parse(body) as Record<string, unknown>) : {} };
  }
  if (String(headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
    const form = Object.fromEntries(new URLSearchParams(body));
    if (!form.Action) throw new Error(`query-protocol request without an Action: ${body.slice(0, 200)}`);
    const { Action: operation, ...request } = form;
    return { ...signed, operation, request };
  }
  const rpcV2 = RPC_V2_PATH.exec(path);
  if (rpcV2?.[1]) return { ...signed, operation: rpcV2[1], request: { undecodedBody: "cbor" } };
  throw new Error(`cannot tell the operation of ${signed.signingService} request ${path}`);
}

/** The temporary key an STS AssumeRole (query protocol, XML) response hands out. */
export function assumedAccessKeyId(responseXml: string): string | undefined {
  return /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(responseXml)?.[1];
}

const accountOfArn = (arn: string) => arn.split(":")[4] ?? "";

export interface AwsCallRecorderOptions {
  /** moto's endpoint, where every request is forwarded unchanged. */
  readonly upstream: string;
  /** The bot's own credentials: calls signed with them are the bot role's. */
  readonly botCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly region: string;
  /** Where a call is added; @default the recording of the running test file. */
  readonly record?: (call: RecordedAwsCall) => void;
}

/**
 * A loopback proxy in front of moto that records every AWS call made through it, with the
 * principal that signed it: the bot's key, or a key an STS AssumeRole through this proxy
 * handed out (mapped to the role asked for). The bot's clients point at `url`; the tests'
 * own seeding clients keep talking to moto directly, so they are never recorded as the bot's.
 */
export class AwsCallRecorder {
  private readonly assumedRoles = new Map<string, string>();
  private server: Server | undefined;
  private botAccount = "";
  url = "";

  private constructor(private readonly options: AwsCallRecorderOptions) {}

  static async start(options: AwsCallRecorderOptions): Promise<AwsCallRecorder> {
    const recorder = new AwsCallRecorder(options);
    await recorder.listen();
    return recorder;
  }

  private async listen(): Promise<void> {
    // Straight to moto, unrecorded: which account the bot's key acts in.
    const sts = new STSClient({
      endpoint: this.options.upstream,
      region: this.options.region,
      credentials: this.options.botCredentials,
    });
    this.botAccount = (await sts.send(new GetCallerIdentityCommand({}))).Account ?? "";
    sts.destroy();
    if (!this.botAccount) throw new Error("moto's GetCallerIdentity answered without an account");

    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        let described: AwsRequestDescription;
        try {
          described = describeAwsRequest(req.headers, req.url ?? "/", body.toString("utf8"));
        } catch (error) {
          res.writeHead(400, { "content-type": "text/plain" }).end(`aws-call-recorder: ${(error as Error).message}`);
          return;
        }
        this.forward(req.method ?? "POST", req.url ?? "/", req.headers, body)
          .then((answer) => {
            this.note(described, req.headers, answer);
            res.writeHead(answer.status, answer.headers).end(answer.body);
          })
          .catch((error: Error) => {
            res.writeHead(502, { "content-type": "text/plain" }).end(`aws-call-recorder: ${error.message}`);
          });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** The request as it came (Host and signature included), to moto. */
  private forward(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    const upstream = new URL(this.options.upstream);
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        { host: upstream.hostname, port: upstream.port, method, path, headers },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => chunks.push(chunk));
          answer.on("end", () =>
            resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }),
          );
          answer.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  }

  private note(
    described: AwsRequestDescription,
    headers: IncomingHttpHeaders,
    answer: { status: number; headers: IncomingHttpHeaders; body: Buffer },
  ): void {
    const principal = this.principalOf(described.accessKeyId);
    const text = answer.body.toString("utf8");
    const ok = answer.status >= 200 && answer.status < 300;
    if (ok && described.signingService === "sts" && described.operation === "AssumeRole") {
      const key = assumedAccessKeyId(text);
      if (key && typeof described.request.RoleArn === "string") this.assumedRoles.set(key, described.request.RoleArn);
    }
    const explicitAccount = headers["x-moto-account-id"];
    const account =
      typeof explicitAccount === "string" ? explicitAccount : principal.kind === "unknown" ? "" : principal.account;
    const isJson = String(answer.headers["content-type"] ?? "").includes("json");
    const call: RecordedAwsCall = {
      test: expect.getState().currentTestName ?? "",
      ...described,
      account,
      principal,
      status: answer.status,
      ...(isJson && text ? { response: JSON.parse(text) as unknown } : {}),
    };
    (this.options.record ?? recordInCurrentTestFile)(call);
  }

  private principalOf(accessKeyId: string): RecordedPrincipal {
    if (accessKeyId === this.options.botCredentials.accessKeyId) return { kind: "bot", account: this.botAccount };
    const roleArn = this.assumedRoles.get(accessKeyId);
    return roleArn ? { kind: "assumed-role", roleArn, account: accountOfArn(roleArn) } : { kind: "unknown" };
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }
}

// One recording per test file, kept across the bots its tests start (vitest runs each test
// file in its own module graph), written out whole after each bot stops.
const recordings = new Map<string, { calls: RecordedAwsCall[]; installations: RecordedInstallation[] }>();
const REPOSITORY_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

function currentTestFile(): string {
  const testPath = expect.getState().testPath;
  if (!testPath) throw new Error("the AWS call recorder runs inside a vitest test file only");
  return testPath;
}

function recordingOfCurrentTestFile() {
  const testFile = currentTestFile();
  let recording = recordings.get(testFile);
  if (!recording) {
    recording = { calls: [], installations: [] };
    recordings.set(testFile, recording);
  }
  return recording;
}

function recordInCurrentTestFile(call: RecordedAwsCall): void {
  recordingOfCurrentTestFile().calls.push(call);
}

/**
 * Writes the running test file's calls so far to `test-results/aws-calls/<file>.json`, for the
 * infra test that checks them against the synthesized IAM policies, with the installation the
 * running test played: the ops config it gave the bot (`.github/phoenix-ops.yml`), when valid.
 */
export function writeAwsCallRecording(opsConfigYaml: string | undefined): string {
  const opsConfig = resolvedOpsConfig(opsConfigYaml);
  const testFile = currentTestFile();
  const recording = recordingOfCurrentTestFile();
  const test = expect.getState().currentTestName ?? "";
  if (opsConfig) {
    const installation: RecordedInstallation = {
      test,
      app: opsConfig.app,
      environments: Object.fromEntries(
        Object.entries(opsConfig.environments).map(([name, { region, cluster, service, roleArn }]) => [
          name,
          { region, cluster, service, ...(roleArn ? { roleArn } : {}) },
        ]),
      ),
    };
    const same = JSON.stringify(installation);
    if (!recording.installations.some((known) => JSON.stringify(known) === same)) {
      recording.installations.push(installation);
    }
  }
  const file: AwsCallRecording = { testFile: relative(REPOSITORY_ROOT, testFile), ...recording };
  mkdirSync(AWS_CALL_RECORDINGS_DIR, { recursive: true });
  const path = join(AWS_CALL_RECORDINGS_DIR, `${testFile.split("/").pop()?.replace(/\.ts$/, "")}.json`);
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  return path;
}

/** The ops config as the bot resolves it (defaults applied); none when absent or invalid. */
function resolvedOpsConfig(yaml: string | undefined): OpsConfig | undefined {
  if (yaml === undefined) return undefined;
  try {
    const parsed = parseOpsConfig(readYamlSubset(yaml));
    return parsed.ok ? parsed.config : undefined;
  } catch {
    return undefined; // outside the YAML subset the flow tests write: recorded as no installation
  }
}
