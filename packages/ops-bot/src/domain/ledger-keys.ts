import type { LedgerEntryKind } from "../ports/ledger.js";
import type { RepositoryRef } from "../ports/repository-gateway.js";

/**
 * Every key the bot writes to its Ledger, in one place: two features can only share a key by
 * writing it here, where the clash shows. Each key is listed with the kind of entry it names
 * (claims, locks, counters and records live in separate namespaces of the Ledger), and the
 * strings never change: a deployed bot reads what its previous version wrote.
 */
export const LEDGER_KEY_PREFIXES = {
  // Delivery keys: the idempotency key of one input, handed to `handleOnce`.
  snsMessage: { kind: "delivery", prefix: "sns:" },
  eventBridgeEvent: { kind: "delivery", prefix: "eventbridge:" },
  ecsTaskEvent: { kind: "delivery", prefix: "ecs-task:" },
  githubDelivery: { kind: "delivery", prefix: "github-delivery:" },
  // handleOnce: a delivery done, and the lock of a delivery being worked on.
  delivered: { kind: "record", prefix: "delivered:" },
  deliveryInProgress: { kind: "lock", prefix: "delivery:" },
  // Alarm issues, per alarm fingerprint.
  alarmCount: { kind: "counter", prefix: "alarm-count:" },
  alarmIssueLock: { kind: "lock", prefix: "alarm-issue:" },
  alarmIssue: { kind: "record", prefix: "alarm-issue:" },
  alarmFolded: { kind: "counter", prefix: "folded:alarm:" },
  // Crash issues, per crash fingerprint.
  crashIssueLock: { kind: "lock", prefix: "crash-issue:" },
  crashIssue: { kind: "record", prefix: "crash-issue:" },
  // Storm control: new issues per family and window.
  newIssues: { kind: "counter", prefix: "new-issues:" },
  // Deploys, per repository and environment, and the pointers from build and rollout ids.
  deployLock: { kind: "lock", prefix: "deploy/" },
  deployInFlight: { kind: "record", prefix: "deploy-in-flight/" },
  deployStarted: { kind: "claim", prefix: "deploy-started/" },
  deployFinished: { kind: "claim", prefix: "deploy-finished/" },
  deployByBuild: { kind: "record", prefix: "deploy-build/" },
  deployByRollout: { kind: "record", prefix: "deploy-rollout/" },
  // Enforced deployment order: what succeeded where, per image digest and per commit.
  imageSucceeded: { kind: "record", prefix: "image-succeeded/" },
  commitSucceeded: { kind: "record", prefix: "commit-succeeded/" },
} as const satisfies Record<string, { kind: LedgerEntryKind | "delivery"; prefix: string }>;

const key = (name: keyof typeof LEDGER_KEY_PREFIXES, rest: string) => `${LEDGER_KEY_PREFIXES[name].prefix}${rest}`;
const where = (repository: RepositoryRef, environment: string) =>
  `${repository.owner}/${repository.repo}/${environment}`;

export const ledgerKeys = {
  /** An SNS message: SNS retries resend the original MessageId. */
  snsMessage: (messageId: string) => key("snsMessage", messageId),
  /** An EventBridge event: EventBridge retries deliver the same event id. */
  eventBridgeEvent: (eventId: string) => key("eventBridgeEvent", eventId),
  /**
   * A task state change. ECS may emit the same change more than once, under different event
   * ids; duplicates carry the same task `version`, so task ARN and version identify the change.
   */
  ecsTaskEvent: (taskArn: string, version: number) => key("ecsTaskEvent", `${taskArn}@${version}`),
  /** A GitHub webhook: a redelivery carries the same X-GitHub-Delivery id. */
  githubDelivery: (deliveryId: string) => key("githubDelivery", deliveryId),
  delivered: (deliveryKey: string) => key("delivered", deliveryKey),
  deliveryInProgress: (deliveryKey: string) => key("deliveryInProgress", deliveryKey),
  alarmCount: (fingerprint: string) => key("alarmCount", fingerprint),
  alarmIssueLock: (fingerprint: string) => key("alarmIssueLock", fingerprint),
  alarmIssue: (fingerprint: string) => key("alarmIssue", fingerprint),
  alarmFolded: (fingerprint: string) => key("alarmFolded", fingerprint),
  crashIssueLock: (fingerprint: string) => key("crashIssueLock", fingerprint),
  crashIssue: (fingerprint: string) => key("crashIssue", fingerprint),
  newIssues: (family: string, window: number) => key("newIssues", `${family}:${window}`),
  /** The environment's deploy lock; a deploy's id is its owner. */
  deployLock: (repository: RepositoryRef, environment: string) => key("deployLock", where(repository, environment)),
  deployInFlight: (repository: RepositoryRef, environment: string) =>
    key("deployInFlight", where(repository, environment)),
  deployStarted: (deployId: string) => key("deployStarted", deployId),
  deployFinished: (deployId: string) => key("deployFinished", deployId),
  deployByBuild: (buildId: string) => key("deployByBuild", buildId),
  deployByRollout: (ecsDeploymentId: string) => key("deployByRollout", ecsDeploymentId),
  /** The image `digest` completed a deployment in the environment (read by `after:` environments). */
  imageSucceeded: (repository: RepositoryRef, environment: string, digest: string) =>
    key("imageSucceeded", `${where(repository, environment)}/${digest}`),
  /** The last image of commit `sha` that completed a deployment in the environment. */
  commitSucceeded: (repository: RepositoryRef, environment: string, sha: string) =>
    key("commitSucceeded", `${where(repository, environment)}/${sha}`),
} as const;
