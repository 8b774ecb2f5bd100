import { PHOENIX_APP } from "@phoenix/shared";
import { Stack, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { EnvironmentEventRules } from "../src/observability/ops-event-rules.js";
import { PhoenixAlarms } from "../src/observability/service-alarms.js";
import {
  CDK_DEFAULT_ROLLOUT_SETTINGS,
  PHOENIX_ROLLOUT_SETTINGS,
  PhoenixService,
  type PhoenixServiceProps,
  worstCaseRolloutSeconds,
} from "../src/service/phoenix-service.js";
import { PhoenixServiceScaling } from "../src/service/service-scaling.js";
import { containerDefinition, rolloutSettingsFromTemplate } from "./support/rollout-settings.js";
import {
  DATABASE_URI,
  ENV,
  IMAGE,
  NAMES,
  type ServiceStackProps,
  serviceStack,
  TWO_AZ_CONTEXT,
} from "./support/service-stack.js";
import { cfnLint, formatCfnLintWarnings, synthWithValidation, testAppsCleanedAfterEach } from "./support/synth.js";

const CERTIFICATE_ARN = "arn:aws:acm:eu-west-1:111122223333:certificate/0b6c4b4e-8f3e-4d0b-9c4e-3f1f1a2b3c4d";

const newApp = testAppsCleanedAfterEach(TWO_AZ_CONTEXT);

/** The service fixture in a fresh app, with its template on demand. */
function webStack(props: ServiceStackProps = {}) {
  const { stack, vpc, web } = serviceStack(newApp(), props);
  return { stack, vpc, service: web, template: () => Template.fromStack(stack) };
}

describe("requirement 1 (service): the app runs on ECS Fargate behind a load balancer", () => {
  it("creates a cluster named for the deployment with enhanced Container Insights", () => {
    webStack()
      .template()
      .hasResourceProperties("AWS::ECS::Cluster", {
        ClusterName: NAMES.cluster,
        ClusterSettings: [{ Name: "containerInsights", Value: "enhanced" }],
      });
  });

  it("runs the service in an existing cluster when one is given", () => {
    const template = webStack((stack, vpc) => ({
      existingCluster: new ecs.Cluster(stack, "Existing", { vpc, clusterName: "shared" }),
    })).template();
    template.resourceCountIs("AWS::ECS::Cluster", 1);
    template.hasResourceProperties("AWS::ECS::Service", { Cluster: { Ref: Match.stringLikeRegexp("^Existing") } });
  });

  it("refuses an existing cluster, log group or log bucket together with props for a new one", () => {
    expect(() =>
      webStack((stack, vpc) => ({ existingCluster: new ecs.Cluster(stack, "Existing", { vpc }), clusterProps: {} })),
    ).toThrow("PhoenixService: give existingCluster or clusterProps, not both");
    expect(() =>
      webStack((stack) => ({ existingLogGroup: new logs.LogGroup(stack, "Existing"), logGroupProps: {} })),
    ).toThrow("PhoenixService: give existingLogGroup or logGroupProps, not both");
    expect(() =>
      webStack((stack) => ({ existingAccessLogsBucket: new s3.Bucket(stack, "Existing"), accessLogsBucketProps: {} })),
    ).toThrow("PhoenixService: give existingAccessLogsBucket or accessLogsBucketProps, not both");
  });

  it("runs in private subnets of two Availability Zones, rebalancing across them, with no desired count in the template", () => {
    const { template, vpc } = webStack();
    const privateSubnets = vpc.privateSubnets.map((subnet) => Stack.of(vpc).resolve(subnet.subnetId));
    expect(new Set(vpc.privateSubnets.map((subnet) => subnet.availabilityZone)).size).toBe(2);
    template().hasResourceProperties("AWS::ECS::Service", {
      ServiceName: NAMES.service,
      LaunchType: "FARGATE",
      DesiredCount: Match.absent(),
      AvailabilityZoneRebalancing: "ENABLED",
      NetworkConfiguration: {
        AwsvpcConfiguration: { AssignPublicIp: "DISABLED", Subnets: Match.arrayWith(privateSubnets) },
      },
    });
  });

  it("sets a desired count it is given, and refuses fewer than two tasks, so a crash never leaves the service empty", () => {
    webStack({ desiredCount: 3 }).template().hasResourceProperties("AWS::ECS::Service", { DesiredCount: 3 });
    expect(() => webStack({ desiredCount: 1 })).toThrow(/PhoenixService: desiredCount must be a whole number from 2/);
  });

  it("refuses task subnets in a single Availability Zone", () => {
    const stack = new Stack(newApp(), "OneZone", { env: ENV });
    const vpc = new ec2.Vpc(stack, "Vpc", { maxAzs: 1, natGateways: 1 });
    expect(
      () => new PhoenixService(stack, "Web", { vpc, names: NAMES, image: IMAGE, databaseUri: DATABASE_URI }),
    ).toThrow(/taskSubnets must span at least 2 Availability Zones/);
  });

  it("sizes tasks at 1 vCPU and 2 GiB by default and refuses sizes Fargate does not offer", () => {
    webStack()
      .template()
      .hasResourceProperties("AWS::ECS::TaskDefinition", {
        Family: NAMES.service,
        Cpu: "1024",
        Memory: "2048",
        RequiresCompatibilities: ["FARGATE"],
      });
    expect(() => webStack({ cpu: 1000 })).toThrow(/PhoenixService: cpu must be one of 256, 512, 1024/);
    expect(() => webStack({ cpu: 1024, memoryLimitMiB: 1024 })).toThrow(
      /memoryLimitMiB \(for cpu 1024\) must be one of 2048, 3072/,
    );
  });

  it("hardens the container: app port, read-only root filesystem, non-root user 1000", () => {
    expect(containerDefinition(webStack().template())).toMatchObject({
      Name: PHOENIX_APP.containerName,
      Essential: true,
      PortMappings: [{ ContainerPort: PHOENIX_APP.containerPort, Protocol: "tcp" }],
      ReadonlyRootFilesystem: true,
      User: "1000:1000",
    });
  });

  it("sends container logs through awslogs to a 7-day log group named for the deployment", () => {
    const template = webStack().template();
    template.hasResourceProperties("AWS::Logs::LogGroup", { LogGroupName: NAMES.logGroup, RetentionInDays: 7 });
    expect(containerDefinition(template)).toMatchObject({
      LogConfiguration: {
        LogDriver: "awslogs",
        Options: { "awslogs-group": { Ref: expect.stringMatching(/^WebLogs/) }, mode: "non-blocking" },
      },
    });
  });

  it("passes the database URI as plain DB_CONNECTION_STRING and the credentials only as secrets", () => {
    const template = webStack((stack) => ({
      databaseCredentials: new secretsmanager.Secret(stack, "DatabaseCredentials"),
    })).template();
    const container = containerDefinition(template);
    const [secretId] = Object.keys(template.findResources("AWS::SecretsManager::Secret"));
    const secretArn = { Ref: secretId };
    expect(container.Environment).toContainEqual({ Name: PHOENIX_APP.env.databaseUrl, Value: DATABASE_URI });
    expect(container.Secrets).toEqual([
      { Name: "DB_USERNAME", ValueFrom: { "Fn::Join": ["", [secretArn, ":username::"]] } },
      { Name: "DB_PASSWORD", ValueFrom: { "Fn::Join": ["", [secretArn, ":password::"]] } },
    ]);
    const plainNames = (container.Environment as { Name: string }[]).map((variable) => variable.Name);
    expect(plainNames).not.toContain("DB_USERNAME");
    expect(plainNames).not.toContain("DB_PASSWORD");
  });

  it("refuses a database URI that carries credentials", () => {
    expect(() => webStack({ databaseUri: "mongodb://phoenix:s3cret@db.internal:27017/phoenix" })).toThrow(
      /databaseUri must not contain credentials/,
    );
  });

  it("adds extra environment variables but refuses ones the construct owns", () => {
    expect(containerDefinition(webStack({ environment: { LOG_LEVEL: "warn" } }).template()).Environment).toContainEqual(
      {
        Name: "LOG_LEVEL",
        Value: "warn",
      },
    );
    expect(() => webStack({ environment: { DB_PASSWORD: "x" } })).toThrow(
      /environment.DB_PASSWORD is set by the construct/,
    );
  });

  it("sets CERT_CONCURRENCY to the task's whole vCPUs minus one (at least 1), or to the prop", () => {
    const concurrency = (props: Partial<PhoenixServiceProps>) =>
      (containerDefinition(webStack(props).template()).Environment as { Name: string; Value: string }[]).find(
        (variable) => variable.Name === PHOENIX_APP.env.certificateConcurrency,
      )?.Value;
    expect(concurrency({})).toBe("1");
    expect(concurrency({ cpu: 4096, memoryLimitMiB: 8192 })).toBe("3");
    expect(concurrency({ cpu: 4096, memoryLimitMiB: 8192, certConcurrency: 2 })).toBe("2");
  });

  it("checks target health on the app's health path every 5 s, drains for 10 s, without slow start", () => {
    webStack()
      .template()
      .hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", {
        Name: NAMES.targetGroup,
        TargetType: "ip",
        Port: PHOENIX_APP.containerPort,
        HealthCheckPath: PHOENIX_APP.healthCheckPath,
        HealthCheckIntervalSeconds: 5,
        HealthCheckTimeoutSeconds: 2,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
        TargetGroupAttributes: Match.arrayWith([
          { Key: "deregistration_delay.timeout_seconds", Value: "10" },
          { Key: "slow_start.duration_seconds", Value: "0" },
        ]),
      });
  });

  it("writes load balancer access logs to an SSE-S3, SSL-only, private bucket that expires them after 7 days", () => {
    const template = webStack().template();
    template.hasResourceProperties("AWS::S3::Bucket", {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 7, Status: "Enabled" })] },
    });
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
      Scheme: "internet-facing",
      LoadBalancerAttributes: Match.arrayWith([
        { Key: "deletion_protection.enabled", Value: "false" },
        { Key: "routing.http.drop_invalid_header_fields.enabled", Value: "true" },
        { Key: "access_logs.s3.enabled", Value: "true" },
      ]),
    });
  });

  it("turns on load balancer deletion protection when asked", () => {
    webStack({ deletionProtection: true })
      .template()
      .hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
        LoadBalancerAttributes: Match.arrayWith([{ Key: "deletion_protection.enabled", Value: "true" }]),
      });
  });

  it("serves HTTPS on 443 with a TLS 1.2+ policy and redirects HTTP to it when given a certificate", () => {
    const template = webStack((stack) => ({
      certificate: acm.Certificate.fromCertificateArn(stack, "Certificate", CERTIFICATE_ARN),
    })).template();
    template.resourceCountIs("AWS::ElasticLoadBalancingV2::Listener", 2);
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      Port: 443,
      Protocol: "HTTPS",
      SslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
      DefaultActions: [Match.objectLike({ Type: "forward" })],
    });
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      Port: 80,
      Protocol: "HTTP",
      DefaultActions: [
        { Type: "redirect", RedirectConfig: { Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" } },
      ],
    });
  });

  it("serves plain HTTP on 80 without a certificate", () => {
    const template = webStack().template();
    template.resourceCountIs("AWS::ElasticLoadBalancingV2::Listener", 1);
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      Port: 80,
      Protocol: "HTTP",
      DefaultActions: [Match.objectLike({ Type: "forward" })],
    });
  });

  it("opens the load balancer to the internet and the tasks only to the load balancer", () => {
    const { service, stack, template } = webStack();
    const albGroup = stack.resolve(service.loadBalancer.connections.securityGroups[0]?.securityGroupId);
    const taskGroup = stack.resolve(service.connections.securityGroups[0]?.securityGroupId);
    const t = template();
    t.hasResourceProperties("AWS::EC2::SecurityGroup", {
      GroupDescription: "Phoenix load balancer: public web endpoint",
      SecurityGroupIngress: [Match.objectLike({ CidrIp: "0.0.0.0/0", FromPort: 80, ToPort: 80 })],
    });
    const taskIngress = Object.values(t.findResources("AWS::EC2::SecurityGroupIngress")).filter(
      (rule) => JSON.stringify(rule.Properties.GroupId) === JSON.stringify(taskGroup),
    );
    expect(taskIngress.map((rule) => rule.Properties)).toEqual([
      expect.objectContaining({
        SourceSecurityGroupId: albGroup,
        FromPort: PHOENIX_APP.containerPort,
        ToPort: PHOENIX_APP.containerPort,
      }),
    ]);
    t.hasResourceProperties("AWS::EC2::SecurityGroup", {
      GroupDescription: "Phoenix tasks: reachable only from the load balancer",
      SecurityGroupIngress: Match.absent(),
    });
  });

  it("lets a database admit the tasks through `connections`", () => {
    const { service, stack, vpc, template } = webStack();
    const databaseGroup = new ec2.SecurityGroup(stack, "Database", { vpc });
    new ec2.Connections({ securityGroups: [databaseGroup], defaultPort: ec2.Port.tcp(27017) }).allowDefaultPortFrom(
      service,
    );
    template().hasResourceProperties("AWS::EC2::SecurityGroupIngress", {
      GroupId: stack.resolve(databaseGroup.securityGroupId),
      SourceSecurityGroupId: stack.resolve(service.connections.securityGroups[0]?.securityGroupId),
      FromPort: 27017,
    });
  });

  it("names the task and execution roles for the environment, each assumable by ECS tasks only", () => {
    const { service, stack, template } = webStack();
    const t = template();
    const ecsTasksOnly = {
      Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ecs-tasks.amazonaws.com" } }],
    };
    t.hasResourceProperties("AWS::IAM::Role", { RoleName: NAMES.taskRole, AssumeRolePolicyDocument: ecsTasksOnly });
    t.hasResourceProperties("AWS::IAM::Role", {
      RoleName: NAMES.executionRole,
      AssumeRolePolicyDocument: ecsTasksOnly,
    });
    t.hasResourceProperties("AWS::ECS::TaskDefinition", {
      TaskRoleArn: stack.resolve(service.taskRole.roleArn),
      ExecutionRoleArn: stack.resolve(service.executionRole.roleArn),
    });
  });

  it("keeps the named roles with an existing cluster and log group", () => {
    const t = webStack((stack, vpc) => ({
      existingCluster: new ecs.Cluster(stack, "Existing", { vpc, clusterName: "shared" }),
      existingLogGroup: new logs.LogGroup(stack, "ExistingLogs"),
    })).template();
    t.hasResourceProperties("AWS::IAM::Role", { RoleName: NAMES.taskRole });
    t.hasResourceProperties("AWS::IAM::Role", { RoleName: NAMES.executionRole });
  });

  it("exposes the created resources", () => {
    const { service } = webStack();
    expect(service.cluster).toBeInstanceOf(ecs.Cluster);
    expect(service.taskRole.roleArn).toBeDefined();
    expect(service.executionRole.roleArn).toBeDefined();
    expect(service.redirectListener).toBeUndefined();
    expect(service.targetGroup.targetGroupName).toBeDefined();
  });
});

