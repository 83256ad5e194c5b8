import DataLoader from 'dataloader';
import { perRequest } from '../kit/context.js';
import { windowedQueryKey, type WindowedQuery } from '../kit/transactionPage.js';
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
    accountById: new DataLoader(async (ids) => {
      try {
        const rows = new Map((await db.accountsByIds(ids)).map((row) => [row.id, row]));
        return ids.map((id) => rows.get(id) ?? null);
      } catch (error) {
        return ids.map(() => asError(error));
      }
    }),
    transactions: new DataLoader(
      async (queries) => {
        try {
          return await db.transactionsFor(queries);
        } catch (error) {
          return queries.map(() => asError(error));
        }
      },
      { cacheKeyFn: windowedQueryKey },
    ),
  };
}

/** The loaders of the request `context` belongs to (created on first use, one set per request). */
export const northwindLoaders = perRequest(() => createNorthwindLoaders());

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
