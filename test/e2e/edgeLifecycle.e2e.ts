import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../gateway/createGateway';
import { checkReadiness } from '../../gateway/server/checkReadiness';
import { createSupergraphReloader } from '../../gateway/server/createSupergraphReloader';
import { startEdgeStack, type EdgeStack } from '../edge/edgeStack';

const QUERY = '{ me { accounts { id displayName } } }';

describe('Gateway lifecycle over HTTP: health and readiness', () => {
  let stack: EdgeStack;
  beforeAll(async () => {
    stack = await startEdgeStack({ faulty: ['contoso'] });
  });
  afterAll(async () => stack?.stop());

  it('answers /health while the process is up', async () => {
    const response = await fetch(`${stack.origin}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /ready with the store and each subgraph, and no URL', async () => {
    const response = await fetch(`${stack.origin}/ready`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: 'ready', ready: true, store: 'ok', subgraphs: { platform: 'ok', northwind: 'ok', contoso: 'ok', fabrikam: 'ok' } });
    expect(text).not.toMatch(/127\.0\.0\.1|http/);
  });

  it('stays ready while one bank is down (every instance would fail alike), and names the bank', async () => {
    stack.faulty.contoso!.mode = 'down';
    const response = await fetch(`${stack.origin}/ready`);
    stack.faulty.contoso!.mode = 'pass';
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).subgraphs.contoso).toBe('unreachable');
  });

  it('is not ready when the store is unreachable, or (if required) when any subgraph is', async () => {
    const subgraphs = [{ name: 'contoso', url: stack.faulty.contoso!.url }];
    const brokenStore = { grantsForUser: () => Promise.reject(new Error('connection refused')) };
    expect(await checkReadiness(subgraphs, { store: brokenStore })).toEqual({ ready: false, store: 'unreachable', subgraphs: { contoso: 'ok' } });
    stack.faulty.contoso!.mode = 'http500';
    const strict = await checkReadiness(subgraphs, { requireAllSubgraphs: true });
    stack.faulty.contoso!.mode = 'pass';
    expect(strict).toEqual({ ready: false, store: 'ok', subgraphs: { contoso: 'unreachable' } });
  });
});

describe('Gateway lifecycle over HTTP: supergraph reload without dropping requests', () => {
  let stack: EdgeStack;
  beforeAll(async () => {
    stack = await startEdgeStack();
  });
  afterAll(async () => stack?.stop());

  it('swaps supergraphs under load with every request answered, and keeps the old one when the new one fails its checks', async () => {
    const token = await stack.tokenFor('alice');
    const logs: string[] = [];
    let next = stack.gatewayOptions.supergraphSdl;
    const reloader = createSupergraphReloader({
      server: stack.server,
      load: async () => next,
      build: (supergraphSdl) => createGateway({ ...stack.gatewayOptions, supergraphSdl }),
      onSignal: false,
      log: (message) => logs.push(message),
    });
    let stop = false;
    const statuses: number[] = [];
    const client = async () => {
      while (!stop) {
        const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: QUERY }) });
        const body = (await response.json()) as any;
        statuses.push(response.ok && body.data?.me?.accounts?.length > 0 ? response.status : -response.status);
      }
    };
    const clients = Array.from({ length: 8 }, client);
    const outcomes: string[] = [];
    const pause = () => new Promise((resolve) => setTimeout(resolve, 400));
    await pause();
    for (let i = 1; i <= 3; i += 1) {
      next = `${stack.gatewayOptions.supergraphSdl}\n# revision ${i}\n`;
      outcomes.push(await reloader.reload());
      await pause();
    }
    next = 'type Query { broken';
    outcomes.push(await reloader.reload());
    next = '# a valid document that is no supergraph\ntype Query { hello: String }';
    outcomes.push(await reloader.reload());
    await pause();
    stop = true;
    await Promise.all(clients);
    reloader.close();
    expect(outcomes).toEqual(['reloaded', 'reloaded', 'reloaded', 'refused', 'refused']);
    expect(logs.filter((l) => l.startsWith('supergraph reload refused; still serving the previous supergraph: '))).toHaveLength(2);
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(stack.server.gateway.supergraph.sdl).toContain('# revision 3');
  });
});

describe('Gateway lifecycle over HTTP: graceful shutdown', () => {
  it('finishes in-flight requests, reports draining, then refuses connections', async () => {
    const stack = await startEdgeStack({ faulty: ['contoso'] });
    try {
      stack.faulty.contoso!.slowMs = 800;
      stack.faulty.contoso!.mode = 'slow';
      const inFlight = stack.post({ query: QUERY }, { as: 'alice' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const closed = stack.server.close();
      expect((await stack.server.readiness()).ready).toBe(false);
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect((response.body.data.me.accounts as any[]).find((a) => a.id === 'cs-alice-card').displayName).toEqual(expect.any(String));
      await closed;
      await expect(fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })).rejects.toThrow();
    } finally {
      stack.server.close = async () => {};
      await stack.stop();
    }
  });
});