describe("requirement 2 (crash recovery): ECS replaces a crashed task while the other keeps serving", () => {
  it("marks the container essential and probes it with the app's own health check", () => {
    expect(containerDefinition(webStack().template())).toMatchObject({
      Essential: true,
      HealthCheck: {
        Command: ["CMD", "node", "dist/healthcheck.js"],
        Interval: 10,
        Timeout: 3,
        Retries: 3,
        StartPeriod: 10,
      },
    });
  });

  it("gives the app longer to stop than its own drain budget", () => {
    const stopTimeout = containerDefinition(webStack().template()).StopTimeout as number;
    expect(stopTimeout).toBe(15);
    expect(stopTimeout * 1000).toBeGreaterThan(PHOENIX_APP.shutdownTimeoutMs);
  });

  it("deploys new tasks before stopping old ones and rolls back a deployment that fails", () => {
    webStack()
      .template()
      .hasResourceProperties("AWS::ECS::Service", {
        DeploymentConfiguration: {
          MinimumHealthyPercent: 100,
          MaximumPercent: 200,
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        },
      });
  });

  it("also rolls back on the deployment alarms it is given", () => {
    webStack({ deploymentAlarms: { alarmNames: [NAMES.alarms.http5xx, NAMES.alarms.unhealthyHosts] } })
      .template()
      .hasResourceProperties("AWS::ECS::Service", {
        DeploymentConfiguration: {
          Alarms: { AlarmNames: [NAMES.alarms.http5xx, NAMES.alarms.unhealthyHosts], Enable: true, Rollback: true },
        },
      });
  });
});

