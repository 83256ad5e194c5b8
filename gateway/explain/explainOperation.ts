import { getOperationAST, Kind, parse, specifiedRules, validate, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema } from 'graphql';
import type { FlattenNodePathSegment, PlanNode, QueryPlanner } from '@graphql-hive/router-query-planner';
import { planFederated, splitRootFields } from '../execution/plan/createPlanExecutor';
import { ReservedAliasesRule } from '../execution/reservedAliases';
import { prepareSubgraphRequest } from '../execution/subgraphExecutor';
import type { ConsentModel } from '../supergraph/consentModel';
import type { Supergraph } from '../supergraph/readSupergraph';

/** One subgraph request of an operation's plan, as the gateway would send it for one user. */
export interface SubgraphAsk {
  subgraph: string;
  /** Response paths whose objects it is asked about (`me.accounts.@`: each item of the list); empty for a root request. */
  under: string[];
  /** The @skip/@include variables it depends on, as `if $x` or `unless $x`, outermost first. */
  conditions: string[];
  /** The document the subgraph receives (pruned, with the consent keys); absent when it is not asked at all. */
  query?: string;
}

export interface OperationExplanation {
  /** Root fields the gateway answers itself (no subgraph is asked). */
  local: string[];
  /** In plan order: requests inside a Parallel node come one after another here. */
  asks: SubgraphAsk[];
}

export interface ExplainOperationInput {
  supergraph: Supergraph;
  model: ConsentModel;
  /** The served schema (with the gateway's own fields): the operation is validated against it. */
  schema: GraphQLSchema;
  planner: QueryPlanner;
  query: string;
  operationName?: string;
  /** The scopes the user holds at a subgraph through any active grant (RequestConsent.heldScopes). */
  held: (subgraph: string) => Set<string>;
}

/** The operation could not be explained: not GraphQL, not valid against the served schema, or ambiguous. */
export class OperationInputError extends Error {
  override name = 'OperationInputError';
}

/**
 * What each subgraph would be asked for an operation and one user's grants: the plan the gateway runs
 * (planFederated) and each request pruned as the subgraph executor prunes it (prepareSubgraphRequest).
 * Entity requests are shown as documents: which objects they carry is only known when the plan runs.
 */
export function explainOperation(input: ExplainOperationInput): OperationExplanation {
  let document: DocumentNode;
  try {
    document = parse(input.query, { noLocation: true });
  } catch (error) {
    throw new OperationInputError(`the operation is not GraphQL: ${(error as Error).message}`);
  }
  // The gateway's own rule too: a client may not use the aliases it adds for consent keys.
  const invalid = validate(input.schema, document, [...specifiedRules, ReservedAliasesRule]);
  if (invalid.length > 0) throw new OperationInputError(`the operation is not valid against the served schema: ${invalid.map((e) => e.message).join('; ')}`);
  const operation = getOperationAST(document, input.operationName);
  if (!operation) {
    throw new OperationInputError(input.operationName === undefined ? 'the document holds several operations: name one with --operation' : `the document has no operation named '${input.operationName}'`);
  }
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  // As the plan executor: queries and mutations only.
  const rootType = operation.operation === 'mutation' ? input.schema.getMutationType() : operation.operation === 'query' ? input.schema.getQueryType() : null;
  if (!rootType) throw new OperationInputError(`${operation.operation} operations are not served`);
  const { localNames, federated } = splitRootFields(operation, fragments, rootType.name);

  const asks: SubgraphAsk[] = [];
  if (federated) {
    const plan = planFederated(input.planner, input.supergraph, input.model, document, operation, localNames);
    const documents = new Map<string, DocumentNode>();
    const ask = (subgraph: string, operationText: string, under: string[], conditions: string[]) => {
      let fetched = documents.get(operationText);
      if (!fetched) documents.set(operationText, (fetched = parse(operationText, { noLocation: true })));
      const prepared = prepareSubgraphRequest(input.supergraph.schema, input.model, subgraph, fetched, input.held(subgraph));
      asks.push({ subgraph, under, conditions, ...(prepared.asksNothing ? {} : { query: prepared.query }) });
    };
    const walk = (node: PlanNode | undefined, conditions: string[]): void => {
      if (!node) return;
      switch (node.kind) {
        case 'Sequence':
        case 'Parallel':
          for (const child of node.nodes) walk(child, conditions);
          return;
        case 'Condition':
          walk(node.ifClause, [...conditions, `if $${node.condition}`]);
          walk(node.elseClause, [...conditions, `unless $${node.condition}`]);
          return;
        case 'Fetch':
          ask(node.serviceName, node.operation, [], conditions);
          return;
        case 'Flatten':
          // As the plan runner: a Flatten holds one entity fetch.
          if (node.node.kind !== 'Fetch') throw new OperationInputError(`the plan holds a Flatten over ${node.node.kind}, which the gateway does not serve`);
          ask(node.node.serviceName, node.node.operation, [pathText(node.path)], conditions);
          return;
        case 'BatchFetch':
          ask(node.serviceName, node.operation, node.entityBatch.aliases.flatMap((alias) => alias.paths.map(pathText)), conditions);
          return;
        default:
          throw new OperationInputError(`the plan holds a ${(node as { kind: string }).kind} node, which the gateway does not serve`);
      }
    };
    walk(plan.node, []);
  }
  return { local: [...localNames], asks };
}

/** A flatten path as text: fields joined by dots, `@` for each item of a list, a type condition in brackets after its step. */
function pathText(path: FlattenNodePathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (segment !== '@' && 'TypeCondition' in segment) text += `[${segment.TypeCondition.join('|')}]`;
    else text += `${text ? '.' : ''}${segment === '@' ? '@' : segment.Field}`;
  }
  return text;
}
