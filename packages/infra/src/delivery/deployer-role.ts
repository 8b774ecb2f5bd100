import { type DeploymentIdentity, resourceNames } from "@phoenix/shared";
import { ArnFormat, Stack, Token } from "aws-cdk-lib";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { acknowledgeWildcardResource } from "../validation/nag-acknowledgement.js";
import { PropValidationError } from "../validation/prop-validation.js";

/**
 * Actions the deployer role is granted on Resource "*" because AWS authorizes them on no
 * narrower resource (Service Authorization Reference: no resource type for these actions).
 */
export const DEPLOYER_WILDCARD_ACTIONS = [
  "ecs:DescribeTaskDefinition",
  "ecs:RegisterTaskDefinition",
  "cloudwatch:GetMetricData",
  "application-autoscaling:DescribeScalableTargets",
  "application-autoscaling:DescribeScalingActivities",
  "application-autoscaling:DescribeScalingPolicies",
  "application-autoscaling:DescribeScheduledActions",
] as const;

/** Scaling changes the bot makes with `/scale`; all take a scalable-target ARN. */
const SCALING_WRITE_ACTIONS = [
  "application-autoscaling:RegisterScalableTarget",
  "application-autoscaling:PutScheduledAction",
  "application-autoscaling:DeleteScheduledAction",
];

const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

export interface DeployerRoleProps {
  /** The environment; the role is named `resourceNames(identity).deployerRole`. */
  readonly identity: DeploymentIdentity;
  /**
   * The one role that may assume this one: the ops bot's (`arn:<partition>:iam::<opsAccount>:role/<botRole>`).
   * It must exist when this role is created: IAM refuses a trust policy naming a missing role.
   */
  readonly trustedRoleArn: string;
  /** The cluster the app runs in; the bot may describe its tasks. */
  readonly cluster: ecs.ICluster;
  /** The app's service; the bot may describe and update it. */
  readonly service: ecs.IBaseService;
  /** The app's container log group; the bot reads crash logs from it. */
  readonly appLogGroup: logs.ILogGroup;
  /**
   * ARN of the service's Application Auto Scaling scalable target, which `/scale` changes.
   * @default - any ECS `DesiredCount` scalable target of this account and region: scalable-target
   *   ARNs carry a generated id, and CloudFormation returns no ARN for a scalable target (its
   *   `AWS::ApplicationAutoScaling::ScalableTarget` has only the `Id` attribute), so no narrower
   *   resource exists at synth time
   */
  readonly scalableTargetArn?: string;
  /**
   * Name of the SSM parameter holding the image the bot last deployed (`resourceNames(identity).liveImageParameter`);
   * the bot reads it and writes it after each successful deploy.
   */
  readonly liveImageParameterName: string;
}

/**
 * The role the ops bot assumes to act on one environment, in the environment's account: it
 * trusts only the bot's role, and allows exactly what the bot does here — register revisions of
 * this family, update this service, read its logs and metrics, move its scaling bounds, pass
 * its two task roles (`resourceNames(identity).taskRole` and `.executionRole`, the names
 * `PhoenixService` gives them), and record the live image.
 */
