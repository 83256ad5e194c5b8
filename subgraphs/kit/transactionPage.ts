import { historyFromFor } from '../../schema/assertion.js';
import type { SubgraphContext } from './context.js';
import { decodeCursor, encodeCursor, type CursorPosition } from './cursor.js';

/** Default 20 (the contract's `first` default); a bank never returns more than MAX_PAGE_SIZE per page. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A dated item as the data layer stores it; `id` must be unique within the list. */
export interface DatedItem {
  id: string;
  postedAt: Date;
}

/** What a bank's data layer is asked for: one account's items, none older than `since` (null: no window). */
export interface WindowedQuery {
  accountId: string;
  since: Date | null;
}

/** The contract's TransactionConnection, before field resolvers format the items. */
export interface TransactionPage<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** The contract's order: newest first, ties broken by id (descending) so the order is total. */
export function compareNewestFirst(a: DatedItem, b: DatedItem): number {
  return b.postedAt.getTime() - a.postedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** `first` as the contract allows it: null means the default, negatives mean 0, and at most MAX_PAGE_SIZE. */
export function clampFirst(first: number | null | undefined, fallback = DEFAULT_PAGE_SIZE): number {
  if (first === null || first === undefined) return fallback;
  return Math.min(Math.max(first, 0), MAX_PAGE_SIZE);
}

/**
 * One page of `items` (already sorted by compareNewestFirst) after the cursor `after`.
 * Throws a BAD_USER_INPUT GraphQLError for a cursor this connection did not issue.
 */
export function pageTransactions<T extends DatedItem>(
  items: readonly T[],
  args: { first?: number | null; after?: string | null },
): TransactionPage<T> {
  const first = clampFirst(args.first);
  const start = args.after == null ? 0 : firstIndexAfter(items, decodeCursor(args.after));
  const nodes = items.slice(start, start + first);
  const last = nodes.at(-1);
  return {
    nodes,
    pageInfo: { hasNextPage: start + nodes.length < items.length, endCursor: last ? encodeCursor(last) : null },
  };
}

function firstIndexAfter(items: readonly DatedItem[], position: CursorPosition): number {
  // Keyset seek: the first item that sorts strictly after the cursor's position (binary search).
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareNewestFirst(items[middle]!, position) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Resolves the contract's `Account.transactions` with the history window applied at the source:
 * null when no grant in the assertion covers the account, else a page of the items `load` returns for
 * the window. `load` is the bank's DataLoader, so N accounts cost one query.
 */
export async function resolveTransactionPage<T extends DatedItem>(
  accountId: string,
  args: { first?: number | null; after?: string | null },
  context: SubgraphContext,
  load: (query: WindowedQuery) => Promise<readonly T[]>,
): Promise<TransactionPage<T> | null> {
  const since = historyFromFor(context.assertion, accountId);
  // No grant covers the account: the bank sends nothing dated at all (data minimisation, CONSENT.md).
  if (since === undefined) return null;
  if (args.after != null) decodeCursor(args.after); // a bad cursor fails before any data is read
  return pageTransactions(await load({ accountId, since }), args);
}

/** The DataLoader cache key of a WindowedQuery: same account and same window share one load. */
export function windowedQueryKey(query: WindowedQuery): string {
  return `${query.accountId}\u0000${query.since?.toISOString() ?? ''}`;
}
