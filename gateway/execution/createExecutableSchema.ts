import type { GraphQLSchema } from 'graphql';
import { getStitchedSchemaFromSupergraphSdl } from '@graphql-tools/federation';
import type { Executor } from '@graphql-tools/utils';
import { addAnchorResolvers } from '../consent/anchorResolvers';
import { buildConsentRules, type RuleMap } from '../consent/consentRules';
import { applyRules, expandSecurityRules } from '../rules/applyRules';
import type { ConsentModel } from '../supergraph/consentModel';
import type { Supergraph } from '../supergraph/readSupergraph';
import { createSubgraphExecutor, type SubgraphResilienceOptions } from './subgraphExecutor';

export interface ExecutableSchemaOptions {
  supergraph: Supergraph;
  model: ConsentModel;
  /** The security team's rules (default export of the rules file). */
  securityRules: unknown;
  securityRulesSource?: string;
  /** Subgraph name -> URL, overriding the supergraph's routing URLs. */
  subgraphUrls?: Record<string, string>;
  subgraphTimeoutMs?: number;
  fetch?: typeof fetch;
  subgraphResilience?: SubgraphResilienceOptions;
  /** Subgraph name -> signing secret (see createSubgraphExecutor). */
  subgraphSecrets?: Record<string, string>;
  /** Default true. Apply consent and security rules to the schema's resolvers (graphql-shield); false: return them only. */
  rulesOnSchema?: boolean;
}

export interface ExecutableSchema {
  schema: GraphQLSchema;
  /** Subgraph name -> its executor. */
  subgraphs: Map<string, Executor>;
  /** The security team's rules, validated and expanded to object types. */
  teamRules: RuleMap;
}

/**
 * The stitched supergraph (@graphql-tools/federation) with consent and security rules applied:
 * subgraph requests go through createSubgraphExecutor, guarded fields through graphql-shield.
 */
export function createExecutableSchema(options: ExecutableSchemaOptions): ExecutableSchema {
  const { supergraph, model } = options;
  const byEnum = new Map(supergraph.subgraphs.map((s) => [s.enumValue, s]));
  const executors = new Map<string, Executor>();
  const stitched = getStitchedSchemaFromSupergraphSdl({
    supergraphSdl: supergraph.document,
    // Entity fetches of one level are merged into one request per subgraph (one per bank per level).
    batch: true,
    onSubschemaConfig(config) {
      const info = byEnum.get(config.name);
      const name = info?.name ?? config.name;
      let executor = executors.get(name);
      if (!executor) {
        executor = createSubgraphExecutor({
          name,
          url: options.subgraphUrls?.[name] ?? info?.url ?? config.endpoint,
          schema: supergraph.schema,
          model,
          timeoutMs: options.subgraphTimeoutMs,
          fetch: options.fetch,
          resilience: options.subgraphResilience,
          signingSecret: options.subgraphSecrets?.[name],
        });
        executors.set(name, executor);
      }
      config.executor = executor;
    },
  });
  const source = options.securityRulesSource ?? 'the rules file';
  const teamRules = expandSecurityRules(stitched, options.securityRules, source);
  if (options.rulesOnSchema === false) return { schema: stitched, subgraphs: executors, teamRules };
  const anchored = addAnchorResolvers(stitched, model);
  return { schema: applyRules(anchored, buildConsentRules(model), teamRules), subgraphs: executors, teamRules };
}
