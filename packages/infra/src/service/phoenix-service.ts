/**
 * The Phoenix app on ECS Fargate behind an Application Load Balancer (requirement 1, and 2:
 * crash recovery). A crashed task is replaced by the ECS scheduler while at least one other
 * task, in another Availability Zone, keeps serving; the load balancer stops routing to a
 * dead task within seconds.
 *
 * Written with the L2 `ecs.FargateService` and `elbv2.ApplicationLoadBalancer` rather than
 * `ecs-patterns`: the pattern hides the target group, security groups and listeners behind
 * defaults (300 s deregistration, 30 s × 5 health checks, HTTP-only redirect options) that
 * this construct must all override, and its props cannot express them without escape hatches.
 */
import { PHOENIX_APP, type PhoenixResourceNames } from "@phoenix/shared";
import { Duration, Size, Validations } from "aws-cdk-lib";
import type * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { AppLogGroup, type AppLogGroupProps } from "../observability/app-log-group.js";
import {
  PropValidationError,
  requireExistingOrProps,
  requireIntegerInRange,
  requireOneOf,
} from "../validation/prop-validation.js";

const CONSTRUCT = "PhoenixService";

/** The settings that decide how long a rolling deployment (or a crash replacement) takes. */
export interface RolloutSettings {
  /** Target group health check period. */
  readonly healthCheckIntervalSeconds: number;
  /** Longest a target group health check waits for an answer. */
  readonly healthCheckTimeoutSeconds: number;
  /** Consecutive passes that bring an unhealthy target back (a newly registered target needs one). */
  readonly healthyThresholdCount: number;
  /** Consecutive failures that take a target out of service. */
  readonly unhealthyThresholdCount: number;
  /** How long the load balancer drains a deregistered target before ECS may stop it. */
  readonly deregistrationDelaySeconds: number;
  /** The container health check; `undefined` when the task definition has none. */
  readonly containerHealthCheck:
    | {
        readonly intervalSeconds: number;
        readonly timeoutSeconds: number;
        readonly retries: number;
        readonly startPeriodSeconds: number;
      }
    | undefined;
  /** Time between SIGTERM and SIGKILL when ECS stops the container. */
  readonly stopTimeoutSeconds: number;
  /** Lower bound of running healthy tasks during a deployment, as a percentage of the desired count. */
  readonly minHealthyPercent: number;
  /** Upper bound of running tasks during a deployment, as a percentage of the desired count. */
  readonly maxHealthyPercent: number;
}

/**
 * What `PhoenixService` configures. The app answers `/health` in well under a second and
 * drains within `PHOENIX_APP.shutdownTimeoutMs` (8 s), so everything can be short.
 */
export const PHOENIX_ROLLOUT_SETTINGS: RolloutSettings = {
  healthCheckIntervalSeconds: 5,
  healthCheckTimeoutSeconds: 2,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
  deregistrationDelaySeconds: 10,
  containerHealthCheck: { intervalSeconds: 10, timeoutSeconds: 3, retries: 3, startPeriodSeconds: 10 },
  stopTimeoutSeconds: 15,
  minHealthyPercent: 100,
  maxHealthyPercent: 200,
};

/**
 * What an ALB target group and a Fargate service get when these settings are left out in the
 * CDK: 30 s interval, 5 s timeout, 5 / 2 thresholds, 300 s deregistration delay, 30 s stop
 * timeout, no container health check (ECS ignores the image's HEALTHCHECK), 50 % / 200 %.
 */
export const CDK_DEFAULT_ROLLOUT_SETTINGS: RolloutSettings = {
  healthCheckIntervalSeconds: 30,
  healthCheckTimeoutSeconds: 5,
  healthyThresholdCount: 5,
  unhealthyThresholdCount: 2,
  deregistrationDelaySeconds: 300,
  containerHealthCheck: undefined,
  stopTimeoutSeconds: 30,
  minHealthyPercent: 50,
  maxHealthyPercent: 200,
};

