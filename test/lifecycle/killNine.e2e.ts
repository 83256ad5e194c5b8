import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsentStore } from '../../gateway/consent/store/createConsentStore';
import type { ConsentStore } from '../../gateway/consent/types';
import { DEMO_AUDIENCE, DEMO_ISSUER } from '../../gateway/identity/demoKeys';
import { BACKENDS } from '../store/backends';
import { spawnGateway, type GatewayProcess } from './fixtures/spawnGateway';

// The gateway's own process dies; the records live in PostgreSQL (PGlite is in-process: it dies with it).
const postgres = BACKENDS.find((b) => b.name === 'postgres')!;
const DATABASE_URL = process.env.DATABASE_URL ?? '';

describe.skipIf(!postgres.available)('Audit: a gateway killed with kill -9 under load loses no record of a response it sent', () => {
  let store: ConsentStore;
  let gateway: GatewayProcess;
  let token: string;

  beforeAll(async () => {
    const schema = postgres.newSchema();
    store = await createConsentStore({ databaseUrl: DATABASE_URL, schema });
    await store.grant({ userId: 'k9', bank: 'northwind', scopes: ['accounts:basic', 'balances:read'], accounts: ['nw-dave-chk'] });
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    gateway = await spawnGateway({ databaseUrl: DATABASE_URL, schema, publicKeyPem: await exportSPKI(publicKey) });
    token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject('k9').setIssuer(DEMO_ISSUER).setAudience(DEMO_AUDIENCE).setExpirationTime('5m').sign(privateKey);
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await store?.close();
  });

  it('has an audit record for every response that carried sensitive data', async () => {
    let served = 0;
    let failed = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const response = await fetch(gateway.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: '{ me { accounts { balance { amount } } } }' }),
          });
          const body = (await response.json()) as { data?: { me?: { accounts?: { balance: unknown }[] } } };
          if (body.data?.me?.accounts?.[0]?.balance) served += 1;
        } catch {
          failed += 1; // in flight when the process died, or sent after: no response was received
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    // Kill mid-load, once a good number of responses went out.
    while (served < 40) await new Promise((resolve) => setTimeout(resolve, 20));
    gateway.child.kill('SIGKILL');
    await new Promise((resolve) => gateway.child.once('exit', resolve));
    stop = true;
    await Promise.all(workers);

    const records = await store.audit.query({ userId: 'k9', limit: 100_000 });
    const servedRequests = new Set(records.filter((r) => r.outcome === 'served').map((r) => r.requestId));
    console.log(`kill -9 under load: ${served} responses with sensitive data received, ${servedRequests.size} served requests recorded, ${failed} requests cut off or refused once it was dead`);
    expect(served).toBeGreaterThanOrEqual(40);
    expect(servedRequests.size).toBeGreaterThanOrEqual(served);
  });
});
