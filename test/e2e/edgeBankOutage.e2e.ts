import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankMode } from '../edge/faultyBank';
import { startEdgeStack, type EdgeStack } from '../edge/edgeStack';

const QUERY = '{ me { accounts { id bank displayName balance { amount currency } } } }';
// What must never reach a client: subgraph or internal addresses, upstream text, stack frames.
const LEAKS = /127\.0\.0\.1|localhost|10\.1\.2\.3|ECONNREFUSED|maintenance|\/srv\/|<html|\bat .+\.(ts|js):\d+/i;

/** One bank failure, as the client sees it: that bank's fields null with its name, the others intact. */
async function expectOnlyContosoDown(stack: EdgeStack) {
  const response = await stack.post({ query: QUERY }, { as: 'alice' });
  expect(response.status).toBe(200);
  const accounts = response.body.data.me.accounts as any[];
  const northwind = accounts.find((a) => a.id === 'nw-alice-chk');
  expect(northwind.displayName).toEqual(expect.any(String));
  expect(northwind.balance.currency).toBe('USD');
  const contoso = accounts.find((a) => a.id === 'cs-alice-card');
  expect(contoso.displayName).toBeNull();
  const downstream = (response.body.errors as any[]).filter((e) => e.extensions.code === 'DOWNSTREAM_SERVICE_ERROR');
  expect(downstream.length).toBeGreaterThan(0);
  expect(downstream.every((e) => e.extensions.serviceName === 'contoso')).toBe(true);
  expect(response.text).not.toMatch(LEAKS);
  expect(response.text).not.toContain(stack.faulty.contoso!.url);
  return response;
}

describe('Bank edge over HTTP: each way a bank fails', () => {
  let stack: EdgeStack;
  beforeAll(async () => {
    stack = await startEdgeStack({ faulty: ['contoso'], gateway: { subgraphTimeoutMs: 1000, subgraphResilience: { breaker: false } } });
  });
  afterAll(async () => stack?.stop());

  it('serves every bank while all are healthy', async () => {
    stack.faulty.contoso!.mode = 'pass';
    const response = await stack.post({ query: QUERY }, { as: 'alice' });
    expect((response.body.data.me.accounts as any[]).find((a) => a.id === 'cs-alice-card').displayName).toEqual(expect.any(String));
    expect((response.body.errors ?? []).filter((e: any) => e.extensions.code === 'DOWNSTREAM_SERVICE_ERROR')).toEqual([]);
  });

  it.each<[string, BankMode]>([
    ['is down (connection dropped)', 'down'],
    ['answers HTTP 500 with an internal message', 'http500'],
    ['answers garbage (HTML, not JSON)', 'garbage'],
  ])('nulls only that bank\'s fields when it %s, and retries the query', async (_name, mode) => {
    stack.faulty.contoso!.mode = mode;
    const before = stack.faulty.contoso!.requests;
    await expectOnlyContosoDown(stack);
    // One query to contoso per request: the first attempt and 2 retries.
    expect(stack.faulty.contoso!.requests - before).toBe(3);
  });

  it.each<[string, BankMode]>([
    ['is slow', 'slow'],
    ['sends headers and then stalls the body', 'hang-body'],
  ])('answers within the subgraph timeout when the bank %s, without retrying', async (_name, mode) => {
    stack.faulty.contoso!.mode = mode;
    const before = stack.faulty.contoso!.requests;
    const response = await expectOnlyContosoDown(stack);
    expect(response.ms).toBeLessThan(2500);
    expect(stack.faulty.contoso!.requests - before).toBe(1);
  });

  it('serves the bank again as soon as it recovers', async () => {
    stack.faulty.contoso!.mode = 'pass';
    const response = await stack.post({ query: QUERY }, { as: 'alice' });
    expect((response.body.data.me.accounts as any[]).find((a) => a.id === 'cs-alice-card').displayName).toEqual(expect.any(String));
  });
});

describe('Bank edge over HTTP: the circuit breaker', () => {
  let stack: EdgeStack;
  beforeAll(async () => {
    stack = await startEdgeStack({
      faulty: ['contoso'],
      gateway: { subgraphResilience: { retries: 0, breaker: { volumeThreshold: 3, resetTimeoutMs: 800 } } },
    });
  });
  afterAll(async () => stack?.stop());

  it('stops calling a failing bank, fails fast with its name, and closes again once it recovers', async () => {
    const bank = stack.faulty.contoso!;
    bank.mode = 'http500';
    for (let i = 0; i < 3; i += 1) await expectOnlyContosoDown(stack);
    expect(bank.requests).toBe(3);
    const open = await expectOnlyContosoDown(stack);
    expect(bank.requests).toBe(3); // refused by the open circuit: the bank was not called
    expect((open.body.errors as any[]).some((e) => e.message === "Subgraph 'contoso' is unavailable")).toBe(true);
    bank.mode = 'pass';
    await new Promise((resolve) => setTimeout(resolve, 900));
    const healed = await stack.post({ query: QUERY }, { as: 'alice' });
    expect((healed.body.data.me.accounts as any[]).find((a) => a.id === 'cs-alice-card').displayName).toEqual(expect.any(String));
    expect(bank.requests).toBe(4);
  });
});
