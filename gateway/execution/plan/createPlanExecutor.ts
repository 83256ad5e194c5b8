import {
  execute,
  getVariableValues,
  GraphQLError,
  isInterfaceType,
  isObjectType,
  Kind,
  print,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { QueryPlanner, type QueryPlan } from '@graphql-hive/router-query-planner';
import { MapperKind, mapSchema, type Executor } from '@graphql-tools/utils';
import type { GatewayExecutor } from '@apollo/server-gateway-interface';
import type { GatewayContext } from '../../context';
import { pruneSubgraphRequest } from '../../consent/pruneSubgraphRequest';
import { ErrorCode } from '../../errors';
import { LIFECYCLE_NAMES } from '../../lifecycle/addLifecycleFields';
import type { ConsentModel } from '../../supergraph/consentModel';
import type { Supergraph } from '../../supergraph/readSupergraph';
import { conditionApplies, hasVariableConditions } from './collectFields';
import { evaluateTeamRules } from './evaluateTeamRules';
import { executeQueryPlan, type TypeSatisfies } from './executeQueryPlan';
import type { FieldGuards } from './fieldGuards';
import { createSubfields, shapeResult, type SubfieldsOf } from './shapeResult';

export interface PlanExecutorOptions {
  supergraph: Supergraph;
  model: ConsentModel;
  /** The served schema (supergraph API schema plus the gateway's own fields): validation and shaping use it. */
  schema: GraphQLSchema;
  guards: FieldGuards;
  /** Subgraph name -> its executor (pruning, assertion, signing, deadline, retries, breaker). */
  subgraphs: Map<string, Executor>;
}

/** Root fields the gateway answers itself, with graphql-js on the served schema; no subgraph is asked. */
export const LOCAL_ROOT_FIELDS: ReadonlySet<string> = new Set<string>(['__schema', '__type', LIFECYCLE_NAMES.query, LIFECYCLE_NAMES.mutation]);

interface PreparedOperation {
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  rootType: GraphQLObjectType;
  rootNodes: readonly FieldNode[];
  /** Root response keys answered locally, and a document with only those fields (undefined: none). */
  localKeys: Set<string>;
  localDocument?: DocumentNode;
  /** Undefined when no root field needs a subgraph. */
  plan?: QueryPlan;
  /** Cached field collection, unless @skip/@include depend on variables. */
  subfields?: SubfieldsOf;
}

/**
 * The executor Apollo Server runs instead of graphql-js (through its gateway interface): the operation is
 * planned once by Hive Router's query planner (with the consent keys added), the plan run against the
 * subgraphs, and the merged data shaped and consent-enforced in one synchronous walk (shapeResult).
 * Plans are cached per parsed document (Apollo Server caches documents by query hash).
 */
export function createPlanExecutor(options: PlanExecutorOptions): GatewayExecutor {
  const { schema, supergraph, model, guards } = options;
  const planner = new QueryPlanner(supergraph.sdl);
  // graphql-js answers only the gateway's own root fields; should any other root field reach it, it fails
  // instead of resolving through the served schema's resolvers (which would skip consent enforcement).
  const localSchema = mapSchema(schema, {
    [MapperKind.ROOT_FIELD]: (config, fieldName) => (LOCAL_ROOT_FIELDS.has(fieldName) ? config : {
      ...config,
      resolve: () => {
        throw new Error(`root field '${fieldName}' is answered by the plan, not locally`);
      },
    }),
  });
  const prepared = new WeakMap<DocumentNode, Map<string, PreparedOperation>>();
  const satisfies: TypeSatisfies = (typename, condition) => {
    if (typename === condition) return true;
    const type = schema.getType(typename);
    // An interface counts too: an @interfaceObject answers with the interface's name.
    return (isObjectType(type) || isInterfaceType(type)) && conditionApplies(schema, condition, type);
  };

  const prepare = (document: DocumentNode, operation: OperationDefinitionNode): PreparedOperation => {
    const name = operation.name?.value ?? '';
    let byName = prepared.get(document);
    if (!byName) prepared.set(document, (byName = new Map()));
    let entry = byName.get(name);
    if (entry) return entry;
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    const rootType = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'query' ? schema.getQueryType() : null;
    if (!rootType) throw new GraphQLError(`${operation.operation} operations are not served`, { extensions: { code: ErrorCode.BAD_REQUEST, http: { status: 400 } } });
    const rootNodes: FieldNode[] = [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: rootType.name }, selectionSet: operation.selectionSet }];
    const { localKeys, localNames, federated } = splitRootFields(operation, fragments, rootType.name);
    const plan = federated ? planFederated(planner, supergraph, model, document, operation, localNames) : undefined;
    const localDocument = localNames.size ? onlyRootFields(document, operation, localNames) : undefined;
    entry = {
      operation, fragments, rootType, rootNodes, localKeys, localDocument, plan,
      subfields: hasVariableConditions(document) ? undefined : createSubfields(schema, guards, fragments, {}),
    };
    if (byName.size < 16) byName.set(name, entry);
    return entry;
  };

  return async (requestContext) => {
    const ctx = requestContext.context as GatewayContext;
    const { document, operation } = requestContext;
    const op = prepare(document, operation);
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], requestContext.request.variables ?? {});
    if (coerced.errors) {
      if (requestContext.response?.http) requestContext.response.http.status = 400;
      return { errors: coerced.errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT } })) };
    }
    const variables = coerced.coerced;

    const local = op.localDocument
      ? execute({ schema: localSchema, document: op.localDocument, contextValue: ctx, variableValues: requestContext.request.variables ?? {}, operationName: operation.name?.value })
      : undefined;

    let data: Record<string, unknown> | null = {};
    const errors: GraphQLError[] = [];
    if (op.plan) {
      const run = await executeQueryPlan(op.plan, variables, (request) => {
        const executor = options.subgraphs.get(request.subgraph);
        if (!executor) throw new Error(`The plan names a subgraph the gateway does not know: '${request.subgraph}'`);
        return executor({ document: request.document, variables: request.variables, context: ctx, operationType: request.operationType as never }) as never;
      }, satisfies);
      const subfields = op.subfields ?? createSubfields(schema, guards, op.fragments, variables);
      const verdicts = guards.hasTeamRules
        ? await evaluateTeamRules({ schema, guards, subfields, rootType: op.rootType, rootNodes: op.rootNodes, data: run.data, ctx, operation, fragments: op.fragments, variables })
        : undefined;
      const shaped = shapeResult({
        schema, model, guards, subfields, rootType: op.rootType, rootNodes: op.rootNodes, data: run.data, ctx, verdicts,
        skipRootKeys: op.localKeys, hadFetchErrors: run.hadFetchErrors,
      });
      data = shaped.data;
      errors.push(...withoutStrippedPaths(run.errors, shaped.errors), ...shaped.errors);
    } else {
      // Only local fields (and perhaps __typename): shape an empty object for the root's own keys.
      const subfields = op.subfields ?? createSubfields(schema, guards, op.fragments, variables);
      data = shapeResult({ schema, model, guards, subfields, rootType: op.rootType, rootNodes: op.rootNodes, data: {}, ctx, skipRootKeys: op.localKeys, hadFetchErrors: false }).data;
    }
    if (local) {
      const result = await local;
      if (result.errors) errors.unshift(...result.errors);
      if (data && result.data) data = inRootOrder(op, data, result.data as Record<string, unknown>);
      else if (!result.data) data = null;
    }
    return errors.length ? { data, errors } : { data };
  };
}

