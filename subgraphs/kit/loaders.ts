import DataLoader from 'dataloader';
import { windowedQueryKey, type WindowedQuery } from './transactionPage.js';

/**
 * A DataLoader over a batch function that may throw: a failure puts an Error at each key of its batch
 * rather than rejecting it, so one bad load fails one field, not the whole operation (DataLoader's contract).
 */
export function safeLoader<K, V, C = K>(load: (keys: readonly K[]) => Promise<V[]>, options?: DataLoader.Options<K, V, C>): DataLoader<K, V, C> {
  return new DataLoader<K, V, C>(async (keys) => {
    try {
      return await load(keys);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      return keys.map(() => failure);
    }
  }, options);
}

/** Rows by id, null for an id the bank does not hold (the entity then resolves to null). */
export function rowsByIdLoader<Row extends { id: string }>(load: (ids: readonly string[]) => Promise<Row[]>): DataLoader<string, Row | null> {
  return safeLoader(async (ids) => {
    const rows = new Map((await load(ids)).map((row) => [row.id, row]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

/** Dated items per account inside a history window, one query per batch of windowed queries. */
export function windowedLoader<Row>(load: (queries: readonly WindowedQuery[]) => Promise<Row[][]>): DataLoader<WindowedQuery, Row[], string> {
  return safeLoader(load, { cacheKeyFn: windowedQueryKey });
}
