import type { DatedItem, WindowedQuery } from '../kit/transactionPage.js';
import { compareNewestFirst } from '../kit/transactionPage.js';
import { addDays, addMonths, eachDay, HISTORY_MONTHS, startOfUtcDay } from '../seed/calendar.js';
import { createRandom, type Random } from '../seed/random.js';

/** Fabrikam's book currency. */
export const FABRIKAM_CURRENCY = 'EUR';

/** A loan's contract and its state at the seed's anchor; amounts in cents. */
export interface FabrikamLoanRow {
  principalMinor: number;
  outstandingMinor: number;
  /** APR in percent, exact decimal string. */
  interestRate: string;
  termMonths: number;
  originatedAt: Date;
  maturityDate: Date;
  nextDueDate: Date;
  nextPaymentMinor: number;
}

/** A member account row. `loan` is set exactly when type is LOAN. */
export interface FabrikamAccountRow {
  id: string;
  /** Fabrikam's own member reference; never exposed through the graph. */
  member: string;
  type: 'LOAN' | 'SAVINGS';
  displayName: string;
  accountNumber: string;
  balanceMinor: number;
  loan: FabrikamLoanRow | null;
}

/** A posted or pending transaction; negative when the member's position worsens (money out, interest). */
export interface FabrikamTransactionRow extends DatedItem {
  accountId: string;
  amountMinor: number;
  currency: string;
  status: 'PENDING' | 'POSTED';
  description: string;
  merchant: string | null;
}

export interface FabrikamPayeeRow {
  id: string;
  accountId: string;
  name: string;
  maskedIban: string;
  addedAt: Date;
}

export interface FabrikamScheduledPaymentRow {
  id: string;
  accountId: string;
  amountMinor: number;
  frequency: 'ONCE' | 'WEEKLY' | 'MONTHLY';
  nextPaymentDate: Date;
  finalPaymentDate: Date | null;
  reference: string | null;
  payee: FabrikamPayeeRow | null;
}

/** Fabrikam's data access layer: one call per batch. */
export interface FabrikamDb {
  /** The rows for the ids that exist, in no particular order. */
  accountsByIds(ids: readonly string[]): Promise<FabrikamAccountRow[]>;
  /** For each query, that account's transactions not older than `since`, newest first. */
  transactionsFor(queries: readonly WindowedQuery[]): Promise<FabrikamTransactionRow[][]>;
  /** For each account id, its scheduled payments, soonest first. */
  scheduledPaymentsFor(accountIds: readonly string[]): Promise<FabrikamScheduledPaymentRow[][]>;
  /** For each account id, its saved payees, oldest first. */
  payeesFor(accountIds: readonly string[]): Promise<FabrikamPayeeRow[][]>;
}

type AccountSeed =
  | { id: string; member: string; type: 'SAVINGS'; displayName: string }
  | { id: string; member: string; type: 'LOAN'; displayName: string; principalMinor: number; interestRate: string; termMonths: number; ageMonths: number };

// The consent store's demo seed refers to these ids: change them together.
const ACCOUNTS: readonly AccountSeed[] = [
  { id: 'fb-alice-loan', member: 'alice', type: 'LOAN', displayName: 'Auto Loan', principalMinor: 1_800_000, interestRate: '6.49', termMonths: 60, ageMonths: 30 },
  { id: 'fb-carol-loan', member: 'carol', type: 'LOAN', displayName: 'Home Improvement Loan', principalMinor: 2_500_000, interestRate: '7.25', termMonths: 84, ageMonths: 14 },
  { id: 'fb-erin-sav', member: 'erin', type: 'SAVINGS', displayName: 'Share Savings' },
  { id: 'fb-frank-loan', member: 'frank', type: 'LOAN', displayName: 'Personal Loan', principalMinor: 800_000, interestRate: '9.90', termMonths: 36, ageMonths: 20 },
  { id: 'fb-frank-sav', member: 'frank', type: 'SAVINGS', displayName: 'Holiday Club Savings' },
];

const PAYEE_NAMES = ['Adatum Housing', 'Trey Research Gym', 'City of Fabrikam Utilities', 'Relecloud Mobile', 'Litware Insurance'];

/**
 * Seeds Fabrikam's book up to midnight UTC of `now`'s day: amortising loans (monthly interest and
 * repayments, 24 months of history at most) and savings with standing orders. Deterministic for a given day.
 */