/**
 * The operation's root fields the gateway answers itself (by response key and by name), and whether any
 * other root field needs a subgraph. Those must be selected directly on the root type: a fragment at the
 * root is planned as a whole, so it may hold only planned fields (else a validation error).
 */
export function splitRootFields(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>, rootTypeName: string): { localKeys: Set<string>; localNames: Set<string>; federated: boolean } {
  const localKeys = new Set<string>();
  const localNames = new Set<string>();
  let federated = false;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const fieldName = selection.name.value;
      if (LOCAL_ROOT_FIELDS.has(fieldName)) {
        localKeys.add(selection.alias?.value ?? fieldName);
        localNames.add(fieldName);
      } else if (fieldName !== '__typename') {
        federated = true;
      }
    } else if (selectsLocalField(selection, fragments)) {
      throw new GraphQLError(`Select ${[...LOCAL_ROOT_FIELDS].join(', ')} directly on ${rootTypeName}, not inside a fragment`, {
        extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, http: { status: 400 } },
      });
    } else {
      federated = true;
    }
  }
  return { localKeys, localNames, federated };
}

/** The query plan of the operation's root fields that need subgraphs (`localNames` left out), consent keys included. */
export function planFederated(planner: QueryPlanner, supergraph: Supergraph, model: ConsentModel, document: DocumentNode, operation: OperationDefinitionNode, localNames: Set<string>): QueryPlan {
  const remote = localNames.size ? withoutRootFields(document, operation, localNames) : document;
  // The keys the consent decisions read (account id, item date) are planned like any field.
  const withKeys = pruneSubgraphRequest(supergraph.schema, model, { document: remote, bank: '', held: 'all' }).document;
  return planner.plan(print(withKeys), operation.name?.value ?? null, NO_LABELS, 0);
}

