import type { CertificateFetcher } from "../../ports/certificate-fetcher.js";

export class CertificateFetchError extends Error {
  override readonly name = "CertificateFetchError";
}

export interface HttpsCertificateFetcherOptions {
  /** Whole request, body included. SNS waits 15 s for our answer; this leaves room. @default 2000 */
  readonly timeoutMs?: number;
  /** A signing certificate PEM is about 2 KiB; anything far larger is not one. @default 16384 */
  readonly maxBytes?: number;
  /** The fetch implementation; tests inject a double. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
}

/**
 * The production `CertificateFetcher`: one bounded HTTPS GET. Redirects are refused, not
 * followed — a redirect would take us to a host the URL check never saw.
 */
export function createHttpsCertificateFetcher(options: HttpsCertificateFetcherOptions = {}): CertificateFetcher {
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxBytes = options.maxBytes ?? 16_384;
  const fetchImpl = options.fetch ?? globalThis.fetch;

  return {
    async fetchCertificate(url: URL): Promise<string> {
      if (url.protocol !== "https:") throw new CertificateFetchError(`refusing to fetch ${url.href}: not https`);
      if (url.username !== "" || url.password !== "") {
        throw new CertificateFetchError("refusing to fetch a certificate URL that carries credentials");
      }
      const signal = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetchImpl(url, { method: "GET", redirect: "error", signal });
      } catch (cause) {
        throw new CertificateFetchError(`could not fetch ${url.href} within ${timeoutMs} ms`, { cause });
      }
      if (response.status !== 200 || response.redirected) {
        await response.body?.cancel().catch(() => undefined);
        throw new CertificateFetchError(`${url.href} answered ${response.status}, expected 200`);
      }
      const declared = Number(response.headers.get("content-length") ?? "0");
      if (declared > maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw new CertificateFetchError(`${url.href} declares ${declared} bytes, more than ${maxBytes}`);
      }
      const pem = await readAtMost(response, maxBytes, url);
      if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
        throw new CertificateFetchError(`${url.href} did not return a PEM certificate`);
      }
      return pem;
    },
  };
}

async function readAtMost(response: Response, maxBytes: number, url: URL): Promise<string> {
  if (!response.body) throw new CertificateFetchError(`${url.href} returned no body`);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new CertificateFetchError(`${url.href} sent more than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (cause) {
    if (cause instanceof CertificateFetchError) throw cause;
    throw new CertificateFetchError(`reading ${url.href} failed`, { cause });
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}
