import type { DatedItem, WindowedQuery } from '../kit/transactionPage.js';
import { compareNewestFirst } from '../kit/transactionPage.js';
import { addDays, addMonths, eachDay, HISTORY_MONTHS, startOfUtcDay } from '../seed/calendar.js';
import { createRandom, type Random } from '../seed/random.js';

/** Northwind's book currency. */
export const NORTHWIND_CURRENCY = 'USD';
/** Northwind's ABA routing number (fictional; passes the ABA checksum). */
export const NORTHWIND_ROUTING_NUMBER = '123456780';

/** An account row as Northwind's core banking system stores it. */
export interface NorthwindAccountRow {
  id: string;
  /** Northwind's own customer reference; never exposed through the graph. */
  customer: string;
  type: 'CHECKING' | 'SAVINGS';
  displayName: string;
  accountNumber: string;
  routingNumber: string;
  /** APY in percent, exact decimal string. */
  interestRate: string;
  balanceMinor: number;
  overdraftLimitMinor: number | null;
}

/** A posted or pending transaction; amounts in cents, negative for money out. */
export interface NorthwindTransactionRow extends DatedItem {
  accountId: string;
  amountMinor: number;
  currency: string;
  status: 'PENDING' | 'POSTED';
  description: string;
  merchant: string | null;
}

/** Northwind's data access layer: one call per batch, as a SQL query with `= ANY($1)` would be. */
export interface NorthwindDb {
  /** The rows for the ids that exist, in no particular order. */
  accountsByIds(ids: readonly string[]): Promise<NorthwindAccountRow[]>;
  /** For each query, that account's transactions not older than `since`, newest first. */
  transactionsFor(queries: readonly WindowedQuery[]): Promise<NorthwindTransactionRow[][]>;
}

interface AccountSeed {
  id: string;
  customer: string;
  type: NorthwindAccountRow['type'];
  displayName: string;
}

// The consent store's demo seed refers to these ids: change them together.
const ACCOUNTS: readonly AccountSeed[] = [
  { id: 'nw-alice-chk', customer: 'alice', type: 'CHECKING', displayName: 'Everyday Checking' },
  { id: 'nw-alice-sav', customer: 'alice', type: 'SAVINGS', displayName: 'High-Yield Savings' },
  { id: 'nw-bob-chk', customer: 'bob', type: 'CHECKING', displayName: 'Everyday Checking' },
  { id: 'nw-carol-chk', customer: 'carol', type: 'CHECKING', displayName: 'Premier Checking' },
  { id: 'nw-dave-chk', customer: 'dave', type: 'CHECKING', displayName: 'Everyday Checking' },
  { id: 'nw-dave-sav', customer: 'dave', type: 'SAVINGS', displayName: 'Rainy Day Savings' },
  { id: 'nw-erin-chk', customer: 'erin', type: 'CHECKING', displayName: 'Student Checking' },
];

// [merchant, min cents, max cents]
const MERCHANTS: readonly (readonly [string, number, number])[] = [
  ['Fourth Coffee', 350, 1200],
  ['Wide World Grocers', 1800, 16000],
  ['Adventure Works Outdoor', 2500, 18000],
  ['Lamna Pharmacy', 800, 6500],
  ['Wingtip Toys', 1200, 9000],
  ['Coho Winery', 1500, 8000],
  ['Alpine Ski House', 4000, 25000],
  ['Northgate Fuel', 3000, 7500],
  ['Proseware Streaming', 1299, 1299],
  ['Blue Yonder Airlines', 8000, 30000],
];

/**
 * Seeds Northwind's book: 24 months of history per account up to midnight UTC of `now`'s day,
 * a few hundred transactions each. Deterministic for a given day.
 */
