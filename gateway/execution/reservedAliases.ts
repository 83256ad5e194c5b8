import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';
import { ErrorCode } from '../errors';

/**
 * Validation rule: aliases starting with "__" are the gateway's own (it adds `__cg_id` and `__cg_date`
 * to subgraph requests to decide per object). A client using one could pose as that data, so refuse it.
 */
export function ReservedAliasesRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      if (node.alias?.value.startsWith('__')) {
        context.reportError(
          new GraphQLError(`Alias "${node.alias.value}" is not allowed: aliases starting with "__" are reserved.`, {
            nodes: [node],
            extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
          }),
        );
      }
    },
  };
}
