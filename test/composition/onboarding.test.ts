import { readFile } from 'node:fs/promises';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { composeSupergraph, readSubgraphs } from '../../gateway/composition/composeSupergraph';
import { loadSupergraphConfig } from '../../gateway/composition/loadSupergraphConfig';
import { createConsentStore } from '../../gateway/consent/store/createConsentStore';
import { createGateway } from '../../gateway/createGateway';
import { createIdentity } from '../../gateway/identity/createIdentity';
import { DEMO_AUDIENCE, DEMO_ISSUER } from '../../gateway/identity/demoKeys';
import { DEFAULT_PATHS } from '../../gateway/paths';
import { northwindResolvers } from '../../subgraphs/northwind/resolvers';
import { buildPlatformSchema } from '../../subgraphs/platform/schema';
import { startInProcessSubgraphs } from '../harness/inProcessSubgraphs';
import { composeDemoSupergraph } from '../harness/gatewayHarness';

/** Strips the generated-file header line. */
const body = (text: string) => text.replace(/^#[^\n]*\n/, '').trim();

describe('Composition: generated files are current', () => {
  it('schema/supergraph.graphql and schema/platform.graphql match a fresh `consentgate compose`', async () => {
    const { supergraphSdl, platformSdl } = await composeDemoSupergraph();
    expect(body(await readFile(DEFAULT_PATHS.supergraph, 'utf8'))).toBe(supergraphSdl.trim());
    expect(await readFile(new URL('../../schema/platform.graphql', import.meta.url), 'utf8')).toBe(platformSdl);
  });
});

describe('Onboarding: a bank is configuration only', () => {
  it('serves a new bank whose account type has a new name, with no gateway or platform code change', async () => {
    // "woodgrove": a bank with its own account type name, built from Northwind's shape.
    const sdl = (await readFile(new URL('../../subgraphs/northwind/typeDefs.graphql', import.meta.url), 'utf8')).replaceAll('NorthwindAccount', 'WoodgroveAccount');
    const { NorthwindAccount, ...rest } = northwindResolvers;
    const woodgrove = buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: { ...rest, WoodgroveAccount: { ...NorthwindAccount, bank: () => 'woodgrove' } } as never }]);

    const inputs = await readSubgraphs(await loadSupergraphConfig(DEFAULT_PATHS.supergraphConfig));
    const composed = composeSupergraph([...inputs, { name: 'woodgrove', url: 'http://woodgrove/graphql', sdl }]);
    expect(composed.ok).toBe(true);
    if (!composed.ok) return;
    expect(composed.platformSdl).toContain('type WoodgroveAccount implements Account @key(fields: "id")');

    const subgraphs = await startInProcessSubgraphs({ platform: buildPlatformSchema(composed.platformSdl), woodgrove });
    const store = await createConsentStore({ dataDir: 'memory://' });
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const gateway = await createGateway({
      supergraphSdl: composed.supergraphSdl,
      store,
      identity: await createIdentity({ key: publicKey }),
      subgraphUrls: subgraphs.urls,
      fetch: subgraphs.fetch,
    });
    try {
      await store.grant({ userId: 'erin', bank: 'woodgrove', scopes: ['accounts:basic'], accounts: ['nw-erin-chk'] });
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject('erin').setIssuer(DEMO_ISSUER).setAudience(DEMO_AUDIENCE).sign(privateKey);
      const response = await gateway.apollo.executeOperation(
        { query: '{ me { accounts { __typename bank displayName balance { amount } } } }' },
        { contextValue: await gateway.createContext(`Bearer ${token}`) },
      );
      const result = (response.body as { singleResult: any }).singleResult;
      expect(result.data.me.accounts).toEqual([{ __typename: 'WoodgroveAccount', bank: 'woodgrove', displayName: expect.any(String), balance: null }]);
      expect(result.errors.map((e: any) => e.extensions.consent)).toEqual([{ bank: 'woodgrove', scopes: ['balances:read'], reason: 'MISSING', account: 'nw-erin-chk' }]);
    } finally {
      await gateway.stop();
      await subgraphs.stop();
      await store.close();
    }
  });
});