/**
 * Worst-case duration, in seconds, of a rolling deployment of `taskCount` tasks, counting only
 * the time the settings control:
 *
 * ```
 * batch   = max(1, floor(taskCount × (maxHealthyPercent − 100) / 100))   new tasks started at once
 * waves   = ceil(taskCount / batch)
 * healthy = max(healthCheckInterval + healthCheckTimeout,                  one target group check
 *               containerInterval + containerTimeout)                      first container probe (0 if none)
 * wave    = healthy + deregistrationDelay + stopTimeout
 * total   = waves × wave
 * ```
 *
 * Per wave: the new tasks must be healthy in the target group (a newly registered target needs
 * one passing check, which may come up to one interval after registration and take up to the
 * timeout) and, when a container health check exists, report HEALTHY (Docker runs the first
 * probe one interval after start); both run in parallel. Then ECS deregisters the old tasks,
 * waits out the deregistration delay, sends SIGTERM and, at worst, SIGKILL after the stop
 * timeout. The healthy threshold only matters for a target recovering from unhealthy (ALB guide,
 * "Health checks for Application Load Balancer target groups": a newly registered target must
 * pass one check); counting it for new targets too would give threshold × interval + timeout.
 *
 * Left out because no setting changes them: placing the task and pulling the image, the app's
 * own start-up, and load balancer registration. With maxHealthyPercent 200 the whole service
 * is replaced in one wave, so for 2 tasks the result is one wave.
 */
export function worstCaseRolloutSeconds(settings: RolloutSettings, taskCount: number): number {
  requireIntegerInRange("worstCaseRolloutSeconds", "taskCount", taskCount, 1, 5_000);
  const batch = Math.max(1, Math.floor((taskCount * (settings.maxHealthyPercent - 100)) / 100));
  const waves = Math.ceil(taskCount / batch);
  const targetHealthy = settings.healthCheckIntervalSeconds + settings.healthCheckTimeoutSeconds;
  const container = settings.containerHealthCheck;
  const containerHealthy = container ? container.intervalSeconds + container.timeoutSeconds : 0;
  const wave =
    Math.max(targetHealthy, containerHealthy) + settings.deregistrationDelaySeconds + settings.stopTimeoutSeconds;
  return waves * wave;
}

