import { describe, expect, it } from 'vitest';
import { DecisionLog, type ResponsePath } from '../../gateway/audit/DecisionLog';
import { decideField } from '../../gateway/consent/decideField';
import { DATE_KEY } from '../../gateway/consent/pruneSubgraphRequest';
import { RequestConsent } from '../../gateway/consent/requestConsent';
import type { Grant } from '../../gateway/consent/types';
import type { ConsentModel, FieldRequirement } from '../../gateway/supergraph/consentModel';

const NOW = new Date('2026-06-15T12:00:00Z');
let next = 0;
function grant(overrides: Partial<Grant>): Grant {
  next += 1;
  return {
    id: `g-${next}`, userId: 'u', bank: 'northwind', scopes: ['transactions:basic'], accounts: ['acc-1'],
    grantedAt: new Date('2026-01-01T00:00:00Z'), expiresAt: new Date('2027-01-01T00:00:00Z'), oneTime: false, usedAt: null,
    historyMonths: null, status: 'active', revokedAt: null, revokedBy: null, revokeReason: null, ...overrides,
  };
}
const TX = ['transactions:basic'];

describe('Deciding: one decision per bank, account and scopes, for the reason the frontend acts on', () => {
  it('allows under the active grant with the widest history window, first of equals', () => {
    const narrow = grant({ historyMonths: 3 });
    const wide = grant({ historyMonths: 12 });
    const alsoWide = grant({ historyMonths: 12 });
    const decision = new RequestConsent('u', [narrow, wide, alsoWide], NOW).decide('northwind', TX, 'acc-1');
    expect(decision).toMatchObject({ allowed: true, grant: wide });
    expect(decision.historyFrom?.toISOString()).toBe('2025-06-15T12:00:00.000Z');
    const unlimited = grant({ historyMonths: null });
    expect(new RequestConsent('u', [wide, unlimited], NOW).decide('northwind', TX, 'acc-1')).toMatchObject({ grant: unlimited, historyFrom: null });
  });

  it('applies scope implications (transactions:detail holds transactions:basic)', () => {
    const detail = grant({ scopes: ['transactions:detail'] });
    expect(new RequestConsent('u', [detail], NOW).decide('northwind', TX, 'acc-1')).toMatchObject({ allowed: true, grant: detail });
  });

  it('names what lapsed before asking anew: REVOKED, then EXPIRED, then ACCOUNT_NOT_CONSENTED, else MISSING', () => {
    const revoked = grant({ status: 'revoked' });
    const expired = grant({ status: 'expired' });
    const other = grant({ accounts: ['acc-2'] });
    const decide = (grants: Grant[], account = 'acc-1') => new RequestConsent('u', grants, NOW).decide('northwind', TX, account);
    expect(decide([expired, revoked, other])).toMatchObject({ allowed: false, reason: 'REVOKED', grant: revoked });
    expect(decide([expired, other])).toMatchObject({ allowed: false, reason: 'EXPIRED', grant: expired });
    expect(decide([other])).toMatchObject({ allowed: false, reason: 'ACCOUNT_NOT_CONSENTED' });
    expect(decide([other]).grant).toBeUndefined();
    expect(decide([grant({ scopes: ['balances:read'] })])).toMatchObject({ allowed: false, reason: 'MISSING' });
    expect(decide([grant({ bank: 'contoso' })])).toMatchObject({ allowed: false, reason: 'MISSING' });
    expect(new RequestConsent(null, [grant({})], NOW).decide('northwind', TX, 'acc-1')).toMatchObject({ allowed: false, reason: 'UNAUTHENTICATED' });
    expect(new RequestConsent('u', new Error('store down'), NOW).decide('northwind', TX, 'acc-1')).toMatchObject({ allowed: false, reason: 'CONSENT_UNAVAILABLE' });
  });

  it('makes each decision once per request and shares its window start between decisions of one grant', () => {
    const g = grant({ historyMonths: 6, scopes: ['transactions:basic', 'balances:read'] });
    const consent = new RequestConsent('u', [g], NOW);
    const first = consent.decide('northwind', TX, 'acc-1');
    expect(consent.decide('northwind', TX, 'acc-1')).toBe(first);
    const other = consent.decide('northwind', ['balances:read'], 'acc-1');
    expect(other).not.toBe(first);
    expect(other.historyFrom).toBe(first.historyFrom);
  });
});

