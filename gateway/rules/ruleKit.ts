import { GraphQLError } from 'graphql';
import { allow, and, chain, deny, or, race, rule, type IRule } from 'graphql-shield';
import type { SupergraphFields } from '../../schema/supergraphFields';
import type { GatewayContext } from '../context';
import { ErrorCode } from '../errors';

/** The shape of the security team's rules file, typed against the supergraph's type and field names. */
export type SecurityRules = {
  [T in keyof SupergraphFields]?: IRule | ({ [F in SupergraphFields[T]]?: IRule } & { '*'?: IRule });
};

/** Identity function that gives the rules file its types; the gateway validates it again at start-up. */
export function defineSecurityRules(rules: SecurityRules): SecurityRules {
  return rules;
}

/** Denies anonymous requests with UNAUTHENTICATED. */
export const isAuthenticated = rule('isAuthenticated', { cache: 'contextual' })(
  (_parent: unknown, _args: unknown, ctx: GatewayContext) =>
    ctx.user !== null || new GraphQLError('Authentication required', { extensions: { code: ErrorCode.UNAUTHENTICATED } }),
);

/** Denies the field to everyone, with a FORBIDDEN error naming the rule's reason. */
export function denyWith(reason: string): IRule {
  return rule(`deny:${reason}`, { cache: 'strict' })(
    () => new GraphQLError(`Forbidden: ${reason}`, { extensions: { code: ErrorCode.FORBIDDEN } }),
  );
}

// `not` is left out on purpose: it turns an error into allow (ARCHITECTURE.md, traps); a rules file that
// imports it from graphql-shield is refused at start-up (expandSecurityRules).
export { allow, and, chain, deny, or, race, rule };