export function createFabrikamDb(now: Date = new Date()): FabrikamDb {
  const anchor = startOfUtcDay(now);
  const accounts = new Map<string, FabrikamAccountRow>();
  const transactions = new Map<string, FabrikamTransactionRow[]>();
  const payees = new Map<string, FabrikamPayeeRow[]>();
  const scheduled = new Map<string, FabrikamScheduledPaymentRow[]>();
  for (const seed of ACCOUNTS) {
    const random = createRandom(`fabrikam:${seed.id}`);
    const book = seed.type === 'LOAN' ? seedLoan(seed, anchor) : seedSavings(seed, random, anchor);
    accounts.set(seed.id, {
      id: seed.id,
      member: seed.member,
      type: seed.type,
      displayName: seed.displayName,
      accountNumber: `7${random.digits(9)}`,
      balanceMinor: book.balanceMinor,
      loan: book.loan,
    });
    const pendingFrom = addDays(anchor, -2);
    transactions.set(
      seed.id,
      book.drafts
        .sort((a, b) => a.postedAt.getTime() - b.postedAt.getTime())
        .map((draft, index) => ({
          ...draft,
          id: `${seed.id}-tx${String(index + 1).padStart(5, '0')}`,
          accountId: seed.id,
          currency: FABRIKAM_CURRENCY,
          status: draft.postedAt >= pendingFrom ? ('PENDING' as const) : ('POSTED' as const),
        }))
        .sort(compareNewestFirst),
    );
    payees.set(seed.id, book.payees);
    scheduled.set(seed.id, book.scheduled);
  }
  return {
    async accountsByIds(ids) {
      return ids.flatMap((id) => accounts.get(id) ?? []);
    },
    async transactionsFor(queries) {
      return queries.map(({ accountId, since }) =>
        (transactions.get(accountId) ?? []).filter((row) => since === null || row.postedAt >= since),
      );
    },
    async scheduledPaymentsFor(accountIds) {
      return accountIds.map((id) => scheduled.get(id) ?? []);
    },
    async payeesFor(accountIds) {
      return accountIds.map((id) => payees.get(id) ?? []);
    },
  };
}

let shared: FabrikamDb | undefined;

/** The process-wide Fabrikam book, seeded on first use (never at import: schema building has no side effects). */
export function getFabrikamDb(): FabrikamDb {
  return (shared ??= createFabrikamDb());
}

type Draft = Pick<FabrikamTransactionRow, 'postedAt' | 'amountMinor' | 'description' | 'merchant'>;

interface SeededBook {
  drafts: Draft[];
  balanceMinor: number;
  loan: FabrikamLoanRow | null;
  payees: FabrikamPayeeRow[];
  scheduled: FabrikamScheduledPaymentRow[];
}

function seedLoan(seed: Extract<AccountSeed, { type: 'LOAN' }>, anchor: Date): SeededBook {
  const from = addMonths(anchor, -HISTORY_MONTHS);
  const originatedAt = addMonths(anchor, -seed.ageMonths);
  const monthlyRate = Number(seed.interestRate) / 100 / 12;
  // Standard annuity instalment: P·r / (1 − (1 + r)^−n), rounded to the cent.
  const instalment = Math.round((seed.principalMinor * monthlyRate) / (1 - (1 + monthlyRate) ** -seed.termMonths));
  const drafts: Draft[] = [];
  if (originatedAt >= from) {
    drafts.push({ postedAt: hoursAfter(originatedAt, 10), amountMinor: -seed.principalMinor, description: 'LOAN DISBURSEMENT', merchant: null });
  }
  let outstanding = seed.principalMinor;
  let month = 1;
  for (; month <= seed.termMonths; month++) {
    const due = addMonths(originatedAt, month);
    if (due >= anchor) break;
    const interest = Math.round(outstanding * monthlyRate);
    const payment = Math.min(instalment, outstanding + interest);
    outstanding = outstanding + interest - payment;
    if (due < from) continue; // older than the history Fabrikam keeps online
    drafts.push({ postedAt: hoursAfter(due, 1), amountMinor: -interest, description: 'INTEREST CHARGED', merchant: null });
    drafts.push({ postedAt: hoursAfter(due, 7), amountMinor: payment, description: 'REPAYMENT - THANK YOU', merchant: null });
  }
  const nextDueDate = addMonths(originatedAt, month);
  const maturityDate = addMonths(originatedAt, seed.termMonths);
  const nextPaymentMinor = Math.min(instalment, outstanding + Math.round(outstanding * monthlyRate));
  return {
    drafts,
    balanceMinor: -outstanding,
    loan: {
      principalMinor: seed.principalMinor,
      outstandingMinor: outstanding,
      interestRate: seed.interestRate,
      termMonths: seed.termMonths,
      originatedAt,
      maturityDate,
      nextDueDate,
      nextPaymentMinor,
    },
    payees: [],
    scheduled: [
      {
        id: `${seed.id}-sp1`,
        accountId: seed.id,
        amountMinor: nextPaymentMinor,
        frequency: 'MONTHLY',
        nextPaymentDate: nextDueDate,
        finalPaymentDate: maturityDate,
        reference: 'LOAN REPAYMENT',
        payee: null,
      },
    ],
  };
}

