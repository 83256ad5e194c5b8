import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { GraphQLError, Kind, type FragmentDefinitionNode, type GraphQLFormattedError, type ValidationRule } from 'graphql';
import { edgeError } from './edgeErrorCode';
import { ErrorCode } from '../errors';
import { estimateCost } from './estimateCost';
import { buildLimitValidationRules, resolveOperationLimits, type OperationLimitsOptions, type ResolvedOperationLimits } from './operationLimits';

export interface ClientEdgeOptions {
  /** Default process.env.NODE_ENV === 'production'. Introspection off, no landing page, schema details hidden. */
  production?: boolean;
  /** Default false. Introspection; refused at start-up in production. */
  introspection?: boolean;
  limits?: OperationLimitsOptions;
}

/** The client edge resolved once: what goes into the ApolloServer config, and the limits the HTTP server enforces. */
export interface ClientEdge {
  production: boolean;
  limits: ResolvedOperationLimits;
  apollo: Pick<ApolloServerOptions<BaseContext>, 'introspection' | 'hideSchemaDetailsFromClientErrors' | 'parseOptions' | 'allowBatchedHttpRequests' | 'csrfPrevention' | 'includeStacktraceInErrorResponses'>;
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<any>[];
  /** Gives edge refusals their own code (Apollo files them under GRAPHQL_VALIDATION/PARSE_FAILED). */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
}

/** Resolves production mode and operation limits; bad configuration fails here, at start-up. */
export function createClientEdge(options: ClientEdgeOptions = {}): ClientEdge {
  const production = options.production ?? process.env.NODE_ENV === 'production';
  if (production && options.introspection) throw new Error('introspection must be off in production (production mode is on: NODE_ENV=production or production: true); received introspection: true');
  const introspection = options.introspection ?? false;
  const limits = resolveOperationLimits(options.limits);
  return {
    production,
    limits,
    apollo: {
      introspection,
      // "Did you mean ...?" suggestions describe the schema even with introspection off.
      hideSchemaDetailsFromClientErrors: production || !introspection,
      includeStacktraceInErrorResponses: false,
      // graphql-js stops lexing past maxTokens, so a giant document costs no more than the limit to refuse.
      ...(limits.maxTokens === false ? {} : { parseOptions: { maxTokens: limits.maxTokens } }),
      allowBatchedHttpRequests: limits.maxBatchSize > 0,
      // Apollo's CSRF prevention: a GET or simple POST needs a non-simple content type or a preflight header.
      csrfPrevention: true,
    },
    validationRules: buildLimitValidationRules(limits),
    plugins: [
      // The local default landing page loads Apollo Sandbox from Apollo's CDN: development only.
      production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: false, includeCookies: false, footer: false }),
      costLimitPlugin(limits),
    ],
    formatError(formatted, error) {
      const code = formatted.extensions?.code;
      let edgeCode: unknown;
      if (code === 'GRAPHQL_VALIDATION_FAILED') edgeCode = (error as GraphQLError | undefined)?.originalError instanceof GraphQLError ? ((error as GraphQLError).originalError as GraphQLError).extensions?.code : undefined;
      // graphql-js 16 words it "more that N tokens"; the client gets the limit in plain words.
      if (code === 'GRAPHQL_PARSE_FAILED' && /Document contains more tha[nt] \d+ tokens/.test(formatted.message)) {
        return { ...formatted, message: `Document contains more than ${limits.maxTokens} tokens. Parsing aborted.`, extensions: { ...formatted.extensions, code: ErrorCode.MAX_TOKENS_EXCEEDED } };
      }
      if (typeof edgeCode !== 'string' || !EDGE_CODES.has(edgeCode)) return formatted;
      return { ...formatted, extensions: { ...formatted.extensions, code: edgeCode } };
    },
  };
}

const EDGE_CODES = new Set<string>(Object.values(ErrorCode));

/** Refuses an operation whose estimated cost (estimateCost, with the request's variables) passes maxCost. */
function costLimitPlugin(limits: ResolvedOperationLimits): ApolloServerPlugin<any> {
  return {
    async requestDidStart() {
      if (limits.maxCost === false) return;
      const maxCost = limits.maxCost;
      return {
        async didResolveOperation({ document, operation, schema, request }) {
          if (!operation) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          const cost = estimateCost({ schema, operation, fragments, variables: request.variables ?? {}, defaultListSize: limits.defaultListSize, maxListSize: limits.maxListSize });
          if (cost > maxCost) throw edgeError(ErrorCode.MAX_COST_EXCEEDED, `Operation cost ${cost} exceeds the limit of ${maxCost}`, { cost, maxCost });
        },
      };
    },
  };
}
