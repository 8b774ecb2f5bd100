/** Alarms that notify an SNS topic, and the encrypted topic only those alarms may publish to. */
import { ArnFormat, Stack } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";

/** The ARN an alarm of this name will have, known before the alarm exists. */
export function alarmArn(scope: Construct, alarmName: string): string {
  return Stack.of(scope).formatArn({
    service: "cloudwatch",
    resource: "alarm",
    resourceName: alarmName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * An SNS topic encrypted with its own customer-managed key, to which CloudWatch may publish for
 * the named alarms only (key policy and topic policy alike). Created in `scope` as `TopicKey`
 * and `Topic`.
 */
export function encryptedAlarmTopic(
  scope: Construct,
  topicName: string,
  alarmNames: readonly string[],
): { topic: sns.Topic; key: kms.Key } {
  const alarmArns = alarmNames.map((name) => alarmArn(scope, name));
  const fromTheseAlarms = {
    StringEquals: { "aws:SourceAccount": Stack.of(scope).account },
    ArnLike: { "aws:SourceArn": alarmArns },
  };
  // CloudWatch can publish to an encrypted topic only if the key lets it.
  const key = new kms.Key(scope, "TopicKey", {
    description: `Encrypts the ${topicName} SNS topic`,
    enableKeyRotation: true,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "AllowCloudWatchAlarmsToUseTheKey",
      principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      // In a key policy "*" means this key.
      resources: ["*"],
      conditions: fromTheseAlarms,
    }),
  );
  const topic = new sns.Topic(scope, "Topic", {
    topicName,
    masterKey: key,
    // Publishing and subscribing over plain HTTP is denied.
    enforceSSL: true,
    // SHA256 signatures, which the bot's HTTPS endpoint verifies.
    signatureVersion: "2",
  });
  // A topic policy replaces SNS's default one, so CloudWatch must be allowed explicitly.
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "AllowCloudWatchAlarmsToPublish",
      principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ["sns:Publish"],
      resources: [topic.topicArn],
      conditions: fromTheseAlarms,
    }),
  );
  return { topic, key };
}

/**
 * An alarm on one datapoint of its metric at or above the threshold, which notifies the topic on
 * ALARM and again on OK (the bot closes its issue; people see the recovery). No data (an idle
 * service or bot) is not a problem.
 */
export function notifyingAlarm(
  scope: Construct,
  id: string,
  topic: sns.ITopic,
  props: Pick<cloudwatch.AlarmProps, "alarmName" | "alarmDescription" | "metric" | "threshold">,
): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    ...props,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const notify = new actions.SnsAction(topic);
  alarm.addAlarmAction(notify);
  alarm.addOkAction(notify);
  return alarm;
}