export function createNorthwindDb(now: Date = new Date()): NorthwindDb {
  const anchor = startOfUtcDay(now);
  const accounts = new Map<string, NorthwindAccountRow>();
  const transactions = new Map<string, NorthwindTransactionRow[]>();
  for (const seed of ACCOUNTS) {
    const hasSavings = ACCOUNTS.some((other) => other.customer === seed.customer && other.type === 'SAVINGS');
    const random = createRandom(`northwind:${seed.id}`);
    const history = seedTransactions(seed, random, anchor, hasSavings);
    const openingMinor = seed.type === 'SAVINGS' ? random.int(200_000, 2_000_000) : random.int(50_000, 300_000);
    accounts.set(seed.id, {
      ...seed,
      accountNumber: `4${random.digits(9)}`,
      routingNumber: NORTHWIND_ROUTING_NUMBER,
      interestRate: seed.type === 'SAVINGS' ? '4.10' : '0.01',
      balanceMinor: history.reduce((sum, row) => sum + row.amountMinor, openingMinor),
      overdraftLimitMinor: seed.type === 'CHECKING' ? random.pick([25_000, 50_000, 100_000]) : null,
    });
    transactions.set(seed.id, history);
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
  };
}

let shared: NorthwindDb | undefined;

/** The process-wide Northwind book, seeded on first use (never at import: schema building has no side effects). */
export function getNorthwindDb(): NorthwindDb {
  return (shared ??= createNorthwindDb());
}

function seedTransactions(seed: AccountSeed, random: Random, anchor: Date, hasSavings: boolean): NorthwindTransactionRow[] {
  const rows: Omit<NorthwindTransactionRow, 'id' | 'status' | 'accountId' | 'currency'>[] = [];
  const at = (day: Date, fromHour: number, toHour: number) =>
    new Date(day.getTime() + random.int(fromHour * 3600, toHour * 3600 - 1) * 1000);
  const salaryMinor = random.int(170_000, 200_000);
  for (const day of eachDay(addMonths(anchor, -HISTORY_MONTHS), anchor)) {
    const dayOfMonth = day.getUTCDate();
    if (seed.type === 'CHECKING') {
      if (dayOfMonth === 1 || dayOfMonth === 15) {
        rows.push({ postedAt: at(day, 5, 7), amountMinor: salaryMinor + random.int(-2000, 2000), description: 'PAYROLL DEPOSIT Tailspin Toys', merchant: null });
      }
      if (dayOfMonth === 3) rows.push({ postedAt: at(day, 8, 10), amountMinor: -125_000, description: 'ONLINE TRANSFER Rent Woodgrove Properties', merchant: null });
      if (dayOfMonth === 10) rows.push({ postedAt: at(day, 8, 10), amountMinor: -random.int(6_000, 18_000), description: 'AUTOPAY Litware Energy', merchant: 'Litware Energy' });
      if (dayOfMonth === 20 && hasSavings) rows.push({ postedAt: at(day, 8, 10), amountMinor: -30_000, description: 'TRANSFER TO SAVINGS', merchant: null });
      const purchases = (random.chance(0.5) ? 1 : 0) + (random.chance(0.15) ? 1 : 0);
      for (let i = 0; i < purchases; i++) {
        const [merchant, min, max] = random.pick(MERCHANTS);
        rows.push({ postedAt: at(day, 7, 22), amountMinor: -random.int(min, max), description: `DEBIT CARD PURCHASE ${merchant}`, merchant });
      }
    } else {
      if (dayOfMonth === 1) rows.push({ postedAt: at(day, 2, 4), amountMinor: random.int(500, 6_000), description: 'INTEREST PAYMENT', merchant: null });
      if (dayOfMonth === 20) rows.push({ postedAt: at(day, 8, 10), amountMinor: 30_000, description: 'TRANSFER FROM CHECKING', merchant: null });
      if (random.chance(0.3)) rows.push({ postedAt: at(day, 18, 23), amountMinor: random.int(100, 2_000), description: 'ROUND-UP FROM CHECKING', merchant: null });
      if (random.chance(0.015)) rows.push({ postedAt: at(day, 9, 17), amountMinor: -random.int(20_000, 150_000), description: 'WITHDRAWAL TO CHECKING', merchant: null });
    }
  }
  const pendingFrom = addDays(anchor, -2);
  // Ids follow posting order (oldest = 1), so an id never changes position within a day's seed.
  return rows
    .sort((a, b) => a.postedAt.getTime() - b.postedAt.getTime())
    .map((row, index) => ({
      ...row,
      id: `${seed.id}-tx${String(index + 1).padStart(5, '0')}`,
      accountId: seed.id,
      currency: NORTHWIND_CURRENCY,
      status: row.postedAt >= pendingFrom ? ('PENDING' as const) : ('POSTED' as const),
    }))
    .sort(compareNewestFirst);
}
