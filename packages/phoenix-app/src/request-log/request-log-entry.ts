/** One document in the `logs` collection: the request the original app recorded, plus timing. */
export interface RequestLogEntry {
  readonly time: Date;
  readonly requestId: string;
  readonly method: string;
  readonly url: string;
  readonly statusCode: number;
  readonly responseTimeMs: number;
  readonly remoteAddress: string | undefined;
  readonly userAgent: string | undefined;
}