export class DeployerRole extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DeployerRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const names = resourceNames(props.identity);
    // A token (the partition, a reference) is checked by IAM at deploy time; a literal here.
    if (!Token.isUnresolved(props.trustedRoleArn) && !ROLE_ARN.test(props.trustedRoleArn)) {
      throw new PropValidationError(
        `DeployerRole: trustedRoleArn must be an IAM role ARN, got "${props.trustedRoleArn}"`,
      );
    }
    if (!props.liveImageParameterName.startsWith("/")) {
      throw new PropValidationError(
        `DeployerRole: liveImageParameterName must be a path starting with "/", got "${props.liveImageParameterName}"`,
      );
    }

    this.role = new iam.Role(this, "Role", {
      roleName: names.deployerRole,
      assumedBy: new iam.ArnPrincipal(props.trustedRoleArn),
      description: `Assumed by the Phoenix ops bot to deploy, scale and read ${names.service}`,
    });
    const allow = (actions: string[], resources: string[], conditions?: Record<string, Record<string, unknown>>) =>
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources, conditions }));

    // Deploy: register a task definition revision, point the service at it, follow the rollout.
    allow(["ecs:DescribeServices", "ecs:UpdateService"], [props.service.serviceArn]);
    allow(["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"], ["*"]);
    // The task definition's two roles, by the names PhoenixService gives them: the only roles a
    // revision may carry, so a revision cannot run the app under some other role of the account.
    const roleArn = (roleName: string) =>
      stack.formatArn({ service: "iam", region: "", resource: "role", resourceName: roleName });
    allow(["iam:PassRole"], [roleArn(names.taskRole), roleArn(names.executionRole)], {
      StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
    });
    const clusterTasks = stack.formatArn({
      service: "ecs",
      resource: "task",
      resourceName: `${props.cluster.clusterName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    allow(["ecs:DescribeTasks"], [clusterTasks]);
    // A revision keeps the running one's tags: tagging on create needs TagResource, only then.
    const familyRevisions = stack.formatArn({
      service: "ecs",
      resource: "task-definition",
      resourceName: `${names.service}:*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    allow(["ecs:TagResource"], [familyRevisions], { StringEquals: { "ecs:CreateAction": "RegisterTaskDefinition" } });

    // Crash reports and alarm issues: the app's log lines and metrics.
    allow(["logs:GetLogEvents", "logs:FilterLogEvents"], [props.appLogGroup.logGroupArn]);
    allow(["cloudwatch:GetMetricData"], ["*"]);

    // /scale: Describe* have no resource type; the changes take the scalable target's ARN.
    allow(
      [
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:DescribeScalingActivities",
        "application-autoscaling:DescribeScalingPolicies",
        "application-autoscaling:DescribeScheduledActions",
      ],
      ["*"],
    );
    const anyEcsScalableTarget = stack.formatArn({
      service: "application-autoscaling",
      resource: "scalable-target",
      resourceName: "*",
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    allow(
      SCALING_WRITE_ACTIONS,
      [props.scalableTargetArn ?? anyEcsScalableTarget],
      props.scalableTargetArn
        ? undefined
        : {
            StringEquals: {
              "application-autoscaling:service-namespace": "ecs",
              "application-autoscaling:scalable-dimension": "ecs:service:DesiredCount",
            },
          },
    );

    // The bot owns the running image: it records each successful deploy here, and the task
    // definition reads it back on every `cdk deploy`.
    allow(
      ["ssm:GetParameter", "ssm:PutParameter"],
      [
        stack.formatArn({
          service: "ssm",
          resource: "parameter",
          resourceName: props.liveImageParameterName.slice(1),
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
      ],
    );

    acknowledgeWildcardResource(
      this.role,
      "*",
      `AWS authorizes these actions only on Resource '*' (no resource type in the Service Authorization Reference): ${DEPLOYER_WILDCARD_ACTIONS.join(", ")}. Every other statement names this environment's resources.`,
    );
    acknowledgeWildcardResource(
      this.role,
      familyRevisions,
      "ecs:TagResource on this service's task-definition family only, and only while registering a revision: the revision number is assigned by ECS.",
    );
    acknowledgeWildcardResource(
      this.role,
      clusterTasks,
      "ecs:DescribeTasks on the tasks of this environment's cluster only: task ARNs carry a generated id.",
    );
    if (!props.scalableTargetArn) {
      acknowledgeWildcardResource(
        this.role,
        anyEcsScalableTarget,
        "Scalable-target ARNs carry a generated id and CloudFormation returns none; narrowed by condition to ECS service DesiredCount targets. Pass scalableTargetArn to name the one target.",
      );
    }
  }
}
