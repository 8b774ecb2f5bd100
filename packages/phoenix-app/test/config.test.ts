import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("configuration from the environment", () => {
  it("applies documented defaults when only the database is given", () => {
    const config = loadConfig({ DB_CONNECTION_STRING: "mongodb://db.internal:27017/" });
    expect(config.port).toBe(3000);
    expect(config.database).toMatchObject({ databaseName: "phoenix", collectionName: "logs", bufferLimit: 10_000 });
    expect(config.certificates.concurrency).toBeGreaterThanOrEqual(1);
    expect(config.certificates.queueLimit).toBe(config.certificates.concurrency * 4);
  });

  it("takes the database name from the URI path", () => {
    const config = loadConfig({ DB_CONNECTION_STRING: "mongodb://db.internal:27017/requests?retryWrites=false" });
    expect(config.database?.databaseName).toBe("requests");
  });

  // Connection string shape from the Amazon DocumentDB developer guide ("Connecting programmatically").
  it("accepts a DocumentDB URI with TLS options", () => {
    const uri =
      "mongodb://phoenix:secret@docdb-2026.cluster-c1abcdefghij.eu-west-1.docdb.amazonaws.com:27017/?tls=true&tlsCAFile=global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false";
    expect(loadConfig({ DB_CONNECTION_STRING: uri }).database?.url).toBe(uri);
  });

  it("takes database credentials from DB_USERNAME and DB_PASSWORD, as the platform injects them", () => {
    const config = loadConfig({
      DB_CONNECTION_STRING: "mongodb://docdb.internal:27017/phoenix?tls=true",
      DB_USERNAME: "phoenix",
      DB_PASSWORD: "from-secrets-manager",
    });
    expect(config.database?.credentials).toEqual({ username: "phoenix", password: "from-secrets-manager" });
  });

  it("refuses half a set of credentials, or credentials given twice", () => {
    expect(() => loadConfig({ DB_CONNECTION_STRING: "mongodb://db:27017/", DB_USERNAME: "phoenix" })).toThrow(
      "config: DB_USERNAME and DB_PASSWORD must be set together",
    );
    expect(() =>
      loadConfig({ DB_CONNECTION_STRING: "mongodb://u:p@db:27017/", DB_USERNAME: "phoenix", DB_PASSWORD: "x" }),
    ).toThrow(/either in DB_CONNECTION_STRING or in DB_USERNAME\/DB_PASSWORD/);
  });

  it("runs without a database when DB_CONNECTION_STRING is unset", () => {
    expect(loadConfig({}).database).toBeUndefined();
  });

  it.each([
    ["PORT", "eighty", "PORT must be a whole number"],
    ["PORT", "70000", "PORT"],
    ["CERT_CONCURRENCY", "0", "CERT_CONCURRENCY"],
    ["LOG_LEVEL", "loud", "LOG_LEVEL"],
  ])("refuses %s=%s with a one-line message naming the variable", (name, value, expected) => {
    const attempt = () => loadConfig({ [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(expected);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain("\n");
    }
  });

  it("refuses a malformed connection string without echoing its credentials", () => {
    const attempt = () => loadConfig({ DB_CONNECTION_STRING: "postgres://admin:hunter2@db:5432/x" });
    expect(attempt).toThrow(/DB_CONNECTION_STRING is not a valid MongoDB URI/);
    expect(attempt).not.toThrow(/hunter2/);
  });
});
