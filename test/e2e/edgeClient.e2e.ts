import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgeStack, type EdgeStack } from '../edge/edgeStack';

const APP = 'https://app.example.com';

/** Runs graphql-http's server audits; returns the MUST and SHOULD ones that did not pass. */
async function failedAudits(url: string): Promise<string[]> {
  const results: { name: string; status: string; reason?: string }[] = [];
  for (const audit of serverAudits({ url })) {
    const result = await audit.fn();
    results.push({ name: audit.name, status: result.status, ...(result.status === 'ok' ? {} : { reason: result.reason }) });
  }
  console.log(`graphql-http audits at ${url}: ${results.filter((r) => r.status === 'ok').length}/${results.length} ok${results.filter((r) => r.status !== 'ok').map((r) => `\n  ${r.status} ${r.name}: ${r.reason}`).join('')}`);
  return results.filter((r) => r.status !== 'ok' && /^(MUST|SHOULD)\b/.test(r.name)).map((r) => r.name);
}

describe('Client edge over HTTP: default limits (development mode)', () => {
  let stack: EdgeStack;
  beforeAll(async () => {
    stack = await startEdgeStack({ faulty: ['northwind'], gateway: { production: false, introspection: true }, server: { cors: { origins: [APP] }, forwardHeaders: ['traceparent'] } });
  });
  afterAll(async () => stack?.stop());

  it('refuses a document of more than 1000 tokens with MAX_TOKENS_EXCEEDED', async () => {
    const { status, body } = await stack.post({ query: `{ ${'__typename '.repeat(1001)}}` });
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('MAX_TOKENS_EXCEEDED');
    expect(body.errors[0].message).toBe('Document contains more than 1000 tokens. Parsing aborted.');
  });

  it('refuses an operation costing more than 5000 (list sizes multiply) with MAX_COST_EXCEEDED', async () => {
    const page = (alias: string) => `${alias}: transactions(first: $n) { nodes { amount { amount } } }`;
    const query = `query($n: Int) { me { accounts { ${['a', 'b', 'c', 'd', 'e', 'f'].map(page).join(' ')} } } }`;
    const refused = await stack.post({ query, variables: { n: 100 } }, { as: 'alice' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].extensions).toEqual({ code: 'MAX_COST_EXCEEDED', cost: 6122, maxCost: 5000 });
    const allowed = await stack.post({ query, variables: { n: 5 } }, { as: 'alice' });
    expect(allowed.status).toBe(200);
  });

  it('refuses a batched request with BATCHING_DISABLED', async () => {
    const { status, body } = await stack.post([{ query: '{ __typename }' }]);
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('BATCHING_DISABLED');
  });

  it('refuses a simple (CSRF-able) request: text/plain POST and a GET without a preflight header', async () => {
    const post = await stack.post('{"query":"{ __typename }"}', { headers: { 'content-type': 'text/plain' } });
    expect(post.status).toBe(400);
    const get = await fetch(`${stack.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/CSRF/);
  });

  it('allows only configured origins (CORS), never a wildcard', async () => {
    const preflight = (origin: string) =>
      fetch(stack.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });
    const allowed = await preflight(APP);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('forwards only allow-listed client headers to a bank; identity and hop-by-hop headers never', async () => {
    await stack.post({ query: '{ me { accounts { id displayName } } }' }, {
      as: 'alice',
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', cookie: 'session=secret', 'x-forwarded-for': '6.6.6.6', 'x-custom': 'nope', 'x-consentgate-assertion': 'forged', 'x-user-id': 'mallory' },
    });
    const received = stack.faulty.northwind!.lastHeaders;
    expect(received.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    for (const name of ['authorization', 'cookie', 'x-forwarded-for', 'x-custom', 'x-user-id']) expect(received[name]).toBeUndefined();
    expect(received['x-consentgate-assertion']).not.toBe('forged');
  });

  it('serves a landing page in development that loads nothing but its own page', async () => {
    const response = await fetch(stack.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('passes every MUST and SHOULD audit of graphql-http (GraphQL over HTTP)', async () => {
    expect(await failedAudits(stack.url)).toEqual([]);
  });
});

describe('Client edge over HTTP: production mode and configured limits', () => {
  let stack: EdgeStack;
  beforeAll(async () => {
    stack = await startEdgeStack({ gateway: { production: true, limits: { maxDepth: 5, maxAliases: 3, maxDirectives: 3, maxBatchSize: 2 } } });
  });
  afterAll(async () => stack?.stop());

  it.each([
    ['depth', '{ me { accounts { transactions { nodes { amount { amount } } } } } }', 'MAX_DEPTH_EXCEEDED'],
    ['aliases', '{ a: me { id } b: me { id } c: me { id } d: me { id } }', 'MAX_ALIASES_EXCEEDED'],
    ['directives', '{ me @include(if: true) { id @skip(if: false) accounts @include(if: true) { id @skip(if: false) } } }', 'MAX_DIRECTIVES_EXCEEDED'],
  ])('refuses an operation over its %s limit with a 400 and its own code', async (_limit, query, code) => {
    const { status, body } = await stack.post({ query }, { as: 'alice' });
    expect(status).toBe(400);
    expect(body.errors.map((e: any) => e.extensions.code)).toContain(code);
    expect(body.data).toBeUndefined();
  });

  it('serves batches up to maxBatchSize and refuses larger ones with BATCH_LIMIT_EXCEEDED', async () => {
    const ok = await stack.post([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual([{ data: { __typename: 'Query' } }, { data: { __typename: 'Query' } }]);
    const refused = await stack.post([{ query: '{ __typename }' }, { query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].extensions.code).toBe('BATCH_LIMIT_EXCEEDED');
  });

  it('refuses introspection', async () => {
    const { status, body } = await stack.post({ query: '{ __schema { types { name } } }' });
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.data).toBeUndefined();
  });

  it('masks field suggestions', async () => {
    const { body } = await stack.post({ query: '{ me { accountz { id } } }' }, { as: 'alice' });
    expect(body.errors[0].message).not.toMatch(/Did you mean/);
  });

  it('serves no landing page (nothing that loads from the web)', async () => {
    const response = await fetch(stack.url, { headers: { accept: 'text/html' } });
    const text = await response.text();
    expect(text).not.toMatch(/<script|apollographql\.com|cdn/i);
  });

  it('passes every MUST and SHOULD audit of graphql-http except the two that query __type (introspection is off)', async () => {
    expect(await failedAudits(stack.url)).toEqual([
      'MUST accept utf-8 encoded request',
      'SHOULD allow map {variables} parameter when accepting application/graphql-response+json',
      'MUST allow map {variables} parameter when accepting application/json',
    ]);
  });

  it('starts only with introspection off', async () => {
    await expect(startEdgeStack({ gateway: { production: true, introspection: true } })).rejects.toThrow(
      'introspection must be off in production (production mode is on: NODE_ENV=production or production: true); received introspection: true',
    );
  });
});
