import type DataLoader from 'dataloader';
import { perRequest } from '../kit/context.js';
import { rowsByIdLoader, windowedLoader } from '../kit/loaders.js';
import type { WindowedQuery } from '../kit/transactionPage.js';
import {
  getContosoDb,
  type ContosoCardRow,
  type ContosoDb,
  type ContosoStatementRow,
  type ContosoTransactionRow,
} from './data.js';

/** Contoso's per-request DataLoaders: N cards in one operation cost one query per kind of data. */
export interface ContosoLoaders {
  /** null for an id Contoso does not hold (the entity resolves to null). */
  cardById: DataLoader<string, ContosoCardRow | null>;
  /** One card's transactions inside a window, newest first. */
  transactions: DataLoader<WindowedQuery, ContosoTransactionRow[], string>;
  /** One card's statements inside a window, newest first. */
  statements: DataLoader<WindowedQuery, ContosoStatementRow[], string>;
}

/**
 * Builds fresh loaders over `db`. A failing query puts an Error at each of its keys rather than
 * rejecting the batch, so one bad load fails one field, not the whole operation.
 */
export function createContosoLoaders(db: ContosoDb = getContosoDb()): ContosoLoaders {
  return {
    cardById: rowsByIdLoader((ids) => db.accountsByIds(ids)),
    transactions: windowedLoader((queries) => db.transactionsFor(queries)),
    statements: windowedLoader((queries) => db.statementsFor(queries)),
  };
}

/** The loaders of the request `context` belongs to (created on first use, one set per request). */
export const contosoLoaders = perRequest(() => createContosoLoaders());
