/**
 * What deploys and PR commands need from one GitHub repository: the port they act through.
 * The production adapter is `createOctokitRepositoryGateway`; tests inject doubles or point
 * Octokit at the OpenAPI-checked stand-in.
 */
export interface RepositoryGateway {
  readonly repository: RepositoryRef;

  /** The collaborator's effective permission on the repository. */
  permission(login: string): Promise<RepositoryPermission>;
  isTeamMember(org: string, teamSlug: string, login: string): Promise<boolean>;

  pullRequest(number: number): Promise<PullRequestSnapshot>;
  /** Logins whose latest review of the pull request is an approval. */
  approvers(number: number): Promise<readonly string[]>;
  /** Names of the check runs and commit statuses that concluded successfully on `sha`. */
  successfulChecks(sha: string): Promise<readonly string[]>;
  /** When the commit was committed (GitHub's committer date). */
  commitDate(sha: string): Promise<Date>;

  react(commentId: number, content: "eyes" | "rocket" | "confused"): Promise<void>;
  comment(issueNumber: number, body: string): Promise<number>;
  updateComment(commentId: number, body: string): Promise<void>;

  createDeployment(deployment: NewDeployment): Promise<number>;
  setDeploymentStatus(deploymentId: number, status: DeploymentStatusUpdate): Promise<void>;
  /**
   * The newest recent deployment to `environment` that succeeded (since superseded or not) and
   * satisfies `wanted`; looks no further than needed (each candidate costs a status request).
   */
  findSuccessfulDeployment(
    environment: string,
    wanted?: (deployment: RecordedDeployment) => boolean,
  ): Promise<RecordedDeployment | undefined>;
}

export interface RepositoryRef {
  readonly owner: string;
  readonly repo: string;
}

export type RepositoryPermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export interface PullRequestSnapshot {
  readonly number: number;
  readonly state: "open" | "closed";
  readonly merged: boolean;
  readonly headSha: string;
  readonly headRef: string;
  /** `owner/name` of the head repository; differs from the base for forks (absent if deleted). */
  readonly headRepository: string | undefined;
  readonly baseRepository: string;
}

/** What rollback and crash issues rely on: the record of exactly what was deployed. */
export interface DeploymentPayload {
  readonly [key: string]: string | number | undefined;
  readonly sha: string;
  readonly imageDigest: string;
  readonly imageUri: string;
  readonly taskDefinitionArn: string;
  readonly environment: string;
  readonly trigger: string;
  readonly rollbackOf?: number;
}

export interface NewDeployment {
  readonly sha: string;
  readonly environment: string;
  readonly description: string;
  readonly payload: DeploymentPayload;
  readonly productionEnvironment: boolean;
}

export interface DeploymentStatusUpdate {
  readonly state: "queued" | "in_progress" | "success" | "failure" | "error";
  readonly description: string;
  readonly logUrl?: string;
  readonly environmentUrl?: string;
}

export interface RecordedDeployment {
  readonly id: number;
  readonly sha: string;
  readonly payload: DeploymentPayload;
}