export interface PhoenixServiceProps {
  readonly vpc: ec2.IVpc;
  /** Names from `resourceNames()`: cluster, service, task roles, target group and log group use them. */
  readonly names: PhoenixResourceNames;
  /** The Phoenix app image (built from `packages/phoenix-app/Dockerfile`). */
  readonly image: ecs.ContainerImage;
  /**
   * MongoDB URI without credentials, set as the plain variable `DB_CONNECTION_STRING`.
   * A URI carrying `user:password@` is refused; pass `databaseCredentials` instead.
   */
  readonly databaseUri: string;
  /**
   * Secret whose JSON fields `username` and `password` reach the container as the ECS secrets
   * `DB_USERNAME` and `DB_PASSWORD`.
   * @default - no credentials are injected
   */
  readonly databaseCredentials?: secretsmanager.ISecret;
  /** @default - a new cluster named `names.cluster`, with Container Insights (enhanced) */
  readonly existingCluster?: ecs.ICluster;
  /** Merged over the defaults of the new cluster; not allowed with `existingCluster`. @default - none */
  readonly clusterProps?: Omit<ecs.ClusterProps, "vpc">;
  /**
   * Tasks kept running, at least 2 so one crash never leaves the service empty — for a service
   * without scaling. Each stack update resets the count to this value.
   * @default - none in the template: a stack update never resets the count the autoscaler or
   *   `/scale` set. CloudFormation starts a new service with 1 task and `PhoenixServiceScaling`
   *   (`minCapacity` ≥ 2) raises it to its minimum when it registers the scalable target.
   */
  readonly desiredCount?: number;
  /** Task CPU units. @default 1024 */
  readonly cpu?: number;
  /** Task memory; must be a size Fargate allows for `cpu`. @default 2048 */
  readonly memoryLimitMiB?: number;
  /**
   * `CERT_CONCURRENCY`: key pairs the app generates at once. The app's own default counts the
   * host's cores, which on Fargate need not match the task's CPU share.
   * @default - whole vCPUs of `cpu` minus one, at least 1
   */
  readonly certConcurrency?: number;
  /** Extra plain environment variables; the ones this construct sets are refused. @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * With a certificate the load balancer serves HTTPS on 443 (TLS 1.2 or later) and redirects
   * HTTP on 80 to it; without one it serves HTTP on 80.
   * @default - HTTP only
   */
  readonly certificate?: acm.ICertificate;
  /** Where the tasks run; they must span at least 2 Availability Zones. @default - private subnets with egress */
  readonly taskSubnets?: ec2.SubnetSelection;
  /** @default - an `AppLogGroup` named `names.logGroup` (7-day retention) */
  readonly existingLogGroup?: logs.ILogGroup;
  /** Merged over the defaults of the new `AppLogGroup`; not allowed with `existingLogGroup`. @default - none */
  readonly logGroupProps?: AppLogGroupProps;
  /** Bucket for the load balancer's access logs; must use SSE-S3. @default - a new bucket */
  readonly existingAccessLogsBucket?: s3.IBucket;
  /**
   * Merged over the new log bucket's defaults (7-day expiry, retained on stack deletion).
   * Encryption (SSE-S3, the only kind ELB log delivery accepts), SSL-only access, blocked public
   * access and bucket-owner object ownership are always applied.
   * @default - none
   */
  readonly accessLogsBucketProps?: s3.BucketProps;
  /** Load balancer deletion protection. @default false */
  readonly deletionProtection?: boolean;
  /**
   * CloudWatch alarms that fail (and roll back) a deployment, for example the names of the
   * 5xx and unhealthy-host alarms from `names.alarms`. Leave the CPU alarm out: `/generatecert`
   * peaks are expected.
   * @default - none; the deployment circuit breaker still rolls back tasks that fail to start
   */
  readonly deploymentAlarms?: ecs.DeploymentAlarmConfig;
}

/** The Phoenix web service: cluster, Fargate service, load balancer and their wiring. */
export class PhoenixService extends Construct implements ec2.IConnectable {
  public readonly cluster: ecs.ICluster;
  public readonly service: ecs.FargateService;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly container: ecs.ContainerDefinition;
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener that forwards to the tasks: HTTPS 443 with a certificate, else HTTP 80. */
  public readonly listener: elbv2.ApplicationListener;
  /** HTTP 80 → HTTPS 443; only with a certificate. */
  public readonly redirectListener: elbv2.ApplicationListener | undefined;
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  public readonly logGroup: logs.ILogGroup;
  public readonly accessLogsBucket: s3.IBucket;
  /** The tasks' security group; let the database admit it with `allowDefaultPortFrom(service)`. */
  public readonly connections: ec2.Connections;
  /** The containers' role, named `names.taskRole`. */
  public readonly taskRole: iam.IRole;
  /** The role ECS pulls the image and writes logs with, named `names.executionRole`. */
  public readonly executionRole: iam.IRole;
  /** The settings actually applied (see `worstCaseRolloutSeconds`). */
  public readonly rolloutSettings: RolloutSettings = PHOENIX_ROLLOUT_SETTINGS;

