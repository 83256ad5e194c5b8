import { describe, expect, it } from 'vitest';
import { allTransactions, BANKS, grantFor, resolveEntities } from './harness';

const northwind = BANKS.find((bank) => bank.name === 'northwind')!;
const CHECKING = 'nw-alice-chk';
const SAVINGS = 'nw-alice-sav';

/** ABA routing number checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10). */
function isAbaRoutingNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  const d = [...value].map(Number);
  return (3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!)) % 10 === 0;
}

describe('Northwind: identifiers and details', () => {
  it('serves a checksum-valid routing number and an account number ending in the masked digits', async () => {
    const accounts = await resolveEntities(northwind, [CHECKING, SAVINGS], 'routingNumber accountNumber maskedNumber');
    for (const account of accounts) {
      expect(isAbaRoutingNumber(account.routingNumber)).toBe(true);
      expect(account.accountNumber).toMatch(/^\d{10}$/);
      expect(account.maskedNumber).toBe(`••••${account.accountNumber.slice(-4)}`);
    }
  });

  it('gives checking an overdraft limit and savings none, each with a decimal interest rate', async () => {
    const [checking, savings] = await resolveEntities(northwind, [CHECKING, SAVINGS], 'type interestRate overdraftLimit { amount currency }');
    expect(checking.type).toBe('CHECKING');
    expect(checking.overdraftLimit.amount).toMatch(/^\d+\.\d{2}$/);
    expect(savings.type).toBe('SAVINGS');
    expect(savings.overdraftLimit).toBeNull();
    for (const account of [checking, savings]) expect(account.interestRate).toMatch(/^\d+\.\d{2}$/);
  });
});

describe('Northwind: transaction history', () => {
  it.each(['nw-alice-chk', 'nw-alice-sav', 'nw-bob-chk', 'nw-carol-chk'])('holds a few hundred transactions for %s', async (id) => {
    const transactions = await allTransactions(northwind, id, 100, { grants: [grantFor([id])] });
    expect(transactions.length).toBeGreaterThanOrEqual(200);
  });

  it('marks only the most recent transactions as pending', async () => {
    const [account] = await resolveEntities(northwind, [CHECKING], 'transactions(first: 100) { nodes { status postedAt merchant description } }', {
      grants: [grantFor([CHECKING])],
    });
    const statuses: string[] = account.transactions.nodes.map((n: any) => n.status);
    const firstPosted = statuses.indexOf('POSTED');
    expect(firstPosted).toBeGreaterThanOrEqual(0);
    expect(statuses.slice(firstPosted)).not.toContain('PENDING');
    expect(account.transactions.nodes.some((n: any) => n.merchant !== null)).toBe(true);
  });
});
