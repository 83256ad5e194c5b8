import type { DatedItem, WindowedQuery } from '../kit/transactionPage.js';
import { compareNewestFirst } from '../kit/transactionPage.js';
import { addDays, addMonths, DAY_MS, eachDay, HISTORY_MONTHS, startOfUtcDay } from '../seed/calendar.js';
import { createRandom, type Random } from '../seed/random.js';

/** Contoso's book currency. */
export const CONTOSO_CURRENCY = 'GBP';

/** The pricing of one card product; rates in percent, exact decimal strings. */
export interface ContosoTermsRow {
  purchaseApr: string;
  cashAdvanceApr: string;
  balanceTransferApr: string;
  annualFeeMinor: number;
  lateFeeMinor: number;
  foreignTransactionFeePercent: string;
}

/** A card account row. Balance is negative when the customer owes Contoso. */
export interface ContosoCardRow {
  id: string;
  /** Contoso's own customer reference; never exposed through the graph. */
  customer: string;
  displayName: string;
  cardNumber: string;
  creditLimitMinor: number;
  balanceMinor: number;
  terms: ContosoTermsRow;
}

/** A card transaction; purchases are negative, payments and refunds positive (pence). */
export interface ContosoTransactionRow extends DatedItem {
  accountId: string;
  amountMinor: number;
  currency: string;
  status: 'PENDING' | 'POSTED';
  description: string;
  merchant: string | null;
  merchantCategory: string | null;
  merchantCity: string | null;
}

/** One monthly statement; the period is [periodStart, periodEnd]. */
export interface ContosoStatementRow {
  id: string;
  accountId: string;
  periodStart: Date;
  periodEnd: Date;
  openingBalanceMinor: number;
  closingBalanceMinor: number;
  minimumPaymentMinor: number;
  paymentDueDate: Date;
}

/** Contoso's data access layer: one call per batch. */
export interface ContosoDb {
  /** The rows for the ids that exist, in no particular order. */
  accountsByIds(ids: readonly string[]): Promise<ContosoCardRow[]>;
  /** For each query, that card's transactions not older than `since`, newest first. */
  transactionsFor(queries: readonly WindowedQuery[]): Promise<ContosoTransactionRow[][]>;
  /** For each query, that card's statements whose period starts at or after `since`, newest first. */
  statementsFor(queries: readonly WindowedQuery[]): Promise<ContosoStatementRow[][]>;
}

interface CardSeed {
  id: string;
  customer: string;
  displayName: string;
  terms: ContosoTermsRow;
}

const CASHBACK: ContosoTermsRow = {
  purchaseApr: '24.90',
  cashAdvanceApr: '29.90',
  balanceTransferApr: '0.00',
  annualFeeMinor: 0,
  lateFeeMinor: 1200,
  foreignTransactionFeePercent: '2.99',
};
const TRAVEL: ContosoTermsRow = {
  purchaseApr: '21.90',
  cashAdvanceApr: '27.90',
  balanceTransferApr: '21.90',
  annualFeeMinor: 9500,
  lateFeeMinor: 1200,
  foreignTransactionFeePercent: '0.00',
};

// The consent store's demo seed refers to these ids: change them together.
const CARDS: readonly CardSeed[] = [
  { id: 'cs-alice-card', customer: 'alice', displayName: 'Contoso Cashback Card', terms: CASHBACK },
  { id: 'cs-dave-card', customer: 'dave', displayName: 'Contoso Travel Card', terms: TRAVEL },
  { id: 'cs-erin-card', customer: 'erin', displayName: 'Contoso Cashback Card', terms: CASHBACK },
  { id: 'cs-frank-card', customer: 'frank', displayName: 'Contoso Travel Card', terms: TRAVEL },
];

// [name, category, city, min pence, max pence]
const MERCHANTS: readonly (readonly [string, string, string, number, number])[] = [
  ['Fourth Coffee', 'Dining', 'London', 280, 950],
  ['Wide World Grocers', 'Groceries', 'Manchester', 1500, 12000],
  ['Tailspin Cinemas', 'Entertainment', 'Leeds', 900, 3500],
  ['Lamna Healthcare', 'Health', 'Bristol', 700, 6000],
  ['Blue Yonder Airlines', 'Travel', 'London', 6000, 40000],
  ['Margie\'s Travel', 'Travel', 'Edinburgh', 4000, 25000],
  ['Coho Winery', 'Groceries', 'Bath', 1200, 6000],
  ['Northgate Fuel', 'Fuel', 'Birmingham', 3000, 8000],
  ['Graphic Design Institute', 'Education', 'Cambridge', 2500, 15000],
  ['Wingtip Toys', 'Shopping', 'Glasgow', 1000, 8000],
];

const STATEMENT_DAY = 25;
const PAYMENT_DAY = 18;

/**
 * Seeds Contoso's book: 24 months of card activity per account up to midnight UTC of `now`'s day, with
 * monthly statements closing on the 25th and payments on the 18th. Deterministic for a given day.
 */
