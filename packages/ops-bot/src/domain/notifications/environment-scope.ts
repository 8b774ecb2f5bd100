import { resourceNames } from "@phoenix/shared";
import type { IssueTracker } from "../../ports/issue-tracker.js";
import type { LogReader } from "../../ports/log-reader.js";
import type { MetricReader } from "../../ports/metric-reader.js";
import type { RepositoryRef } from "../../ports/repository-gateway.js";
import type { ServiceTarget } from "../../ports/service-target.js";
import { serviceTarget } from "../delivery/service-target.js";
import type { EventLabels } from "../events/environment-labels.js";
import {
  type EnvironmentConfig,
  environmentNamed,
  OPS_CONFIG_PATH,
  type OpsConfig,
} from "../ops-config/ops-config-schema.js";
import { parseOpsConfig } from "../ops-config/parse-ops-config.js";
import { environmentOfAlarm } from "./alarm-kind.js";

/** Where one environment's log lines are: its log group, read in its account and region. */
export interface LogSource {
  readonly target: ServiceTarget;
  readonly logGroup: string;
}

/** A repository's `.github/phoenix-ops.yml` as read from GitHub. */
export type OpsConfigFile =
  | { readonly kind: "absent" }
  /** There, but not YAML (or a directory): `why` is for the log. */
  | { readonly kind: "unreadable"; readonly why: string }
  /** YAML-parsed, not yet validated. */
  | { readonly kind: "file"; readonly content: unknown };

/** What the scopes are made of; the wiring gives the production adapters. */
export interface EnvironmentScopeSources {
  /** Throws only when GitHub cannot be asked, so the delivery is retried. */
  readonly opsConfig: (repository: RepositoryRef) => Promise<OpsConfigFile>;
  readonly issues: (repository: RepositoryRef) => IssueTracker;
  /** Reads through the environment's deployer role (`target.roleArn`) when it has one. */
  readonly logs: (source: LogSource) => LogReader;
  /** As `logs`: the environment's metrics, in its account and region. */
  readonly metrics: (target: ServiceTarget) => MetricReader;
}

/** One environment of one repository, as an alarm or crash issue needs it. */
export interface EnvironmentScope {
  readonly repository: RepositoryRef;
  /** The ops config's `app`: with the environment's name, it names the AWS resources. */
  readonly app: string;
  readonly environment: EnvironmentConfig;
  /** The repository's issues. */
  readonly issues: IssueTracker;
  /** The environment's log group. */
  readonly logs: LogReader;
  readonly metrics: MetricReader;
}

export type ScopeLookup =
  | { readonly found: true; readonly scope: EnvironmentScope }
  /** `why` is for the log: the event is ignored, never retried (the config will not change by retrying). */
  | { readonly found: false; readonly why: string };

/**
 * Finds the environment an event concerns in its repository's ops config: by its labels, or
 * (alarm messages without labels) by the alarm's name. An environment the config does not
 * define, like a missing or invalid config, is no error: the event is ignored.
 */
export class EnvironmentScopes {
  constructor(private readonly sources: EnvironmentScopeSources) {}

  async forLabels(labels: EventLabels): Promise<ScopeLookup> {
    const read = await this.config(labels.repository);
    if (!read.ok) return { found: false, why: read.why };
    const environment = environmentNamed(read.config, labels.environment);
    if (!environment) {
      return { found: false, why: `${OPS_CONFIG_PATH} defines no environment "${labels.environment}"` };
    }
    return { found: true, scope: this.scope(labels.repository, read.config, environment) };
  }

  /** The environment whose `resourceNames` alarms include `alarmName` exactly. */
  async forAlarmName(repository: RepositoryRef, alarmName: string): Promise<ScopeLookup> {
    const read = await this.config(repository);
    if (!read.ok) return { found: false, why: read.why };
    const { config } = read;
    const name = environmentOfAlarm(alarmName, config.app, Object.keys(config.environments));
    const environment = name === undefined ? undefined : environmentNamed(config, name);
    if (!environment) return { found: false, why: `no environment of ${OPS_CONFIG_PATH} names this alarm` };
    return { found: true, scope: this.scope(repository, config, environment) };
  }

  private async config(
    repository: RepositoryRef,
  ): Promise<{ ok: true; config: OpsConfig } | { ok: false; why: string }> {
    const file = await this.sources.opsConfig(repository);
    if (file.kind === "absent") return { ok: false, why: `the repository has no ${OPS_CONFIG_PATH}` };
    if (file.kind === "unreadable") return { ok: false, why: `${OPS_CONFIG_PATH} cannot be read: ${file.why}` };
    const parsed = parseOpsConfig(file.content);
    return parsed.ok ? parsed : { ok: false, why: `${OPS_CONFIG_PATH} is invalid` };
  }

  private scope(repository: RepositoryRef, config: OpsConfig, environment: EnvironmentConfig): EnvironmentScope {
    const target = serviceTarget(environment);
    const { logGroup } = resourceNames({ app: config.app, environment: environment.name });
    return {
      repository,
      app: config.app,
      environment,
      issues: this.sources.issues(repository),
      logs: this.sources.logs({ target, logGroup }),
      metrics: this.sources.metrics(target),
    };
  }
}
