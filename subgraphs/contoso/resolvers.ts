import { historyFromFor } from '../../schema/assertion.js';
import type { SubgraphContext } from '../kit/context.js';
import { DateTimeScalar } from '../kit/dateTimeScalar.js';
import { toMoney } from '../kit/money.js';
import { clampFirst, resolveTransactionPage } from '../kit/transactionPage.js';
import {
  CONTOSO_CURRENCY,
  type ContosoCardRow,
  type ContosoStatementRow,
  type ContosoTermsRow,
  type ContosoTransactionRow,
} from './data.js';
import { contosoLoaders } from './loaders.js';

/** Contoso's subgraph name: what `Account.bank` returns and what grants name. */
export const CONTOSO = 'contoso';

/** Default 12 statements (a year); at most MAX_PAGE_SIZE. */
const DEFAULT_STATEMENTS = 12;
const RECENT_MERCHANT_MS = 90 * 86_400_000;
const RECENT_MERCHANT_LIMIT = 10;

interface ContosoMerchantSummary {
  name: string;
  category: string;
  city: string | null;
  lastPurchaseAt: Date;
  purchaseCount: number;
}

const money = (minorUnits: number) => toMoney(minorUnits, CONTOSO_CURRENCY);

/**
 * Resolvers for Contoso's SDL. Cards are reached only as entities, through per-request DataLoaders; every
 * dated list (transactions, statements, merchants) is cut to the grant's history window at the source.
 */
export const contosoResolvers = {
  DateTime: DateTimeScalar,
  ContosoCardAccount: {
    __resolveReference: (reference: { id: string }, context: SubgraphContext) =>
      contosoLoaders(context).cardById.load(reference.id),
    bank: () => CONTOSO,
    type: () => 'CREDIT_CARD',
    maskedNumber: (card: ContosoCardRow) => `••••${card.cardNumber.slice(-4)}`,
    balance: (card: ContosoCardRow) => money(card.balanceMinor),
    creditLimit: (card: ContosoCardRow) => money(card.creditLimitMinor),
    transactions: (card: ContosoCardRow, args: { first?: number | null; after?: string | null }, context: SubgraphContext) =>
      resolveTransactionPage(card.id, args, context, (query) => contosoLoaders(context).transactions.load(query)),
    statements: async (card: ContosoCardRow, args: { first?: number | null }, context: SubgraphContext) => {
      const since = historyFromFor(context.assertion, card.id);
      if (since === undefined) return null; // no grant covers this card: nothing dated leaves the bank
      const statements = await contosoLoaders(context).statements.load({ accountId: card.id, since });
      return statements.slice(0, clampFirst(args.first, DEFAULT_STATEMENTS));
    },
    recentMerchants: async (card: ContosoCardRow, _args: unknown, context: SubgraphContext) => {
      const since = historyFromFor(context.assertion, card.id);
      if (since === undefined) return null;
      const transactions = await contosoLoaders(context).transactions.load({ accountId: card.id, since });
      return summariseMerchants(transactions, new Date(Date.now() - RECENT_MERCHANT_MS));
    },
  },
  ContosoStatement: {
    openingBalance: (statement: ContosoStatementRow) => money(statement.openingBalanceMinor),
    closingBalance: (statement: ContosoStatementRow) => money(statement.closingBalanceMinor),
    minimumPayment: (statement: ContosoStatementRow) => money(statement.minimumPaymentMinor),
  },
  ContosoCardTerms: {
    annualFee: (terms: ContosoTermsRow) => money(terms.annualFeeMinor),
    lateFee: (terms: ContosoTermsRow) => money(terms.lateFeeMinor),
  },
  Transaction: {
    amount: (transaction: ContosoTransactionRow) => toMoney(transaction.amountMinor, transaction.currency),
  },
};

function summariseMerchants(transactions: readonly ContosoTransactionRow[], from: Date): ContosoMerchantSummary[] {
  const byName = new Map<string, ContosoMerchantSummary>();
  // Newest first, so the first purchase seen at a merchant is its latest.
  for (const row of transactions) {
    if (row.postedAt < from) break;
    if (row.merchant === null || row.amountMinor >= 0) continue;
    const seen = byName.get(row.merchant);
    if (seen) seen.purchaseCount += 1;
    else byName.set(row.merchant, { name: row.merchant, category: row.merchantCategory ?? 'Other', city: row.merchantCity, lastPurchaseAt: row.postedAt, purchaseCount: 1 });
  }
  return [...byName.values()].slice(0, RECENT_MERCHANT_LIMIT);
}
