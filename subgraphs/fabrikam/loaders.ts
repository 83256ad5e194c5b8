import type DataLoader from 'dataloader';
import { perRequest } from '../kit/context.js';
import { rowsByIdLoader, safeLoader, windowedLoader } from '../kit/loaders.js';
import type { WindowedQuery } from '../kit/transactionPage.js';
import {
  getFabrikamDb,
  type FabrikamAccountRow,
  type FabrikamDb,
  type FabrikamPayeeRow,
  type FabrikamScheduledPaymentRow,
  type FabrikamTransactionRow,
} from './data.js';

/** Fabrikam's per-request DataLoaders: N accounts in one operation cost one query per kind of data. */
export interface FabrikamLoaders {
  /** null for an id Fabrikam does not hold (the entity resolves to null). */
  accountById: DataLoader<string, FabrikamAccountRow | null>;
  /** One account's transactions inside a window, newest first. */
  transactions: DataLoader<WindowedQuery, FabrikamTransactionRow[], string>;
  /** By account id, soonest first. */
  scheduledPayments: DataLoader<string, FabrikamScheduledPaymentRow[]>;
  /** By account id. */
  payees: DataLoader<string, FabrikamPayeeRow[]>;
}

/**
 * Builds fresh loaders over `db`. A failing query puts an Error at each of its keys rather than
 * rejecting the batch, so one bad load fails one field, not the whole operation.
 */
export function createFabrikamLoaders(db: FabrikamDb = getFabrikamDb()): FabrikamLoaders {
  return {
    accountById: rowsByIdLoader((ids) => db.accountsByIds(ids)),
    transactions: windowedLoader((queries) => db.transactionsFor(queries)),
    scheduledPayments: safeLoader((ids: readonly string[]) => db.scheduledPaymentsFor(ids)),
    payees: safeLoader((ids: readonly string[]) => db.payeesFor(ids)),
  };
}

/** The loaders of the request `context` belongs to (created on first use, one set per request). */
export const fabrikamLoaders = perRequest(() => createFabrikamLoaders());
