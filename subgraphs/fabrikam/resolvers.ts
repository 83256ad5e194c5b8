import type { SubgraphContext } from '../kit/context.js';
import { DateTimeScalar } from '../kit/dateTimeScalar.js';
import { toMoney } from '../kit/money.js';
import { resolveTransactionPage } from '../kit/transactionPage.js';
import {
  FABRIKAM_CURRENCY,
  type FabrikamAccountRow,
  type FabrikamLoanRow,
  type FabrikamScheduledPaymentRow,
  type FabrikamTransactionRow,
} from './data.js';
import { fabrikamLoaders } from './loaders.js';

/** Fabrikam's subgraph name: what `Account.bank` returns and what grants name. */
export const FABRIKAM = 'fabrikam';

const money = (minorUnits: number) => toMoney(minorUnits, FABRIKAM_CURRENCY);

/**
 * Resolvers for Fabrikam's SDL. Accounts are reached only as entities, through per-request DataLoaders;
 * transactions are cut to the grant's history window at the source.
 */
export const fabrikamResolvers = {
  DateTime: DateTimeScalar,
  FabrikamAccount: {
    __resolveReference: (reference: { id: string }, context: SubgraphContext) =>
      fabrikamLoaders(context).accountById.load(reference.id),
    bank: () => FABRIKAM,
    maskedNumber: (account: FabrikamAccountRow) => `••••${account.accountNumber.slice(-4)}`,
    balance: (account: FabrikamAccountRow) => money(account.balanceMinor),
    transactions: (account: FabrikamAccountRow, args: { first?: number | null; after?: string | null }, context: SubgraphContext) =>
      resolveTransactionPage(account.id, args, context, (query) => fabrikamLoaders(context).transactions.load(query)),
    scheduledPayments: (account: FabrikamAccountRow, _args: unknown, context: SubgraphContext) =>
      fabrikamLoaders(context).scheduledPayments.load(account.id),
    payees: (account: FabrikamAccountRow, _args: unknown, context: SubgraphContext) =>
      fabrikamLoaders(context).payees.load(account.id),
  },
  FabrikamLoanDetails: {
    principal: (loan: FabrikamLoanRow) => money(loan.principalMinor),
    outstandingPrincipal: (loan: FabrikamLoanRow) => money(loan.outstandingMinor),
    nextPaymentAmount: (loan: FabrikamLoanRow) => money(loan.nextPaymentMinor),
  },
  FabrikamScheduledPayment: {
    amount: (payment: FabrikamScheduledPaymentRow) => money(payment.amountMinor),
  },
  Transaction: {
    amount: (transaction: FabrikamTransactionRow) => toMoney(transaction.amountMinor, transaction.currency),
  },
};