export function createContosoDb(now: Date = new Date()): ContosoDb {
  const anchor = startOfUtcDay(now);
  const cards = new Map<string, ContosoCardRow>();
  const transactions = new Map<string, ContosoTransactionRow[]>();
  const statements = new Map<string, ContosoStatementRow[]>();
  for (const seed of CARDS) {
    const random = createRandom(`contoso:${seed.id}`);
    const book = seedCard(seed, random, anchor);
    cards.set(seed.id, {
      id: seed.id,
      customer: seed.customer,
      displayName: seed.displayName,
      terms: seed.terms,
      cardNumber: withLuhnDigit(`4929${random.digits(11)}`),
      creditLimitMinor: random.pick([300_000, 500_000, 800_000, 1_200_000]),
      balanceMinor: book.balanceMinor,
    });
    transactions.set(seed.id, book.transactions);
    statements.set(seed.id, book.statements);
  }
  return {
    async accountsByIds(ids) {
      return ids.flatMap((id) => cards.get(id) ?? []);
    },
    async transactionsFor(queries) {
      return queries.map(({ accountId, since }) =>
        (transactions.get(accountId) ?? []).filter((row) => since === null || row.postedAt >= since),
      );
    },
    async statementsFor(queries) {
      return queries.map(({ accountId, since }) =>
        (statements.get(accountId) ?? []).filter((row) => since === null || row.periodStart >= since),
      );
    },
  };
}

let shared: ContosoDb | undefined;

/** The process-wide Contoso book, seeded on first use (never at import: schema building has no side effects). */
export function getContosoDb(): ContosoDb {
  return (shared ??= createContosoDb());
}

function seedCard(seed: CardSeed, random: Random, anchor: Date) {
  type Draft = Omit<ContosoTransactionRow, 'id' | 'status' | 'accountId' | 'currency'>;
  const drafts: Draft[] = [];
  const statements: ContosoStatementRow[] = [];
  const at = (day: Date, fromHour: number, toHour: number) =>
    new Date(day.getTime() + random.int(fromHour * 3600, toHour * 3600 - 1) * 1000);
  const from = addMonths(anchor, -HISTORY_MONTHS);
  let balanceMinor = -random.int(0, 80_000);
  let lastStatement: ContosoStatementRow | undefined;
  let periodStart = from;
  let periodOpeningMinor = balanceMinor;
  const add = (draft: Draft) => {
    drafts.push(draft);
    balanceMinor += draft.amountMinor;
  };
  for (const day of eachDay(from, anchor)) {
    const purchases = (random.chance(0.55) ? 1 : 0) + (random.chance(0.15) ? 1 : 0);
    for (let i = 0; i < purchases; i++) {
      const [name, category, city, min, max] = random.pick(MERCHANTS);
      add({ postedAt: at(day, 7, 23), amountMinor: -random.int(min, max), description: `${name.toUpperCase()} ${city.toUpperCase()} GB`, merchant: name, merchantCategory: category, merchantCity: city });
    }
    if (random.chance(0.01)) {
      const [name, category, city, min, max] = random.pick(MERCHANTS);
      add({ postedAt: at(day, 9, 18), amountMinor: random.int(min, max), description: `REFUND ${name.toUpperCase()} ${city.toUpperCase()} GB`, merchant: name, merchantCategory: category, merchantCity: city });
    }
    if (day.getUTCDate() === PAYMENT_DAY && lastStatement && lastStatement.closingBalanceMinor < 0) {
      const owed = -lastStatement.closingBalanceMinor;
      // Most customers pay in full; some pay the minimum or part of it, so balances carry over.
      const paid = random.chance(0.6) ? owed : random.chance(0.5) ? lastStatement.minimumPaymentMinor : Math.round(owed / 2);
      add({ postedAt: at(day, 6, 9), amountMinor: paid, description: 'PAYMENT RECEIVED - THANK YOU', merchant: null, merchantCategory: null, merchantCity: null });
    }
    if (day.getUTCDate() === STATEMENT_DAY) {
      const periodEnd = new Date(day.getTime() + DAY_MS - 1000);
      const owed = Math.max(0, -balanceMinor);
      lastStatement = {
        id: `${seed.id}-st-${day.toISOString().slice(0, 7)}`,
        accountId: seed.id,
        periodStart,
        periodEnd,
        openingBalanceMinor: periodOpeningMinor,
        closingBalanceMinor: balanceMinor,
        minimumPaymentMinor: owed === 0 ? 0 : Math.min(owed, Math.max(2_500, Math.round(owed * 0.03))),
        paymentDueDate: addDays(day, 24),
      };
      statements.push(lastStatement);
      periodStart = addDays(day, 1);
      periodOpeningMinor = balanceMinor;
    }
  }
  const pendingFrom = addDays(anchor, -2);
  const transactions = drafts
    .sort((a, b) => a.postedAt.getTime() - b.postedAt.getTime())
    .map((draft, index) => ({
      ...draft,
      id: `${seed.id}-tx${String(index + 1).padStart(5, '0')}`,
      accountId: seed.id,
      currency: CONTOSO_CURRENCY,
      status: draft.postedAt >= pendingFrom ? ('PENDING' as const) : ('POSTED' as const),
    }))
    .sort(compareNewestFirst);
  return { transactions, statements: statements.reverse(), balanceMinor };
}

/** Appends the Luhn check digit (ISO/IEC 7812-1) so the demo PAN is well-formed. */
function withLuhnDigit(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let digit = Number(partial[partial.length - 1 - i]);
    // Counting from the right of the final number, every second digit (these) is doubled.
    if (i % 2 === 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return `${partial}${(10 - (sum % 10)) % 10}`;
}
