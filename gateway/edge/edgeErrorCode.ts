import { ErrorCode } from '../errors';
import { GraphQLError } from 'graphql';

/** A refusal at the client edge: the code, and HTTP 400 (the request is the client's to fix). */
export function edgeError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code, http: { status: 400 } } });
}
