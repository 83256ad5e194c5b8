import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type GraphQLResponse, type TestGateway } from '../harness/gatewayHarness';

let plan: TestGateway;
let stitched: TestGateway;
beforeAll(async () => {
  [plan, stitched] = await Promise.all([createTestGateway(), createTestGateway({ executor: 'stitched' })]);
}, 120_000);
afterAll(async () => Promise.all([plan?.stop(), stitched?.stop()]));

const DASHBOARD = /* GraphQL */ `{
  me { id accounts { __typename id bank displayName type maskedNumber balance { amount currency }
    transactions(first: 5) { nodes { id postedAt status amount { amount currency } merchant description } } } }
}`;

/** Data, and errors as sorted path/code/reason lines: the two executors may order errors differently. */
const comparable = (r: GraphQLResponse) => ({
  data: r.data,
  errors: (r.errors ?? []).map((e) => `${e.path?.join('.')} ${e.extensions?.code} ${e.extensions?.consent?.reason ?? ''}`).sort(),
});

describe('Executors: the plan executor answers as the stitched one did', () => {
  it.each(['alice', 'bob', 'carol', 'dave', null])('gives %s the same dashboard, nulls and errors', async (user) => {
    expect(comparable(await plan.run(user, DASHBOARD))).toEqual(comparable(await stitched.run(user, DASHBOARD)));
  });
});
