import { afterEach, describe, expect, it, vi } from 'vitest';
import { getFabrikamDb } from '../../subgraphs/fabrikam/data';
import { BANKS, grantFor, resolveEntities } from './harness';

const fabrikam = BANKS.find((bank) => bank.name === 'fabrikam')!;
const LOAN = 'fb-alice-loan';
const SAVINGS = 'fb-erin-sav';
const LOAN_FIELDS = 'principal { amount } outstandingPrincipal { amount } interestRate termMonths originatedAt maturityDate nextDueDate nextPaymentAmount { amount currency }';
const PAYMENT_FIELDS = 'id amount { amount } frequency nextPaymentDate finalPaymentDate reference payee { id name }';

afterEach(() => vi.restoreAllMocks());

describe('Fabrikam: loans', () => {
  it('describes a loan with a future due date and a partly repaid principal', async () => {
    const [account] = await resolveEntities(fabrikam, [LOAN], `type balance { amount } loan { ${LOAN_FIELDS} }`);
    const { loan } = account;
    expect(account.type).toBe('LOAN');
    expect(Number(loan.outstandingPrincipal.amount)).toBeGreaterThan(0);
    expect(Number(loan.outstandingPrincipal.amount)).toBeLessThan(Number(loan.principal.amount));
    expect(account.balance.amount).toBe(`-${loan.outstandingPrincipal.amount}`);
    expect(new Date(loan.nextDueDate).getTime()).toBeGreaterThan(Date.now() - 86_400_000);
    expect(new Date(loan.maturityDate) > new Date(loan.nextDueDate)).toBe(true);
    expect(loan.interestRate).toMatch(/^\d+\.\d{2}$/);
    expect(loan.nextPaymentAmount.currency).toBe('EUR');
  });

  it('has no loan details on a savings account', async () => {
    const [account] = await resolveEntities(fabrikam, [SAVINGS], 'type loan { principal { amount } }');
    expect(account).toEqual({ type: 'SAVINGS', loan: null });
  });

  it('schedules the next loan repayment, paid to no payee', async () => {
    const [account] = await resolveEntities(fabrikam, [LOAN], `loan { nextDueDate nextPaymentAmount { amount } } scheduledPayments { ${PAYMENT_FIELDS} } payees { id }`);
    expect(account.scheduledPayments).toEqual([
      expect.objectContaining({ frequency: 'MONTHLY', nextPaymentDate: account.loan.nextDueDate, amount: account.loan.nextPaymentAmount, payee: null }),
    ]);
    expect(account.payees).toEqual([]);
  });

  it('starts the history of a loan younger than 24 months with its disbursement', async () => {
    const id = 'fb-carol-loan';
    const [account] = await resolveEntities(fabrikam, [id], 'loan { principal { amount } } transactions(first: 100) { nodes { amount { amount } description } }', {
      grants: [grantFor([id])],
    });
    const oldest = account.transactions.nodes.at(-1);
    expect(oldest.amount.amount).toBe(`-${account.loan.principal.amount}`);
  });
});

describe('Fabrikam: scheduled payments and payees', () => {
  it('lists a savings account\'s scheduled payments soonest first, each to a saved payee', async () => {
    const [account] = await resolveEntities(fabrikam, [SAVINGS], `scheduledPayments { ${PAYMENT_FIELDS} } payees { id name maskedIban addedAt }`);
    const payments = account.scheduledPayments as any[];
    expect(payments.length).toBeGreaterThan(1);
    const dates = payments.map((p) => new Date(p.nextPaymentDate).getTime());
    expect(dates).toEqual([...dates].sort((a, b) => a - b));
    const payeeIds = new Set(account.payees.map((p: any) => p.id));
    for (const payment of payments) expect(payeeIds.has(payment.payee.id)).toBe(true);
    for (const payee of account.payees) expect(payee.maskedIban).toMatch(/^[A-Z]{2}•• •••• •••• •••• \d{4}$/);
  });

  it('loads scheduled payments and payees of several accounts with one query each', async () => {
    const db = getFabrikamDb();
    const scheduled = vi.spyOn(db, 'scheduledPaymentsFor');
    const payees = vi.spyOn(db, 'payeesFor');
    await resolveEntities(fabrikam, fabrikam.accounts, 'scheduledPayments { id } payees { id }');
    expect(scheduled).toHaveBeenCalledTimes(1);
    expect(payees).toHaveBeenCalledTimes(1);
    expect(scheduled.mock.calls[0]![0]).toEqual(fabrikam.accounts);
  });
});
