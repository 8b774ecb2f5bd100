import { describe, expect, it } from "vitest";
import {
  CertificateFetchError,
  createHttpsCertificateFetcher,
} from "../../../src/adapters/https/https-certificate-fetcher.js";

const URL_OK = new URL(
  "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
);
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

type FetchCall = { url: string; init: RequestInit | undefined };

function fetchDouble(respond: (init: RequestInit | undefined) => Response | Promise<Response>) {
  const calls: FetchCall[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    return respond(init);
  }) as typeof globalThis.fetch;
  return { calls, fetch };
}

function streamOf(chunks: number, chunkBytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ >= chunks) controller.close();
      else controller.enqueue(new Uint8Array(chunkBytes).fill(65));
    },
  });
}

describe("the HTTPS certificate fetcher", () => {
  it("returns the PEM body of a 200, asking fetch to refuse redirects and to time out", async () => {
    const { calls, fetch } = fetchDouble(() => new Response(PEM, { status: 200 }));
    await expect(createHttpsCertificateFetcher({ fetch }).fetchCertificate(URL_OK)).resolves.toBe(PEM);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe(URL_OK.href);
    expect(calls[0]?.init).toMatchObject({ method: "GET", redirect: "error" });
    expect(calls[0]?.init?.signal).toBeInstanceOf(AbortSignal);
  });

  it("refuses a non-https URL without calling fetch", async () => {
    const { calls, fetch } = fetchDouble(() => new Response(PEM));
    const fetcher = createHttpsCertificateFetcher({ fetch });
    await expect(fetcher.fetchCertificate(new URL("http://sns.us-west-2.amazonaws.com/x.pem"))).rejects.toThrow(
      CertificateFetchError,
    );
    await expect(
      fetcher.fetchCertificate(new URL("https://user:pw@sns.us-west-2.amazonaws.com/x.pem")),
    ).rejects.toThrow(/credentials/);
    expect(calls).toEqual([]);
  });

  it("treats a redirect as a failure instead of following it", async () => {
    const { fetch } = fetchDouble(
      () => new Response(null, { status: 302, headers: { location: "https://evil.example/cert.pem" } }),
    );
    await expect(createHttpsCertificateFetcher({ fetch }).fetchCertificate(URL_OK)).rejects.toThrow(/answered 302/);
  });

  it("fails on any status but 200", async () => {
    const { fetch } = fetchDouble(() => new Response("not found", { status: 404 }));
    await expect(createHttpsCertificateFetcher({ fetch }).fetchCertificate(URL_OK)).rejects.toThrow(/answered 404/);
  });

  it("refuses a body whose declared length exceeds the limit", async () => {
    const { fetch } = fetchDouble(() => new Response(PEM, { headers: { "content-length": "999999" } }));
    await expect(createHttpsCertificateFetcher({ fetch }).fetchCertificate(URL_OK)).rejects.toThrow(/declares 999999/);
  });

  it("stops reading a streamed body once it passes the limit", async () => {
    const { fetch } = fetchDouble(() => new Response(streamOf(1000, 1024)));
    await expect(createHttpsCertificateFetcher({ fetch, maxBytes: 16_384 }).fetchCertificate(URL_OK)).rejects.toThrow(
      /more than 16384 bytes/,
    );
  });

  it("refuses a body that is not a PEM certificate", async () => {
    const { fetch } = fetchDouble(() => new Response("<html>hello</html>"));
    await expect(createHttpsCertificateFetcher({ fetch }).fetchCertificate(URL_OK)).rejects.toThrow(
      /did not return a PEM/,
    );
  });

  it("gives up after the timeout", async () => {
    const { fetch } = fetchDouble(
      (init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
    );
    const started = Date.now();
    await expect(createHttpsCertificateFetcher({ fetch, timeoutMs: 50 }).fetchCertificate(URL_OK)).rejects.toThrow(
      /within 50 ms/,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