  constructor(scope: Construct, id: string, props: PhoenixServiceProps) {
    super(scope, id);
    const { names, vpc } = props;
    const size = taskSize(props.cpu ?? 1024, props.memoryLimitMiB ?? 2048);
    const desiredCount =
      props.desiredCount === undefined
        ? undefined
        : requireIntegerInRange(CONSTRUCT, "desiredCount", props.desiredCount, 2, 100);
    const taskSubnets = props.taskSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    requireMultipleZones(vpc, taskSubnets);
    requireExistingOrProps(CONSTRUCT, "existingCluster", props.existingCluster, "clusterProps", props.clusterProps);
    requireExistingOrProps(CONSTRUCT, "existingLogGroup", props.existingLogGroup, "logGroupProps", props.logGroupProps);
    requireExistingOrProps(
      CONSTRUCT,
      "existingAccessLogsBucket",
      props.existingAccessLogsBucket,
      "accessLogsBucketProps",
      props.accessLogsBucketProps,
    );
    const settings = this.rolloutSettings;

    this.cluster =
      props.existingCluster ??
      new ecs.Cluster(this, "Cluster", {
        clusterName: names.cluster,
        containerInsightsV2: ecs.ContainerInsights.ENHANCED,
        ...props.clusterProps,
        vpc,
      });

    this.logGroup =
      props.existingLogGroup ??
      new AppLogGroup(this, "Logs", { logGroupName: names.logGroup, ...props.logGroupProps }).logGroup;

    // Named (`names.taskRole`, `names.executionRole`), unlike CDK's default roles: the deployer
    // role may pass exactly these two, and a revision the bot registers names them by ARN.
    const tasksPrincipal = new iam.ServicePrincipal("ecs-tasks.amazonaws.com");
    this.taskRole = new iam.Role(this, "TaskRole", { roleName: names.taskRole, assumedBy: tasksPrincipal });
    this.executionRole = new iam.Role(this, "ExecutionRole", {
      roleName: names.executionRole,
      assumedBy: tasksPrincipal,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, "TaskDefinition", {
      family: names.service,
      cpu: size.cpu,
      memoryLimitMiB: size.memoryLimitMiB,
      taskRole: this.taskRole,
      executionRole: this.executionRole,
    });
    const probe = settings.containerHealthCheck;
    this.container = this.taskDefinition.addContainer(PHOENIX_APP.containerName, {
      image: props.image,
      essential: true,
      portMappings: [{ containerPort: PHOENIX_APP.containerPort, protocol: ecs.Protocol.TCP, name: "http" }],
      environment: appEnvironment(props, size.cpu),
      secrets: props.databaseCredentials ? databaseSecrets(props.databaseCredentials) : undefined,
      // The image ships its own probe (no curl in it); ECS ignores the Dockerfile HEALTHCHECK.
      healthCheck: probe && {
        command: ["CMD", "node", "dist/healthcheck.js"],
        interval: Duration.seconds(probe.intervalSeconds),
        timeout: Duration.seconds(probe.timeoutSeconds),
        retries: probe.retries,
        startPeriod: Duration.seconds(probe.startPeriodSeconds),
      },
      // Longer than the app's drain budget (PHOENIX_APP.shutdownTimeoutMs), or ECS kills it mid-drain.
      stopTimeout: Duration.seconds(settings.stopTimeoutSeconds),
      // The app writes nothing to disk: logs go to stdout, state to the database.
      readonlyRootFilesystem: true,
      user: "1000:1000",
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: PHOENIX_APP.logStreamPrefix,
        // A slow CloudWatch Logs must not block the app's stdout (and so its event loop).
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: "AwsSolutions-ECS2",
      reason:
        "Plain variables hold only non-secret settings (port, credential-free database URI, concurrency, drain time); the database credentials are ECS secrets from Secrets Manager.",
    });
    // Pulling any ECR image (our repository or a CDK image asset) starts with this call.
    Validations.of(this.executionRole).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "ecr:GetAuthorizationToken has no resource-level permissions; AWS requires Resource '*' for it. Image pulls themselves are scoped to the repository.",
    });

    this.accessLogsBucket = props.existingAccessLogsBucket ?? this.createAccessLogsBucket(props.accessLogsBucketProps);

