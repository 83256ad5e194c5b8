/**
 * The consent scope vocabulary (../shared/CONSENT.md). Banks may only use these scopes in @consent;
 * composition rejects any other. Shared by the gateway and the bank subgraphs.
 */
export const SCOPES = [
  'accounts:basic',
  'accounts:details',
  'accounts:identifiers',
  'balances:read',
  'transactions:basic',
  'transactions:detail',
  'statements:read',
  'payees:read',
  'payments:scheduled',
  'bills:read',
  'terms:read',
  'identity:contact',
  'identity:sensitive',
] as const;

export type Scope = (typeof SCOPES)[number];

/** The consent spec's @link URL; its last segment is the version (vMAJOR.MINOR). */
export const CONSENT_SPEC_URL = 'https://specs.consentgate.dev/consent/v1.0';
export const CONSENT_SPEC_IDENTITY = 'https://specs.consentgate.dev/consent';

const KNOWN = new Set<string>(SCOPES);

/** True when `scope` is in the vocabulary. */
export function isScope(scope: string): scope is Scope {
  return KNOWN.has(scope);
}

// A `:detail` scope implies its `:basic` sibling (CONSENT.md, "Rules of the vocabulary").
const IMPLIES: Record<string, string> = { 'transactions:detail': 'transactions:basic' };

/** The scopes a grant holding `scopes` effectively holds, implications included. */
export function expandScopes(scopes: Iterable<string>): Set<string> {
  const held = new Set<string>();
  for (const scope of scopes) {
    held.add(scope);
    const implied = IMPLIES[scope];
    if (implied) held.add(implied);
  }
  return held;
}
