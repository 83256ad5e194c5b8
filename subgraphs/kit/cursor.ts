import { GraphQLError } from 'graphql';

/** The position of one dated item in a newest-first list: its date, then its id to break ties. */
export interface CursorPosition {
  postedAt: Date;
  id: string;
}

const VERSION = 'c1';

/**
 * Encodes a position as an opaque base64url cursor. Clients must treat it as opaque (GraphQL Cursor
 * Connections spec); a keyset (date, id) rather than an offset keeps pages stable when new items arrive.
 */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([VERSION, position.postedAt.toISOString(), position.id])).toString('base64url');
}

/** Decodes a cursor made by encodeCursor; anything else is a BAD_USER_INPUT GraphQLError naming the argument. */
export function decodeCursor(cursor: string, argument = 'after'): CursorPosition {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 3 && decoded[0] === VERSION) {
      const [, iso, id] = decoded as [string, unknown, unknown];
      const postedAt = typeof iso === 'string' ? new Date(iso) : new Date(Number.NaN);
      if (typeof id === 'string' && !Number.isNaN(postedAt.getTime())) return { postedAt, id };
    }
  } catch {
    // Falls through to the one error below: a client learns the rule, not our parser's complaint.
  }
  const shown = cursor.length > 40 ? `${cursor.slice(0, 40)}…` : cursor;
  throw new GraphQLError(
    `Invalid cursor: "${argument}" must be an endCursor returned by this connection; received ${JSON.stringify(shown)}`,
    { extensions: { code: 'BAD_USER_INPUT', argumentName: argument } },
  );
}