    const loadBalancerSecurityGroup = new ec2.SecurityGroup(this, "LoadBalancerSecurityGroup", {
      vpc,
      description: "Phoenix load balancer: public web endpoint",
      // Egress is added to the tasks' port only, by the target registration below.
      allowAllOutbound: false,
    });
    Validations.of(loadBalancerSecurityGroup).acknowledge({
      id: "AwsSolutions-EC23",
      reason:
        "Public web endpoint: the load balancer must accept HTTP/HTTPS from any address; only 80 and 443 are open.",
    });
    const serviceSecurityGroup = new ec2.SecurityGroup(this, "ServiceSecurityGroup", {
      vpc,
      description: "Phoenix tasks: reachable only from the load balancer",
      // Tasks pull images, write logs, read secrets and reach the database.
      allowAllOutbound: true,
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, "LoadBalancer", {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: loadBalancerSecurityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection ?? false,
    });
    this.loadBalancer.logAccessLogs(this.accessLogsBucket, names.service);

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, "TargetGroup", {
      vpc,
      targetGroupName: names.targetGroup,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: PHOENIX_APP.containerPort,
      healthCheck: {
        path: PHOENIX_APP.healthCheckPath,
        healthyHttpCodes: "200",
        interval: Duration.seconds(settings.healthCheckIntervalSeconds),
        timeout: Duration.seconds(settings.healthCheckTimeoutSeconds),
        healthyThresholdCount: settings.healthyThresholdCount,
        unhealthyThresholdCount: settings.unhealthyThresholdCount,
      },
      // Requests last well under a second (`/generatecert` a few); 10 s drains them.
      deregistrationDelay: Duration.seconds(settings.deregistrationDelaySeconds),
      // A new task is ready at its first answer; ramping it up would only slow the rollout.
      slowStart: Duration.seconds(0),
      // A task busy generating keys answers slowly; send new requests to the less busy one.
      loadBalancingAlgorithmType: elbv2.TargetGroupLoadBalancingAlgorithmType.LEAST_OUTSTANDING_REQUESTS,
    });

    if (props.certificate) {
      this.listener = this.loadBalancer.addListener("Https", {
        protocol: elbv2.ApplicationProtocol.HTTPS,
        port: 443,
        certificates: [elbv2.ListenerCertificate.fromCertificateManager(props.certificate)],
        // ELBSecurityPolicy-TLS13-1-2-2021-06: TLS 1.2 and 1.3 only.
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open: true,
        defaultTargetGroups: [this.targetGroup],
      });
      this.redirectListener = this.loadBalancer.addRedirect({
        sourceProtocol: elbv2.ApplicationProtocol.HTTP,
        sourcePort: 80,
        targetProtocol: elbv2.ApplicationProtocol.HTTPS,
        targetPort: 443,
        open: true,
      });
    } else {
      this.listener = this.loadBalancer.addListener("Http", {
        protocol: elbv2.ApplicationProtocol.HTTP,
        port: 80,
        open: true,
        defaultTargetGroups: [this.targetGroup],
      });
      this.redirectListener = undefined;
    }

    this.service = new ecs.FargateService(this, "Service", {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      serviceName: names.service,
      // Left out unless given (the L2 writes no default): CloudFormation then never resets it.
      desiredCount,
      vpcSubnets: taskSubnets,
      securityGroups: [serviceSecurityGroup],
      assignPublicIp: false,
      availabilityZoneRebalancing: ecs.AvailabilityZoneRebalancing.ENABLED,
      // New tasks start before old ones stop: capacity never drops during a rollout.
      minHealthyPercent: settings.minHealthyPercent,
      maxHealthyPercent: settings.maxHealthyPercent,
      circuitBreaker: { enable: true, rollback: true },
      deploymentAlarms: props.deploymentAlarms,
      // Ignore failed load balancer checks while a task boots (the app is up within seconds).
      healthCheckGracePeriod: Duration.seconds(30),
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
    });
    // Registers the tasks and opens the tasks' port to the load balancer's security group only.
    this.targetGroup.addTarget(
      this.service.loadBalancerTarget({
        containerName: PHOENIX_APP.containerName,
        containerPort: PHOENIX_APP.containerPort,
      }),
    );
    this.connections = this.service.connections;
  }

  private createAccessLogsBucket(overrides: s3.BucketProps | undefined): s3.Bucket {
    const bucket = new s3.Bucket(this, "AccessLogsBucket", {
      lifecycleRules: [{ id: "expire-access-logs", expiration: Duration.days(7) }],
      ...overrides,
      // ELB log delivery writes only to SSE-S3 buckets, not SSE-KMS.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    });
    Validations.of(bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "This bucket only receives the load balancer's access logs; logging access to it would need yet another log bucket.",
    });
    return bucket;
  }
}

