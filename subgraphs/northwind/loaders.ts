import type DataLoader from 'dataloader';
import { perRequest } from '../kit/context.js';
import { rowsByIdLoader, windowedLoader } from '../kit/loaders.js';
import type { WindowedQuery } from '../kit/transactionPage.js';
import { getNorthwindDb, type NorthwindAccountRow, type NorthwindDb, type NorthwindTransactionRow } from './data.js';

/** Northwind's per-request DataLoaders: N accounts in one operation cost one query per kind of data. */
export interface NorthwindLoaders {
  /** null for an id Northwind does not hold (the entity resolves to null). */
  accountById: DataLoader<string, NorthwindAccountRow | null>;
  /** One account's transactions inside a window, newest first. */
  transactions: DataLoader<WindowedQuery, NorthwindTransactionRow[], string>;
}

/**
 * Builds fresh loaders over `db`. A failing query puts an Error at each of its keys rather than
 * rejecting the batch, so one bad load fails one field, not the whole operation.
 */
export function createNorthwindLoaders(db: NorthwindDb = getNorthwindDb()): NorthwindLoaders {
  return {
    accountById: rowsByIdLoader((ids) => db.accountsByIds(ids)),
    transactions: windowedLoader((queries) => db.transactionsFor(queries)),
  };
}

/** The loaders of the request `context` belongs to (created on first use, one set per request). */
export const northwindLoaders = perRequest(() => createNorthwindLoaders());