/**
 * A subgraph's error inside a field the gateway stripped says nothing the consent error does not (a bank
 * enforcing @consent itself refuses the same field): only the gateway's error is reported there.
 */
function withoutStrippedPaths(fetchErrors: GraphQLError[], shapeErrors: GraphQLError[]): GraphQLError[] {
  if (fetchErrors.length === 0 || shapeErrors.length === 0) return fetchErrors;
  const stripped = new Set(shapeErrors.filter((e) => e.path).map((e) => e.path!.join('\u0000')));
  return fetchErrors.filter((error) => {
    const path = error.path ?? [];
    for (let i = 1; i <= path.length; i++) if (stripped.has(path.slice(0, i).join('\u0000'))) return false;
    return true;
  });
}

const NO_LABELS = new Set<string>();

/** Root keys in the operation's order, whichever part (local or planned) answered them. */
function inRootOrder(op: PreparedOperation, planned: Record<string, unknown>, local: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const selection of op.operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) continue;
    const key = selection.alias?.value ?? selection.name.value;
    if (key in local) out[key] = local[key];
    else if (key in planned) out[key] = planned[key];
  }
  // Then any other key, planned ones first (local wins a shared key), as `{ ...planned, ...local }` would order them.
  for (const key of Object.keys(planned)) if (!(key in out)) out[key] = key in local ? local[key] : planned[key];
  for (const key of Object.keys(local)) if (!(key in out)) out[key] = local[key];
  return out;
}

/** True when a root fragment selects one of the gateway's own root fields, at any depth of fragments. */
function selectsLocalField(selection: SelectionNode, fragments: Record<string, FragmentDefinitionNode>, seen = new Set<string>()): boolean {
  if (selection.kind === Kind.FIELD) return LOCAL_ROOT_FIELDS.has(selection.name.value);
  let set: SelectionSetNode | undefined;
  if (selection.kind === Kind.INLINE_FRAGMENT) set = selection.selectionSet;
  else if (!seen.has(selection.name.value)) {
    seen.add(selection.name.value);
    set = fragments[selection.name.value]?.selectionSet;
  }
  return !!set && set.selections.some((s) => selectsLocalField(s, fragments, seen));
}

/** The operation with only the root fields `keep` accepts; root fragments go with the planned part. */
function filterRoot(document: DocumentNode, operation: OperationDefinitionNode, keep: (name: string) => boolean, fragmentsToo: boolean): DocumentNode {
  const selections = operation.selectionSet.selections.filter((s) => (s.kind === Kind.FIELD ? keep(s.name.value) : fragmentsToo));
  return {
    ...document,
    definitions: document.definitions
      .filter((d) => d.kind !== Kind.OPERATION_DEFINITION || d === operation)
      .map((d) => (d === operation ? { ...operation, selectionSet: { ...operation.selectionSet, selections } } : d)),
  };
}

function withoutRootFields(document: DocumentNode, operation: OperationDefinitionNode, names: Set<string>): DocumentNode {
  return filterRoot(document, operation, (name) => !names.has(name), true);
}

function onlyRootFields(document: DocumentNode, operation: OperationDefinitionNode, names: Set<string>): DocumentNode {
  return filterRoot(document, operation, (name) => names.has(name) || name === '__typename', false);
}
