import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { ASSERTION_HEADER, encodeAssertion, type ConsentAssertion } from '../../../schema/assertion';
import { RequestConsent } from '../../../gateway/consent/requestConsent';
import { createConsentStore } from '../../../gateway/consent/store/createConsentStore';
import type { ConsentStore } from '../../../gateway/consent/types';
import { DEMO_AUDIENCE, DEMO_ISSUER } from '../../../gateway/identity/demoKeys';
import { buildConsentModel } from '../../../gateway/supergraph/consentModel';
import { readSupergraph } from '../../../gateway/supergraph/readSupergraph';
import { benchGrants, benchUsers, STACKS, type StackName } from '../fixtures';

/** How a target learns who is asking: ConsentGate verifies a bearer token; the peers forward an assertion. */
export type Credential = 'token' | 'assertion';

/** Per user, the headers each kind of target is sent. */
export interface StackClients {
  users: string[];
  headersFor(credential: Credential, user: string): Record<string, string>;
}

/** The signing key the runner issues bench tokens with; its public half goes to the ConsentGate targets. */
export async function createBenchKeys(): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), alg: 'ES256' } };
}

/**
 * The runner's own copy of every stack's grants (in-memory PGlite, opened once: it takes seconds), from
 * which the peers' assertions are computed. A grant two stacks share (same user, bank, accounts) is stored once.
 */
export async function openRunnerStore(now: Date): Promise<ConsentStore> {
  const store = await createConsentStore({ dataDir: 'memory://' });
  const seen = new Set<string>();
  for (const stack of STACKS) {
    for (const grant of benchGrants(stack, now)) {
      const key = JSON.stringify([grant.userId, grant.bank, grant.accounts]);
      if (seen.has(key)) continue;
      seen.add(key);
      await store.grant(grant);
    }
  }
  return store;
}

/** What browsers send (Chrome, Firefox, Safari): every target may compress its answers; none has to. */
const ACCEPT_ENCODING = 'gzip, deflate, br';

/**
 * Tokens (one per user, valid two hours) and, for the peers, the assertion ConsentGate would have sent:
 * computed from the same grants through the product's RequestConsent, all of the stack's banks' grants in
 * one header plus the account links the platform subgraph lists accounts from. The peers forward it unread.
 */
export async function createStackClients(stack: StackName, supergraphSdl: string, privateKey: CryptoKey, now: Date, store: ConsentStore): Promise<StackClients> {
  const users = benchUsers(stack);
  const headers = new Map<string, Record<Credential, Record<string, string>>>();
  const model = buildConsentModel(readSupergraph(supergraphSdl));
  const banks = [...model.accountTypeOfBank.keys()];
  for (const user of users) {
    // Only the stack's banks: a user's grants at banks of another stack never reach this one's subgraphs.
    const consent = new RequestConsent(user, (await store.grantsForUser(user)).filter((g) => banks.includes(g.bank)), now);
    const assertion: ConsentAssertion = {
      user,
      grants: banks.flatMap((bank) => consent.assertionFor(bank).grants),
      links: consent.links(model.accountTypeOfBank),
    };
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject(user).setIssuer(DEMO_ISSUER)
      .setAudience(DEMO_AUDIENCE).setIssuedAt().setExpirationTime('2h').sign(privateKey);
    headers.set(user, {
      token: { 'content-type': 'application/json', 'accept-encoding': ACCEPT_ENCODING, authorization: `Bearer ${token}` },
      assertion: { 'content-type': 'application/json', 'accept-encoding': ACCEPT_ENCODING, [ASSERTION_HEADER]: encodeAssertion(assertion) },
    });
  }
  return { users, headersFor: (credential, user) => ({ ...headers.get(user)![credential] }) };
}
