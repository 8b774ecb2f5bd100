import { execFile } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DeleteTableCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { OPS_BOT_ENV, OPS_BOT_LAMBDA_RUNTIME } from "@phoenix/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { motoClientConfig } from "../../../../test-support/moto.js";
import { requiredServiceVariable } from "../../../../test-support/required-service.js";
import { awsFixture } from "../support/aws-fixtures.js";
import { createLedgerTable } from "../support/ledger-table.js";

const run = promisify(execFile);
const bundle = fileURLToPath(new URL("../../dist-lambda/index.mjs", import.meta.url));
const invoker = fileURLToPath(new URL("./support/invoke-lambda-bundle.mjs", import.meta.url));
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:phoenix-staging-alarms";
const WEBHOOK_SECRET = randomUUID();

// The `ping` webhook GitHub's webhook documentation shows, trimmed.
const ping = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 30, hook: { type: "App", id: 30 } });
const functionUrlWebhook = (signingSecret: string) => ({
  requestContext: { http: { method: "POST", path: "/api/github/webhooks" } },
  headers: {
    "x-github-event": "ping",
    "x-github-delivery": randomUUID(),
    "x-hub-signature-256": `sha256=${createHmac("sha256", signingSecret).update(ping).digest("hex")}`,
  },
  body: Buffer.from(ping).toString("base64"),
  isBase64Encoded: true,
});
// The SNS → Lambda event shape of the AWS Lambda Developer Guide, from a topic not configured.
const snsFromOtherTopic = {
  Records: [
    {
      EventSource: "aws:sns",
      EventVersion: "1.0",
      Sns: {
        Type: "Notification",
        MessageId: randomUUID(),
        TopicArn: "arn:aws:sns:eu-west-1:123456789012:someone-else",
        Message: "{}",
        Timestamp: new Date().toISOString(),
      },
    },
  ],
};

describe("the Lambda bundle (dist-lambda/index.mjs, what the infra deploys) on the Lambda runtime's Node", () => {
  const secrets = new SecretsManagerClient(motoClientConfig());
  const dynamodb = new DynamoDBClient(motoClientConfig());
  let secretArn: string;
  let tableName: string;
  let workDir: string;

  beforeAll(async () => {
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: build the bot first (pnpm build)`);
    workDir = mkdtempSync(join(tmpdir(), "phoenix-lambda-bundle-"));
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const created = await secrets.send(
      new CreateSecretCommand({
        Name: `phoenix-github-app-${randomUUID()}`,
        SecretString: JSON.stringify({
          appId: "1",
          privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
          webhookSecret: WEBHOOK_SECRET,
        }),
      }),
    );
    secretArn = created.ARN as string;
    tableName = await createLedgerTable(dynamodb);
  });

  afterAll(async () => {
    await secrets.send(new DeleteSecretCommand({ SecretId: secretArn, ForceDeleteWithoutRecovery: true }));
    await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
    secrets.destroy();
    dynamodb.destroy();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("starts from its environment (App secret, DynamoDB Ledger) and answers webhooks, SNS and EventBridge", async () => {
    const deploymentEvent = { ...awsFixture("ecs-deployment-state-change-completed.json"), id: randomUUID() };
    const events = [
      functionUrlWebhook(WEBHOOK_SECRET),
      functionUrlWebhook("not-the-secret"),
      snsFromOtherTopic,
      deploymentEvent,
    ];
    const eventsFile = join(workDir, "events.json");
    const resultsFile = join(workDir, "results.json");
    writeFileSync(eventsFile, JSON.stringify(events));
    const moto = motoClientConfig();
    await run(requiredServiceVariable("PHOENIX_LAMBDA_NODE_BIN"), [invoker, bundle, eventsFile, resultsFile], {
      env: {
        PATH: process.env.PATH ?? "",
        AWS_REGION: moto.region,
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
        LOG_LEVEL: "warn",
        [OPS_BOT_ENV.targetRepository]: "octo-org/phoenix",
        [OPS_BOT_ENV.githubAppSecretArn]: secretArn,
        [OPS_BOT_ENV.ledgerTable]: tableName,
        [OPS_BOT_ENV.allowedTopicArns]: TOPIC,
      },
      timeout: 60_000,
    });
    const { node, results } = JSON.parse(readFileSync(resultsFile, "utf8")) as { node: string; results: unknown[] };

    expect(node).toMatch(new RegExp(`^v${OPS_BOT_LAMBDA_RUNTIME.nodeMajor}\\.`));
    expect(results[0]).toMatchObject({ statusCode: 200 });
    expect(results[1]).toMatchObject({ statusCode: 401 });
    expect(results[2]).toEqual({ outcomes: ["ignored:topic"] });
    expect(results[3]).toEqual({ outcomes: ["ignored:no-deploy-waits-for-rollout"] });
    // The EventBridge delivery went through the Ledger: its done record is in the table.
    const { Items } = await dynamodb.send(new ScanCommand({ TableName: tableName }));
    expect(JSON.stringify(Items)).toContain(deploymentEvent.id as string);
  });
});