describe('Field outcomes and the decision log: grouped by decision, counted per coordinate', () => {
  const model: ConsentModel = {
    requirements: new Map(), accountTypes: new Map([['NorthwindAccount', 'northwind']]), accountTypeOfBank: new Map(),
    datedTypes: new Map([['NorthwindTransaction', { dateField: 'postedAt', scopes: TX }]]), anchoredTypes: new Set(['NorthwindTransaction']), carriers: new Set(), accountInterface: 'Account',
  };
  const requirement: FieldRequirement = { coordinate: 'NorthwindTransaction.amount', scopes: TX, sources: [{ on: 'parent type', at: 'NorthwindTransaction', scopes: TX }] };
  const anchor = { bank: 'northwind', account: 'acc-1' };
  const path = (...keys: (string | number)[]): ResponsePath => keys.reduce<ResponsePath | undefined>((prev, key) => ({ prev, key }), undefined)!;

  it('gives one outcome object per decision, outside-window ones included, and one audit row per bank, grant and outcome', () => {
    const g = grant({ historyMonths: 1 });
    const consent = new RequestConsent('u', [g], NOW);
    const recent = { [DATE_KEY]: '2026-06-01T00:00:00Z' };
    const old = { [DATE_KEY]: '2026-01-01T00:00:00Z' };
    const served = [recent, { [DATE_KEY]: '2026-06-02T00:00:00Z' }].map((item) => decideField(model, 'NorthwindTransaction', requirement, item, anchor, consent));
    const outside = [old, { [DATE_KEY]: '2026-02-01T00:00:00Z' }].map((item) => decideField(model, 'NorthwindTransaction', requirement, item, anchor, consent));
    expect(served[0]).toBe(served[1]);
    expect(outside[0]).toBe(outside[1]);
    expect(outside[0]).toMatchObject({ served: false, grantId: g.id, consent: { bank: 'northwind', account: 'acc-1', reason: 'OUTSIDE_WINDOW' } });

    const log = new DecisionLog();
    served.forEach((d, i) => d.served && log.serve(path('tx', i), 'amount', requirement.coordinate, d));
    outside.forEach((d) => !d.served && log.stripped(requirement.coordinate, d));
    const missing = decideField(model, 'NorthwindTransaction', requirement, recent, { bank: 'northwind', account: 'acc-9' }, consent);
    if (!missing.served) log.stripped('NorthwindTransaction.merchant', missing);
    const meta = { at: NOW, requestId: 'r', userId: 'u', operationName: null, operationHash: 'h' };
    const rows = log.records(meta);
    expect(rows).toHaveLength(3);
    expect(rows).toContainEqual({ ...meta, bank: 'northwind', grantId: g.id, outcome: 'served', reason: null, coordinates: [requirement.coordinate], pathsCounts: [2] });
    expect(rows).toContainEqual({ ...meta, bank: 'northwind', grantId: g.id, outcome: 'stripped', reason: 'OUTSIDE_WINDOW', coordinates: [requirement.coordinate], pathsCounts: [2] });
    expect(rows).toContainEqual({ ...meta, bank: 'northwind', grantId: null, outcome: 'stripped', reason: 'ACCOUNT_NOT_CONSENTED', coordinates: ['NorthwindTransaction.merchant'], pathsCounts: [1] });
  });

  it('takes served fields back one per path, and records them stripped with the new reason', () => {
    const once = grant({ oneTime: true });
    const consent = new RequestConsent('u', [once], NOW);
    const decision = decideField(model, 'NorthwindTransaction', requirement, {}, anchor, consent);
    const log = new DecisionLog();
    if (!decision.served) throw new Error('expected served');
    log.serve(path('a', 0), 'amount', requirement.coordinate, decision);
    log.serve(path('a', 1), 'amount', requirement.coordinate, decision);
    expect(log.oneTimeGrants()).toEqual([once.id]);
    const taken = log.takeBack((f) => f.grantId === once.id, 'EXPIRED');
    expect(taken.map((t) => [t.path.prev?.key, t.reason])).toEqual([[0, 'EXPIRED'], [1, 'EXPIRED']]);
    expect(log.oneTimeGrants()).toEqual([]);
    expect(log.records({ at: NOW, requestId: 'r', userId: 'u', operationName: null, operationHash: 'h' })).toMatchObject([
      { grantId: once.id, outcome: 'stripped', reason: 'EXPIRED', coordinates: [requirement.coordinate], pathsCounts: [2] },
    ]);
  });
});
