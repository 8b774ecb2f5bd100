/** Fetches the PEM text of a signing certificate. Only ever given URLs that passed the URL check. */
export interface CertificateFetcher {
  fetchCertificate(url: URL): Promise<string>;
}