/** Task sizes Fargate accepts (Linux): memory choices per CPU value. */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: steps(1024, 4096, 1024),
  1024: steps(2048, 8192, 1024),
  2048: steps(4096, 16384, 1024),
  4096: steps(8192, 30720, 1024),
  8192: steps(16384, 61440, 4096),
  16384: steps(32768, 122880, 8192),
};

function steps(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, index) => from + index * step);
}

function taskSize(cpu: number, memoryLimitMiB: number): { cpu: number; memoryLimitMiB: number } {
  requireOneOf(CONSTRUCT, "cpu", cpu, Object.keys(FARGATE_MEMORY_BY_CPU).map(Number));
  requireOneOf(CONSTRUCT, `memoryLimitMiB (for cpu ${cpu})`, memoryLimitMiB, FARGATE_MEMORY_BY_CPU[cpu] ?? []);
  return { cpu, memoryLimitMiB };
}

/** One crash must not take the service down with it: the tasks need two zones at least. */
function requireMultipleZones(vpc: ec2.IVpc, subnets: ec2.SubnetSelection): void {
  const zones = new Set(vpc.selectSubnets(subnets).availabilityZones).size;
  if (zones < 2) {
    throw new PropValidationError(
      `${CONSTRUCT}: taskSubnets must span at least 2 Availability Zones so tasks survive a zone failure, got ${zones}`,
    );
  }
}

const CREDENTIALS_IN_URI = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i;

function appEnvironment(props: PhoenixServiceProps, cpu: number): Record<string, string> {
  if (CREDENTIALS_IN_URI.test(props.databaseUri)) {
    throw new PropValidationError(
      `${CONSTRUCT}: databaseUri must not contain credentials (user:password@); pass them as databaseCredentials so they reach the task as secrets`,
    );
  }
  const defaultConcurrency = Math.max(1, Math.floor(cpu / 1024) - 1);
  const certConcurrency = requireIntegerInRange(
    CONSTRUCT,
    "certConcurrency",
    props.certConcurrency ?? defaultConcurrency,
    1,
    64,
  );
  const owned: Record<string, string> = {
    [PHOENIX_APP.env.port]: String(PHOENIX_APP.containerPort),
    [PHOENIX_APP.env.databaseUrl]: props.databaseUri,
    [PHOENIX_APP.env.certificateConcurrency]: String(certConcurrency),
    [PHOENIX_APP.env.shutdownTimeoutMs]: String(PHOENIX_APP.shutdownTimeoutMs),
  };
  const reserved = [...Object.keys(owned), PHOENIX_APP.env.databaseUsername, PHOENIX_APP.env.databasePassword];
  for (const name of Object.keys(props.environment ?? {})) {
    if (reserved.includes(name)) {
      throw new PropValidationError(
        `${CONSTRUCT}: environment.${name} is set by the construct; use its prop (databaseUri, databaseCredentials, certConcurrency) instead`,
      );
    }
  }
  return { ...props.environment, ...owned };
}

/** The credentials reach the container as ECS secrets from Secrets Manager, never as plain environment. */
function databaseSecrets(secret: secretsmanager.ISecret): Record<string, ecs.Secret> {
  return {
    [PHOENIX_APP.env.databaseUsername]: ecs.Secret.fromSecretsManager(secret, "username"),
    [PHOENIX_APP.env.databasePassword]: ecs.Secret.fromSecretsManager(secret, "password"),
  };
}