function seedSavings(seed: AccountSeed, random: Random, anchor: Date): SeededBook {
  const from = addMonths(anchor, -HISTORY_MONTHS);
  const firstName = random.int(0, PAYEE_NAMES.length - 1);
  const payees: FabrikamPayeeRow[] = [0, 1, 2].map((index) => ({
    id: `${seed.id}-py${index + 1}`,
    accountId: seed.id,
    name: PAYEE_NAMES[(firstName + index) % PAYEE_NAMES.length]!,
    maskedIban: `${random.pick(['DE', 'NL', 'FR', 'IE'])}•• •••• •••• •••• ${random.digits(4)}`,
    addedAt: addDays(from, -random.int(30, 400)),
  }));
  // Two monthly standing orders (on the 5th and the 12th) and one one-off payment next week.
  const orders = [
    { payee: payees[0]!, day: 5, amountMinor: random.int(20_000, 60_000) },
    { payee: payees[1]!, day: 12, amountMinor: random.int(2_000, 6_000) },
  ];
  const drafts: Draft[] = [];
  const at = (day: Date, fromHour: number, toHour: number) =>
    new Date(day.getTime() + random.int(fromHour * 3600, toHour * 3600 - 1) * 1000);
  for (const day of eachDay(from, anchor)) {
    if (day.getUTCDay() === 5) drafts.push({ postedAt: at(day, 6, 8), amountMinor: random.int(5_000, 25_000), description: 'PAYROLL DEDUCTION DEPOSIT', merchant: null });
    if (day.getUTCDate() === 1) drafts.push({ postedAt: at(day, 1, 3), amountMinor: random.int(300, 4_000), description: 'DIVIDEND', merchant: null });
    for (const order of orders) {
      if (day.getUTCDate() === order.day) drafts.push({ postedAt: at(day, 6, 9), amountMinor: -order.amountMinor, description: `STANDING ORDER ${order.payee.name}`, merchant: order.payee.name });
    }
    if (random.chance(0.02)) drafts.push({ postedAt: at(day, 9, 17), amountMinor: -random.int(5_000, 50_000), description: 'WITHDRAWAL', merchant: null });
  }
  const nextOn = (dayOfMonth: number) => {
    const thisMonth = new Date(Date.UTC(anchor.getUTCFullYear(), anchor.getUTCMonth(), dayOfMonth));
    return thisMonth >= anchor ? thisMonth : addMonths(thisMonth, 1);
  };
  const scheduled: FabrikamScheduledPaymentRow[] = [
    ...orders.map((order, index) => ({
      id: `${seed.id}-sp${index + 1}`,
      accountId: seed.id,
      amountMinor: order.amountMinor,
      frequency: 'MONTHLY' as const,
      nextPaymentDate: nextOn(order.day),
      finalPaymentDate: null,
      reference: `STANDING ORDER ${order.payee.name}`,
      payee: order.payee,
    })),
    {
      id: `${seed.id}-sp3`,
      accountId: seed.id,
      amountMinor: random.int(10_000, 90_000),
      frequency: 'ONCE',
      nextPaymentDate: addDays(anchor, 7),
      finalPaymentDate: addDays(anchor, 7),
      reference: 'ONE-OFF PAYMENT',
      payee: payees[2]!,
    },
  ];
  scheduled.sort((a, b) => a.nextPaymentDate.getTime() - b.nextPaymentDate.getTime());
  const openingMinor = random.int(100_000, 1_000_000);
  return { drafts, balanceMinor: drafts.reduce((sum, draft) => sum + draft.amountMinor, openingMinor), loan: null, payees, scheduled };
}

function hoursAfter(date: Date, hours: number): Date {
  return new Date(date.getTime() + hours * 3_600_000);
}
