import { availableParallelism } from "node:os";
import { ConnectionString } from "mongodb-connection-string-url";
import { z } from "zod";

/** Everything the app reads from its environment, validated once at start-up. */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  /** `undefined` means request logs go to stdout only. */
  readonly database: DatabaseConfig | undefined;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  readonly certificates: CertificateLimits;
  /**
   * How long SIGTERM waits for in-flight requests and the log flush before exiting; below
   * Docker's 10 s default grace period so the exit stays ours.
   */
  readonly shutdownTimeoutMs: number;
}

export interface DatabaseConfig {
  readonly url: string;
  /**
   * Credentials given apart from the URI (DB_USERNAME / DB_PASSWORD). In AWS they come from
   * the rotating Secrets Manager secret, so the URI itself holds no secret.
   */
  readonly credentials: { readonly username: string; readonly password: string } | undefined;
  /** Database named in the URI path, or `phoenix`. */
  readonly databaseName: string;
  readonly collectionName: "logs";
  /** Request logs held in memory while the database is slow or away; the oldest go first. */
  readonly bufferLimit: number;
}

export interface CertificateLimits {
  /** Key pairs generated at once. Each one occupies a core for ~130 ms. */
  readonly concurrency: number;
  /** Requests allowed to wait for a slot; beyond that the endpoint answers 503. */
  readonly queueLimit: number;
  /** Longest a queued request waits before it is shed with 503. */
  readonly queueTimeoutMs: number;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const integer = (min: number, max: number) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(z.number().int().min(min).max(max));

/** One core is left to the event loop so `/` and `/health` keep answering. */
const defaultCertConcurrency = () => Math.max(1, availableParallelism() - 1);

const environmentSchema = z.object({
  PORT: integer(0, 65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DB_CONNECTION_STRING: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  CERT_CONCURRENCY: integer(1, 64).optional(),
  CERT_QUEUE_LIMIT: integer(0, 10_000).optional(),
  CERT_QUEUE_TIMEOUT_MS: integer(1, 600_000).default(5_000),
  SHUTDOWN_TIMEOUT_MS: integer(100, 600_000).default(8_000),
  REQUEST_LOG_BUFFER_LIMIT: integer(1, 1_000_000).default(10_000),
  DB_USERNAME: z.string().min(1).optional(),
  DB_PASSWORD: z.string().min(1).optional(),
});

/** Parses the environment, or throws a `ConfigError` whose message is one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`);
    throw new ConfigError(`config: ${problems.join("; ")}`);
  }
  const vars = parsed.data;
  const concurrency = vars.CERT_CONCURRENCY ?? defaultCertConcurrency();
  return {
    port: vars.PORT,
    host: vars.HOST,
    database: vars.DB_CONNECTION_STRING
      ? parseDatabaseUrl(vars.DB_CONNECTION_STRING, vars.REQUEST_LOG_BUFFER_LIMIT, credentialsFrom(vars))
      : undefined,
    logLevel: vars.LOG_LEVEL,
    certificates: {
      concurrency,
      queueLimit: vars.CERT_QUEUE_LIMIT ?? concurrency * 4,
      queueTimeoutMs: vars.CERT_QUEUE_TIMEOUT_MS,
    },
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
  };
}

function credentialsFrom(vars: { DB_USERNAME?: string; DB_PASSWORD?: string }): DatabaseConfig["credentials"] {
  if (vars.DB_USERNAME === undefined && vars.DB_PASSWORD === undefined) return undefined;
  if (vars.DB_USERNAME === undefined || vars.DB_PASSWORD === undefined) {
    throw new ConfigError("config: DB_USERNAME and DB_PASSWORD must be set together");
  }
  return { username: vars.DB_USERNAME, password: vars.DB_PASSWORD };
}

function parseDatabaseUrl(
  url: string,
  bufferLimit: number,
  credentials: DatabaseConfig["credentials"],
): DatabaseConfig {
  let parsed: ConnectionString;
  try {
    parsed = new ConnectionString(url);
  } catch (error) {
    // The parser's message may echo the URI; never repeat credentials.
    const reason = error instanceof Error ? error.message.replace(url, "<uri>") : "unparseable";
    throw new ConfigError(`config: DB_CONNECTION_STRING is not a valid MongoDB URI (${reason})`);
  }
  const databaseName = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "phoenix";
  if (credentials && parsed.username) {
    throw new ConfigError(
      "config: give database credentials either in DB_CONNECTION_STRING or in DB_USERNAME/DB_PASSWORD, not both",
    );
  }
  return { url, databaseName, collectionName: "logs", bufferLimit, credentials };
}