describe("rollout speed: worst-case rollout time of a 2-task service", () => {
  /** Reads every setting the formula uses back out of the synthesized template. */
  it("publishes exactly the settings the template uses", () => {
    expect(rolloutSettingsFromTemplate(webStack().template())).toEqual(PHOENIX_ROLLOUT_SETTINGS);
  });

  it("replaces both tasks in at most 38 s of health checks, draining and stopping, against 365 s with CDK defaults", () => {
    const ours = rolloutSettingsFromTemplate(webStack().template());
    // max(5 + 2, 10 + 3) + 10 + 15 = 38; CDK defaults: max(30 + 5, 0) + 300 + 30 = 365.
    expect(worstCaseRolloutSeconds(ours, 2)).toBe(38);
    expect(worstCaseRolloutSeconds(CDK_DEFAULT_ROLLOUT_SETTINGS, 2)).toBe(365);
  });

  it("counts one wave per batch when maxHealthyPercent allows fewer new tasks than the service has", () => {
    const halfAtATime = { ...PHOENIX_ROLLOUT_SETTINGS, maxHealthyPercent: 150 };
    expect(worstCaseRolloutSeconds(halfAtATime, 4)).toBe(2 * 38);
    expect(worstCaseRolloutSeconds({ ...PHOENIX_ROLLOUT_SETTINGS, maxHealthyPercent: 100 }, 2)).toBe(2 * 38);
  });
});

