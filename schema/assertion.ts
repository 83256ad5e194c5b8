import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The consent assertion the gateway sends with every subgraph request, in one header. A bank receives
 * only its own grants (active ones); the platform subgraph receives the user's account links.
 * Bank subgraphs use it to apply the history window at the source (data minimisation).
 */
export const ASSERTION_HEADER = 'x-consentgate-assertion';

export interface AssertedGrant {
  /** Grant id, for the bank's own records. */
  id: string;
  /** Scopes held, implications already expanded. */
  scopes: string[];
  /** Account ids the grant covers. */
  accounts: string[];
  /** ISO-8601 instant: dated items older than this must not be returned. Null: no window. */
  historyFrom: string | null;
}

export interface AccountLink {
  /** The bank (subgraph name) holding the account. */
  bank: string;
  accountId: string;
  /** The bank's account entity type in the supergraph (the platform returns it as __typename). */
  typename: string;
}

export interface ConsentAssertion {
  /** Platform user id. */
  user: string;
  /** For a bank: that user's active grants at that bank only. */
  grants: AssertedGrant[];
  /** For the platform subgraph: the accounts the user linked, across banks. */
  links?: AccountLink[];
}

/** Serialises an assertion for the header (base64url JSON). */
export function encodeAssertion(assertion: ConsentAssertion): string {
  return Buffer.from(JSON.stringify(assertion)).toString('base64url');
}

/**
 * Reads the header value. A missing or malformed header yields an assertion with no grants, so a
 * subgraph that cannot read it serves nothing consent-dependent (fail closed).
 */
export function decodeAssertion(value: string | string[] | undefined | null): ConsentAssertion {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return { user: '', grants: [], links: [] };
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as ConsentAssertion;
    if (typeof parsed?.user !== 'string' || !Array.isArray(parsed.grants)) throw new Error('shape');
    return { user: parsed.user, grants: parsed.grants, links: Array.isArray(parsed.links) ? parsed.links : [] };
  } catch {
    return { user: '', grants: [], links: [] };
  }
}

/** The earliest instant a bank may return dated items of `accountId` from, or undefined if no grant covers it. */
export function historyFromFor(assertion: ConsentAssertion, accountId: string): Date | null | undefined {
  let from: Date | null | undefined;
  for (const grant of assertion.grants) {
    if (!grant.accounts.includes(accountId)) continue;
    if (grant.historyFrom === null) return null;
    const at = new Date(grant.historyFrom);
    if (from === undefined || (from !== null && at < from)) from = at;
  }
  return from;
}

/** Header carrying the signing time (Unix milliseconds) of a gateway->subgraph request. */
export const TIMESTAMP_HEADER = 'x-consentgate-timestamp';
/** Header carrying `v1=<base64url HMAC-SHA256>` over subgraph name, timestamp, assertion header and body. */
export const SIGNATURE_HEADER = 'x-consentgate-signature';

/**
 * The bytes a request signature covers: the subgraph it is meant for (a signature for one bank is useless
 * at another), the timestamp (bounds replay), the assertion header (so the grants cannot be edited) and
 * the exact body (so the query, `_entities` representations included, cannot be edited).
 */
function signingInput(subgraph: string, timestamp: string, assertion: string, body: string): string {
  return `v1\n${subgraph}\n${timestamp}\n${assertion}\n${body}`;
}

/** Signs one gateway->subgraph request with that subgraph's secret; returns the two headers to add. */
export function signSubgraphRequest(input: { subgraph: string; secret: string; assertion: string; body: string; now?: number }): Record<string, string> {
  const timestamp = String(input.now ?? Date.now());
  const mac = createHmac('sha256', input.secret).update(signingInput(input.subgraph, timestamp, input.assertion, input.body)).digest('base64url');
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `v1=${mac}` };
}

/** Why a request signature was refused (undefined from verifySubgraphRequest means it was accepted). */
export type SignatureProblem = 'MISSING' | 'MALFORMED' | 'EXPIRED' | 'MISMATCH';

/**
 * Checks a request signed by signSubgraphRequest: present, made for `subgraph` with `secret`, over these
 * exact assertion and body, at most `maxSkewMs` (default 30000) away from now. Constant-time comparison.
 */
export function verifySubgraphRequest(input: {
  subgraph: string;
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  assertion: string | undefined;
  body: string;
  maxSkewMs?: number;
  now?: number;
}): SignatureProblem | undefined {
  if (!input.timestamp || !input.signature) return 'MISSING';
  const match = /^v1=([A-Za-z0-9_-]{43})$/.exec(input.signature);
  if (!match || !/^\d{1,16}$/.test(input.timestamp)) return 'MALFORMED';
  if (Math.abs((input.now ?? Date.now()) - Number(input.timestamp)) > (input.maxSkewMs ?? 30_000)) return 'EXPIRED';
  const expected = createHmac('sha256', input.secret).update(signingInput(input.subgraph, input.timestamp, input.assertion ?? '', input.body)).digest();
  const received = Buffer.from(match[1]!, 'base64url');
  return received.length === expected.length && timingSafeEqual(received, expected) ? undefined : 'MISMATCH';
}
