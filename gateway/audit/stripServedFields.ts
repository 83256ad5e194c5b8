import type { GraphQLFormattedError } from 'graphql';
import { consentMessage, ErrorCode } from '../errors';
import { pathToArray, type RevokedServing } from './DecisionLog';

type Path = readonly (string | number)[];

/**
 * Takes back fields already resolved into `data`: each is set to null with one consent error at its
 * path, as if the rule had stripped it. A field inside one taken back too is covered by the outer
 * error (its path no longer exists), so it gets none of its own.
 */
export function stripServedFields(
  result: { data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] },
  fields: readonly RevokedServing[],
): void {
  if (fields.length === 0 || !result.data) return;
  const sorted = fields.map((field) => ({ field, path: pathToArray(field.path) })).sort((a, b) => a.path.length - b.path.length);
  const nulled: Path[] = [];
  const errors: GraphQLFormattedError[] = [];
  for (const { field, path } of sorted) {
    if (nulled.some((outer) => isPrefix(outer, path))) continue;
    if (!setNull(result.data, path)) continue;
    nulled.push(path);
    const consent = { ...field.consent, reason: field.reason };
    errors.push({
      message: consentMessage(consent),
      path,
      extensions: { code: ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE, consent },
    });
  }
  if (errors.length > 0) result.errors = [...(result.errors ?? []), ...errors];
}

function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => path[i] === key);
}

/** Sets data[path] to null; false when the path is not there (an enclosing value is already null). */
function setNull(data: Record<string, unknown>, path: Path): boolean {
  let node: unknown = data;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string | number, unknown>)[key];
  }
  if (node === null || typeof node !== 'object') return false;
  const last = path[path.length - 1]!;
  if (!(last in (node as object))) return false;
  (node as Record<string | number, unknown>)[last] = null;
  return true;
}