describe("compliance: a stack with the service, scaling, alarms and event rules", () => {
  function fullStack() {
    const app = newApp();
    const { stack, vpc, web } = serviceStack(
      app,
      (scope) => {
        const credentials = new secretsmanager.Secret(scope, "DatabaseCredentials", {
          generateSecretString: { secretStringTemplate: '{"username":"phoenix"}', generateStringKey: "password" },
        });
        Validations.of(credentials).acknowledge({
          id: "AwsSolutions-SMG4",
          reason: "Test stand-in for the database construct's secret, which configures its rotation.",
        });
        const certificate = acm.Certificate.fromCertificateArn(scope, "Certificate", CERTIFICATE_ARN);
        return { databaseCredentials: credentials, certificate };
      },
      "PhoenixCompliance",
    );
    Validations.of(vpc).acknowledge({
      id: "AwsSolutions-VPC7",
      reason: "Test stand-in for the network construct, which owns the VPC and its flow logs.",
    });
    new PhoenixServiceScaling(stack, "Scaling", { service: web.service, targetGroup: web.targetGroup });
    const alarms = new PhoenixAlarms(stack, "Alarms", {
      names: NAMES,
      service: web.service,
      targetGroup: web.targetGroup,
      loadBalancer: web.loadBalancer,
    });
    new EnvironmentEventRules(stack, "Events", {
      clusterArn: web.cluster.clusterArn,
      serviceArn: web.service.serviceArn,
      alarmArns: Object.values(alarms.alarms).map((alarm) => alarm.alarmArn),
    });
    return { app, stack };
  }

  it("passes cdk-nag AwsSolutions with every finding fixed or acknowledged next to its resource", () => {
    const { app } = fullStack();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const { unacknowledged, error } = synthWithValidation(app);
    expect(unacknowledged).toEqual([]);
    expect(error).toBeUndefined();
  });

  it("passes cfn-lint with no errors", async () => {
    const { stack } = fullStack();
    const findings = await cfnLint(stack, Template.fromStack(stack).toJSON());
    expect(findings.filter((finding) => finding.Level === "Error")).toEqual([]);
    console.info(formatCfnLintWarnings(findings));
  });
});
