import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * The contract's `DateTime` scalar: serialises a Date (or an ISO-8601 string) as UTC with second
 * precision, e.g. "2026-11-24T08:00:00Z"; parses ISO-8601 input into a Date. Add it to a bank's resolvers.
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 date-time in UTC, e.g. 2026-11-24T08:00:00Z.',
  serialize(value) {
    const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
    if (!date || Number.isNaN(date.getTime())) {
      throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)}: expected a Date or an ISO-8601 string`);
    }
    return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  },
  parseValue(value) {
    return parseIso(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime literals must be ISO-8601 strings');
    return parseIso(ast.value);
  },
});

function parseIso(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new GraphQLError(`DateTime expects an ISO-8601 string; received ${JSON.stringify(value)}`);
  }
  return date;
}
