export { type ArnParts, parseArn } from "./arn.js";
export {
  type ClassifyStoppedTaskOptions,
  classifyStoppedTask,
  type NotACrashWhy,
  type StoppedTaskClassification,
  type StoppedTaskKind,
} from "./classify-stopped-task.js";
export {
  ALARM_STATES,
  type AlarmMetric,
  type AlarmState,
  type AlarmStateChange,
  type AlarmStateChangeEvent,
  alarmStateChangeEventSchema,
  CLOUDWATCH_ALARM_EVENT,
  COMPARISON_OPERATORS,
  type ComparisonOperator,
  parseAlarmStateChangeEvent,
  parseSnsAlarmMessage,
  type SnsAlarmMessage,
  snsAlarmMessageSchema,
  snsAlarmTriggerSchema,
} from "./cloudwatch-alarm.js";
export {
  CODEBUILD_BUILD_STATUSES,
  type CodeBuildBuildDetail,
  type CodeBuildBuildStateChange,
  type CodeBuildBuildStatus,
  codeBuildAdditionalInformationSchema,
  codeBuildBuildDetailSchema,
  codeBuildBuildStateChangeSchema,
  exportedVariablesOf,
  parseCodeBuildBuildStateChange,
} from "./codebuild-build-state-change.js";
export {
  deploymentServiceArn,
  ECS_DEPLOYMENT_EVENT_NAMES,
  type EcsDeploymentDetail,
  type EcsDeploymentEventName,
  type EcsDeploymentStateChange,
  ecsDeploymentDetailSchema,
  ecsDeploymentStateChangeSchema,
  parseEcsDeploymentStateChange,
} from "./ecs-deployment-state-change.js";
export {
  ECS_TASK_STATUSES,
  ECS_TASK_STOP_CODES,
  type EcsContainer,
  type EcsTaskDetail,
  type EcsTaskStateChange,
  type EcsTaskStatus,
  type EcsTaskStopCode,
  ecsContainerSchema,
  ecsTaskDetailSchema,
  ecsTaskStateChangeSchema,
  parseEcsTaskStateChange,
  serviceNameOf,
} from "./ecs-task-state-change.js";
export {
  type EventBridgeEnvelope,
  eventBridgeEnvelopeFields,
  eventBridgeEnvelopeSchema,
  eventBridgeEventSchema,
} from "./eventbridge-envelope.js";
export {
  type AlarmIdentity,
  alarmFingerprint,
  type CrashIdentity,
  crashFingerprint,
  InvalidAlarmArnError,
  normalizeErrorLine,
} from "./fingerprints.js";
export { eventBridgeEventKey, LEDGER_KEY_PREFIXES, snsMessageKey, taskEventKey } from "./ledger-keys.js";
export { type EventIssue, EventParseError } from "./parse-error.js";
export {
  parseSnsHttpMessage,
  SNS_MESSAGE_TYPES,
  SNS_OPTIONAL_SIGNED_FIELDS,
  SNS_SIGNED_FIELDS,
  type SnsHttpMessage,
  type SnsMessageType,
  type SnsNotification,
  type SnsSubscriptionConfirmation,
  type SnsUnsubscribeConfirmation,
  snsHttpMessageSchema,
  snsNotificationSchema,
  snsSubscriptionConfirmationSchema,
  snsUnsubscribeConfirmationSchema,
} from "./sns-envelope.js";
