import type { SubgraphContext } from '../kit/context.js';
import { DateTimeScalar } from '../kit/dateTimeScalar.js';
import { toMoney } from '../kit/money.js';
import { resolveTransactionPage } from '../kit/transactionPage.js';
import { NORTHWIND_CURRENCY, type NorthwindAccountRow, type NorthwindTransactionRow } from './data.js';
import { northwindLoaders } from './loaders.js';

/** Northwind's subgraph name: what `Account.bank` returns and what grants name. */
export const NORTHWIND = 'northwind';

interface TransactionsArgs {
  first?: number | null;
  after?: string | null;
}

/**
 * Resolvers for Northwind's SDL. Accounts are reached only as entities (`_entities` via the platform's
 * User.accounts), through the per-request DataLoader, so N accounts are one batch.
 */
export const northwindResolvers = {
  DateTime: DateTimeScalar,
  NorthwindAccount: {
    __resolveReference: (reference: { id: string }, context: SubgraphContext) =>
      northwindLoaders(context).accountById.load(reference.id),
    bank: () => NORTHWIND,
    maskedNumber: (account: NorthwindAccountRow) => `••••${account.accountNumber.slice(-4)}`,
    balance: (account: NorthwindAccountRow) => toMoney(account.balanceMinor, NORTHWIND_CURRENCY),
    overdraftLimit: (account: NorthwindAccountRow) =>
      account.overdraftLimitMinor === null ? null : toMoney(account.overdraftLimitMinor, NORTHWIND_CURRENCY),
    transactions: (account: NorthwindAccountRow, args: TransactionsArgs, context: SubgraphContext) =>
      resolveTransactionPage(account.id, args, context, (query) => northwindLoaders(context).transactions.load(query)),
  },
  Transaction: {
    amount: (transaction: NorthwindTransactionRow) => toMoney(transaction.amountMinor, transaction.currency),
  },
};
