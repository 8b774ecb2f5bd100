/**
 * What the platform needs to know about the Phoenix app's container. The app's own tests
 * check these against its real behaviour, so the infrastructure cannot drift from it.
 */
export const PHOENIX_APP = {
  containerPort: 3000,
  /** The app's container in the task definition: the bot's deployer replaces this container's image. */
  containerName: "app",
  /** awslogs stream prefix: the bot's log reader finds a task's logs at `<prefix>/<container>/<task id>`. */
  logStreamPrefix: "phoenix",
  /** Liveness: 200 whenever the process can answer, whatever the database does. */
  healthCheckPath: "/health",
  /** Logged at error level by `GET /crash` just before the process exits non-zero. */
  crashLogLine: "Requested crash by endpoint /crash",
  env: {
    port: "PORT",
    /** Credential-free URI; credentials come as the two secrets below. */
    databaseUrl: "DB_CONNECTION_STRING",
    databaseUsername: "DB_USERNAME",
    databasePassword: "DB_PASSWORD",
    certificateConcurrency: "CERT_CONCURRENCY",
    shutdownTimeoutMs: "SHUTDOWN_TIMEOUT_MS",
  },
  /** Where the image keeps the Amazon RDS/DocumentDB CA bundle the URI's `tlsCAFile` names. */
  documentDbCaBundlePath: "/app/certs/global-bundle.pem",
  /** The app drains and exits within this after SIGTERM; the task's stop timeout must exceed it. */
  shutdownTimeoutMs: 8_000,
} as const;
