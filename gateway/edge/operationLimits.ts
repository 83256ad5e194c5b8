import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import { ErrorCode } from '../errors';


/** Operation limits at the client edge; on by default. `false` turns one off. Every field starts with its default. */
export interface OperationLimitsOptions {
  /** Default 10. Deepest nesting of fields (fragments flattened; introspection's __schema not counted). */
  maxDepth?: number | false;
  /** Default 15. Aliases in one operation, fragments included. */
  maxAliases?: number | false;
  /** Default 1000. Lexical tokens in one document; enforced by the parser, so a huge document is never built. */
  maxTokens?: number | false;
  /** Default 50. Directives in one operation. */
  maxDirectives?: number | false;
  /** Default 5000. Estimated cost: 1 per object field, times the list sizes above it (see estimateCost). */
  maxCost?: number | false;
  /** Default 10. The size assumed for a list field without a `first`/`last`/`limit` argument. */
  defaultListSize?: number;
  /** Default 100. The size assumed for a `first`/`last`/`limit` argument no larger value of which is given. */
  maxListSize?: number;
  /** Default 0 (off). Operations allowed in one batched (array) HTTP request; 0 refuses batches. */
  maxBatchSize?: number;
}

export type ResolvedOperationLimits = Required<OperationLimitsOptions>;

const DEFAULTS: ResolvedOperationLimits = { maxDepth: 10, maxAliases: 15, maxTokens: 1000, maxDirectives: 50, maxCost: 5000, defaultListSize: 10, maxListSize: 100, maxBatchSize: 0 };

/** Applies the defaults once; a limit that is not a positive integer (or false) fails at start-up. */
export function resolveOperationLimits(options: OperationLimitsOptions = {}): ResolvedOperationLimits {
  const resolved = { ...DEFAULTS };
  for (const [key, value] of Object.entries(options) as [keyof OperationLimitsOptions, unknown][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULTS)) throw new Error(`limits.${key} is not an operation limit; known: ${Object.keys(DEFAULTS).join(', ')}`);
    const switchable = key.startsWith('max') && key !== 'maxListSize' && key !== 'maxBatchSize';
    const ok = (switchable && value === false) || (Number.isInteger(value) && (value as number) >= (key === 'maxBatchSize' ? 0 : 1));
    if (!ok) throw new Error(`limits.${key} must be ${key === 'maxBatchSize' ? 'an integer >= 0' : 'a positive integer'}${switchable ? ' or false' : ''}; received ${JSON.stringify(value)}`);
    (resolved as Record<string, unknown>)[key] = value;
  }
  return resolved;
}

/**
 * graphql-armor's validation rules for depth, aliases and directives, each reporting its own code. The
 * rules are used directly (not armor's Apollo plugin): Apollo Server 5 runs any graphql-js ValidationRule.
 */
export function buildLimitValidationRules(limits: ResolvedOperationLimits): ValidationRule[] {
  const rules: ValidationRule[] = [];
  const report = (code: ErrorCode) => ({
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { nodes: error.nodes, extensions: { code } }))],
  });
  if (limits.maxDepth !== false) rules.push(maxDepthRule({ n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true, ...report(ErrorCode.MAX_DEPTH_EXCEEDED) }) as unknown as ValidationRule);
  if (limits.maxAliases !== false) rules.push(maxAliasesRule({ n: limits.maxAliases, ...report(ErrorCode.MAX_ALIASES_EXCEEDED) }) as unknown as ValidationRule);
  if (limits.maxDirectives !== false) rules.push(maxDirectivesRule({ n: limits.maxDirectives, ...report(ErrorCode.MAX_DIRECTIVES_EXCEEDED) }) as unknown as ValidationRule);
  return rules;
}
