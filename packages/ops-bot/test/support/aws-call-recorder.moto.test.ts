import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RecordedAwsCall } from "../../../../test-support/aws-call-recording.js";
import { motoClientConfig } from "../../../../test-support/moto.js";
import { AwsCallRecorder, describeAwsRequest } from "./aws-call-recorder.js";

describe("the AWS call recorder in front of moto", () => {
  const moto = motoClientConfig();
  let recorder: AwsCallRecorder;
  let calls: RecordedAwsCall[];

  beforeEach(async () => {
    calls = [];
    recorder = await AwsCallRecorder.start({
      upstream: moto.endpoint,
      botCredentials: moto.credentials,
      region: moto.region,
      record: (call) => calls.push(call),
    });
  });
  afterEach(() => recorder.close());

  const viaRecorder = () => ({ ...moto, endpoint: recorder.url });

  it("forwards a JSON-protocol call and records service, region, operation, body and the bot as principal", async () => {
    const ecs = new ECSClient(viaRecorder());
    const answer = await ecs.send(new ListClustersCommand({ maxResults: 5 }));
    expect(answer.clusterArns).toBeDefined();
    expect(calls).toEqual([
      expect.objectContaining({
        signingService: "ecs",
        region: "eu-west-1",
        operation: "ListClusters",
        request: { maxResults: 5 },
        principal: { kind: "bot", account: "123456789012" },
        account: "123456789012",
        status: 200,
      }),
    ]);
  });

  it("reads CloudWatch's operation from its JSON protocol under the signing name monitoring", async () => {
    const cloudWatch = new CloudWatchClient(viaRecorder());
    await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(Date.now() - 60_000),
        EndTime: new Date(),
        MetricDataQueries: [
          {
            Id: "cpu",
            MetricStat: {
              Metric: { Namespace: "AWS/ECS", MetricName: "CPUUtilization" },
              Period: 60,
              Stat: "Maximum",
            },
          },
        ],
      }),
    );
    expect(calls.map((call) => [call.signingService, call.operation])).toEqual([["monitoring", "GetMetricData"]]);
  });

  it("maps the key an AssumeRole handed out to the role, in the role's account", async () => {
    const roleArn = "arn:aws:iam::222222222222:role/phoenix-production-deployer";
    const sts = new STSClient(viaRecorder());
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "phoenix-ops-bot" }),
    );
    const asRole = new ECSClient({
      ...viaRecorder(),
      credentials: {
        accessKeyId: Credentials?.AccessKeyId ?? "",
        secretAccessKey: Credentials?.SecretAccessKey ?? "",
        sessionToken: Credentials?.SessionToken ?? "",
      },
    });
    await asRole.send(new ListClustersCommand({}));

    const [assume, list] = calls;
    expect(assume).toMatchObject({
      signingService: "sts",
      operation: "AssumeRole",
      request: { RoleArn: roleArn, RoleSessionName: "phoenix-ops-bot" },
      principal: { kind: "bot" },
    });
    expect(list).toMatchObject({
      operation: "ListClusters",
      accessKeyId: Credentials?.AccessKeyId,
      principal: { kind: "assumed-role", roleArn, account: "222222222222" },
      account: "222222222222",
    });
  });

  it("records a key it cannot attribute as unknown, for the policy check to refuse", async () => {
    const stranger = new ECSClient({
      ...viaRecorder(),
      credentials: { accessKeyId: "AKIDSOMEONEELSE", secretAccessKey: "x" },
    });
    await stranger.send(new ListClustersCommand({}));
    expect(calls[0]?.principal).toEqual({ kind: "unknown" });
  });

  it("refuses an unsigned request instead of recording nothing", async () => {
    const answer = await fetch(recorder.url, { method: "POST", body: "{}" });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain("not a SigV4-signed request");
    expect(calls).toEqual([]);
  });
});

describe("reading a signed request", () => {
  const authorization =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/eu-west-1/application-autoscaling/aws4_request, SignedHeaders=host, Signature=abc";

  it("takes service and region from the credential scope and the operation from X-Amz-Target", () => {
    expect(
      describeAwsRequest(
        { authorization, "x-amz-target": "AnyScaleFrontendService.RegisterScalableTarget" },
        "/",
        '{"MinCapacity":3}',
      ),
    ).toEqual({
      accessKeyId: "AKIDEXAMPLE",
      region: "eu-west-1",
      signingService: "application-autoscaling",
      operation: "RegisterScalableTarget",
      request: { MinCapacity: 3 },
    });
  });

  it("takes a query-protocol operation from the Action form field", () => {
    const described = describeAwsRequest(
      { authorization, "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      "/",
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr",
    );
    expect(described.operation).toBe("AssumeRole");
    expect(described.request).toEqual({ Version: "2011-06-15", RoleArn: "arn:aws:iam::1:role/r" });
  });
});
