import type { FastifyInstance } from "fastify";
import type { GeneratedCertificate } from "../certificates/self-signed-certificate.js";
import { type ConcurrencyGate, GateSaturatedError } from "../load-shedding/concurrency-gate.js";

export type CertificateGenerator = () => Promise<GeneratedCertificate>;

/**
 * Generates a key pair and certificate per request. The gate bounds the CPU this can take,
 * so a flood is answered with 503 + Retry-After while `/` and `/health` keep their core.
 */
export function registerGenerateCertRoute(
  app: FastifyInstance,
  gate: ConcurrencyGate,
  generate: CertificateGenerator,
): void {
  app.get("/generatecert", async (_request, reply) => {
    try {
      const generated = await gate.run(generate);
      return reply.header("cache-control", "no-store").send(generated);
    } catch (error) {
      if (!(error instanceof GateSaturatedError)) throw error;
      return reply
        .code(503)
        .header("retry-after", String(error.retryAfterSeconds))
        .send({ error: "Service Unavailable", message: `certificate generation is saturated: ${error.message}` });
    }
  });
}
