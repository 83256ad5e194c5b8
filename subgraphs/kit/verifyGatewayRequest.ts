import { ASSERTION_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySubgraphRequest, type SignatureProblem } from '../../schema/assertion.js';
import { readHeader, type HeaderSource } from './context.js';

export interface GatewaySignatureOptions {
  /** This subgraph's name as the gateway knows it (the supergraph config's key); part of what is signed. */
  subgraph: string;
  /** The secret this subgraph shares with the gateway (HMAC-SHA256 key). */
  secret: string;
  /** Default 30000 ms. How far the signing time may be from this server's clock. */
  maxSkewMs?: number;
}

/**
 * Checks that a request comes from the gateway: its signature covers this subgraph's name, a fresh
 * timestamp, the consent assertion header and the exact raw body. Returns undefined when it does, else
 * why not. Verify the raw bytes before parsing them: a re-serialised body would not match.
 */
export function verifyGatewayRequest(headers: HeaderSource, rawBody: string, options: GatewaySignatureOptions): SignatureProblem | undefined {
  if (!options.secret) throw new Error(`verifyGatewayRequest needs the secret shared with the gateway for subgraph '${options.subgraph}'; received an empty one`);
  return verifySubgraphRequest({
    subgraph: options.subgraph,
    secret: options.secret,
    timestamp: readHeader(headers, TIMESTAMP_HEADER),
    signature: readHeader(headers, SIGNATURE_HEADER),
    assertion: readHeader(headers, ASSERTION_HEADER),
    body: rawBody,
    maxSkewMs: options.maxSkewMs,
  });
}
