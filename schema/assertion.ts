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
