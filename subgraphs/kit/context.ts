import { ASSERTION_HEADER, decodeAssertion, type ConsentAssertion } from '../../schema/assertion.js';

/**
 * What every ConsentGate subgraph resolver receives: the consent assertion the gateway sent with this
 * request. Create one per request; per-request state (DataLoaders) hangs off it with `perRequest`.
 */
export interface SubgraphContext {
  readonly assertion: ConsentAssertion;
}

/** Request headers as Node (`req.headers`), a plain record, or a Fetch `Headers` object gives them. */
export type HeaderSource =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null };

/**
 * Builds the context for one request from its headers. A missing or unreadable assertion header yields no
 * grants and no user, so every consent-dependent answer is empty (fail closed, see schema/assertion.ts).
 */
export function createSubgraphContext(headers: HeaderSource): SubgraphContext {
  return { assertion: decodeAssertion(readHeader(headers, ASSERTION_HEADER)) };
}

/** One header value by case-insensitive name (first value of a repeated header). */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers.get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  // HTTP header names are case-insensitive (RFC 9110 §5.1); Node lower-cases them, hand-made records may not.
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}

/**
 * Memoises `create(context)` per context object, so state such as DataLoaders lives exactly as long as
 * one request. Any host (Apollo Server, an in-memory executor, a test) gets per-request loaders for free.
 */
export function perRequest<T>(create: (context: SubgraphContext) => T): (context: SubgraphContext) => T {
  const cache = new WeakMap<SubgraphContext, T>();
  return (context) => {
    let value = cache.get(context);
    if (value === undefined) {
      value = create(context);
      cache.set(context, value);
    }
    return value;
  };
}
