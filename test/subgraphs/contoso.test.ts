import { describe, expect, it } from 'vitest';
import { BANKS, grantFor, resolveEntities, windowStart } from './harness';

const contoso = BANKS.find((bank) => bank.name === 'contoso')!;
const CARD = 'cs-alice-card';
const STATEMENT = 'id periodStart periodEnd openingBalance { amount } closingBalance { amount } minimumPayment { amount } paymentDueDate';

/** Luhn check (ISO/IEC 7812-1). */
function isLuhnValid(pan: string): boolean {
  let sum = 0;
  [...pan].reverse().forEach((char, i) => {
    const digit = Number(char) * (i % 2 === 1 ? 2 : 1);
    sum += digit > 9 ? digit - 9 : digit;
  });
  return sum % 10 === 0;
}

const statementsOf = async (args: string, historyMonths: number | null = null) => {
  const [card] = await resolveEntities(contoso, [CARD], `statements${args} { ${STATEMENT} }`, { grants: [grantFor([CARD], historyMonths)] });
  return card.statements as any[];
};

describe('Contoso: card details', () => {
  it('serves a Luhn-valid card number whose last four digits are the masked ones', async () => {
    const cards = await resolveEntities(contoso, contoso.accounts, 'type cardNumber maskedNumber creditLimit { amount currency }');
    for (const card of cards) {
      expect(card.type).toBe('CREDIT_CARD');
      expect(card.cardNumber).toMatch(/^\d{16}$/);
      expect(isLuhnValid(card.cardNumber)).toBe(true);
      expect(card.maskedNumber).toBe(`••••${card.cardNumber.slice(-4)}`);
      expect(card.creditLimit).toEqual({ amount: expect.stringMatching(/^\d+\.00$/), currency: 'GBP' });
    }
  });

  it('serves terms with decimal rates and fees', async () => {
    const [card] = await resolveEntities(contoso, [CARD], 'terms { purchaseApr cashAdvanceApr balanceTransferApr annualFee { amount } lateFee { amount } foreignTransactionFeePercent }');
    const { annualFee, lateFee, ...rates } = card.terms;
    for (const rate of Object.values(rates)) expect(rate).toMatch(/^\d+\.\d{2}$/);
    for (const fee of [annualFee, lateFee]) expect(fee.amount).toMatch(/^\d+\.\d{2}$/);
  });
});

describe('Contoso: statements', () => {
  it('returns 12 statements by default, newest first, each period following the previous one', async () => {
    const statements = await statementsOf('');
    expect(statements).toHaveLength(12);
    for (let i = 1; i < statements.length; i++) {
      const newer = statements[i - 1];
      const older = statements[i];
      expect(new Date(newer.periodStart) > new Date(older.periodEnd)).toBe(true);
      expect(newer.openingBalance).toEqual(older.closingBalance);
    }
  });

  it('honours first, clamping negatives to 0', async () => {
    expect(await statementsOf('(first: 3)')).toHaveLength(3);
    expect(await statementsOf('(first: -1)')).toEqual([]);
    expect((await statementsOf('(first: 100)')).length).toBeGreaterThanOrEqual(23);
  });

  it('returns only statements whose period starts inside the history window', async () => {
    const from = windowStart(6);
    const windowed = await statementsOf('(first: 100)', 6);
    const everything = await statementsOf('(first: 100)');
    expect(windowed.length).toBeGreaterThan(0);
    expect(windowed).toEqual(everything.filter((s) => new Date(s.periodStart) >= from));
  });

  it('asks a minimum payment only when something is owed', async () => {
    for (const statement of await statementsOf('(first: 100)')) {
      const owed = Number(statement.closingBalance.amount) < 0;
      expect(Number(statement.minimumPayment.amount) > 0).toBe(owed);
    }
  });

  it('returns null statements and merchants when no grant covers the card', async () => {
    const [card] = await resolveEntities(contoso, [CARD], 'statements { id } recentMerchants { name }', { grants: [grantFor(['cs-dave-card'])] });
    expect(card).toEqual({ statements: null, recentMerchants: null });
  });
});

describe('Contoso: recent merchants', () => {
  it('lists distinct merchants from the last 90 days, most recent first', async () => {
    const [card] = await resolveEntities(contoso, [CARD], 'recentMerchants { name category city lastPurchaseAt purchaseCount }', { grants: [grantFor([CARD])] });
    const merchants = card.recentMerchants as any[];
    expect(merchants.length).toBeGreaterThan(0);
    expect(new Set(merchants.map((m) => m.name)).size).toBe(merchants.length);
    const times = merchants.map((m) => new Date(m.lastPurchaseAt).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const merchant of merchants) {
      expect(new Date(merchant.lastPurchaseAt).getTime()).toBeGreaterThanOrEqual(Date.now() - 90 * 86_400_000);
      expect(merchant.purchaseCount).toBeGreaterThan(0);
    }
  });

  it('counts only purchases inside the history window', async () => {
    const query = 'recentMerchants { name lastPurchaseAt purchaseCount }';
    const [wide] = await resolveEntities(contoso, [CARD], query, { grants: [grantFor([CARD])] });
    const [narrow] = await resolveEntities(contoso, [CARD], query, { grants: [grantFor([CARD], 1)] });
    const total = (list: any[]) => list.reduce((sum, m) => sum + m.purchaseCount, 0);
    expect(total(narrow.recentMerchants)).toBeLessThan(total(wide.recentMerchants));
    for (const merchant of narrow.recentMerchants) expect(new Date(merchant.lastPurchaseAt) >= windowStart(1)).toBe(true);
  });
});
