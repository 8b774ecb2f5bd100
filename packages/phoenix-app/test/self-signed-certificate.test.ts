import { execFile } from "node:child_process";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GeneratedCertificate,
  generateSelfSignedCertificate,
} from "../src/certificates/self-signed-certificate.js";

const run = promisify(execFile);

describe("self-signed certificate generation", () => {
  let generated: GeneratedCertificate;
  let dir: string;

  beforeAll(async () => {
    generated = await generateSelfSignedCertificate({
      commonName: "phoenix.test",
      organization: "Phoenix QA",
      validDays: 30,
    });
    dir = mkdtempSync(join(tmpdir(), "phoenix-cert-"));
    writeFileSync(join(dir, "cert.pem"), generated.certificate);
    writeFileSync(join(dir, "key.pem"), generated.privateKey);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("produces a certificate that openssl parses as X.509 v3 signed with sha256WithRSAEncryption", async () => {
    const { stdout } = await run("openssl", ["x509", "-in", join(dir, "cert.pem"), "-noout", "-text"]);
    expect(stdout).toContain("Version: 3 (0x2)");
    expect(stdout).toContain("Signature Algorithm: sha256WithRSAEncryption");
    expect(stdout).toContain("Public-Key: (2048 bit)");
    expect(stdout).toMatch(/Subject: C ?= ?US, O ?= ?Phoenix QA, CN ?= ?phoenix\.test/);
  });

  it("issues a certificate whose public key matches the returned private key (openssl moduli)", async () => {
    const certModulus = await run("openssl", ["x509", "-in", join(dir, "cert.pem"), "-noout", "-modulus"]);
    const keyModulus = await run("openssl", ["rsa", "-in", join(dir, "key.pem"), "-noout", "-modulus"]);
    expect(certModulus.stdout).toMatch(/^Modulus=[0-9A-F]{512}\n$/);
    expect(certModulus.stdout).toBe(keyModulus.stdout);
  });

  it("is signed by its own key: openssl verifies it against itself", async () => {
    const { stdout } = await run("openssl", [
      "verify",
      "-CAfile",
      join(dir, "cert.pem"),
      "-check_ss_sig",
      join(dir, "cert.pem"),
    ]);
    expect(stdout.trim()).toMatch(/: OK$/);
  });

  it("returns a public key and validity window consistent with the certificate", () => {
    const certificate = new X509Certificate(generated.certificate);
    expect(certificate.checkPrivateKey(createPrivateKey(generated.privateKey))).toBe(true);
    expect(certificate.verify(createPublicKey(generated.publicKey))).toBe(true);
    const days = (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / 86_400_000;
    expect(days).toBe(30);
  });

  it("gives every certificate a fresh key and serial", async () => {
    const other = await generateSelfSignedCertificate({
      commonName: "phoenix.test",
      organization: "Phoenix QA",
      validDays: 30,
    });
    expect(other.privateKey).not.toBe(generated.privateKey);
    expect(new X509Certificate(other.certificate).serialNumber).not.toBe(
      new X509Certificate(generated.certificate).serialNumber,
    );
  });
});
