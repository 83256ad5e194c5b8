import { GraphQLError, parse, type DocumentNode } from 'graphql';
import type {
  BatchFetchNode,
  FetchNode,
  FetchNodePathSegment,
  FetchRewrite,
  FlattenNodePathSegment,
  PlanNode,
  QueryPlan,
  RequiresSelection,
} from '@graphql-hive/router-query-planner';
import type { ExecutionResult } from '@graphql-tools/utils';

type Json = Record<string, unknown>;
type Path = (string | number)[];

/** One subgraph request of a plan; the transport (signing, pruning, retries, breaker) is the caller's. */
export interface SubgraphRequest {
  subgraph: string;
  /** Parsed once per plan node and reused: callers may cache on its identity. */
  document: DocumentNode;
  variables: Record<string, unknown>;
  operationType: 'query' | 'mutation' | 'subscription';
}

export type SubgraphFetcher = (request: SubgraphRequest) => Promise<ExecutionResult>;

/** The merged, unshaped answer of every fetch of a plan: `data` keyed by response keys, errors at response paths. */
export interface PlanResult {
  data: Json;
  errors: GraphQLError[];
  /** True when some fetch failed or answered with errors (the shaping step then adds no null errors of its own). */
  hadFetchErrors: boolean;
}

/** True when an object of type `typename` satisfies a condition on `condition` (the same type, or one of its possible types). */
export type TypeSatisfies = (typename: string, condition: string) => boolean;

interface Run extends PlanResult {
  satisfies: TypeSatisfies;
}

/**
 * Runs a federation query plan (Fetch, Flatten, BatchFetch, Sequence, Parallel, Condition) produced by
 * Hive Router's planner. Entity representations are built from each fetch's `requires`, de-duplicated,
 * and the `_entities` answers merged in place; a failed fetch leaves its fields absent and never stops
 * the rest of the plan (the shaping step turns absent fields into nulls).
 */
export async function executeQueryPlan(plan: QueryPlan, variables: Record<string, unknown>, fetcher: SubgraphFetcher, typeSatisfies?: TypeSatisfies): Promise<PlanResult> {
  const run: Run = { data: {}, errors: [], hadFetchErrors: false, satisfies: typeSatisfies ?? ((typename, condition) => typename === condition) };
  if (plan.node) await executeNode(plan.node, run, variables, fetcher);
  return { data: run.data, errors: run.errors, hadFetchErrors: run.hadFetchErrors };
}

async function executeNode(node: PlanNode, run: Run, variables: Record<string, unknown>, fetcher: SubgraphFetcher): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(child, run, variables, fetcher);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(child, run, variables, fetcher)));
      return;
    case 'Condition': {
      const branch = variables[node.condition] === true ? node.ifClause : node.elseClause;
      if (branch) await executeNode(branch, run, variables, fetcher);
      return;
    }
    case 'Fetch':
      await rootFetch(node, run, variables, fetcher);
      return;
    case 'Flatten':
      if (node.node.kind !== 'Fetch') throw new Error(`Unsupported plan: Flatten over ${node.node.kind}`);
      await entityFetch(node.node, node.path, run, variables, fetcher);
      return;
    case 'BatchFetch':
      await batchFetch(node, run, variables, fetcher);
      return;
    default:
      // Defer and Subscription: the planner plans @defer eagerly, and subscriptions are not served.
      throw new Error(`Unsupported query plan node: ${(node as { kind: string }).kind}`);
  }
}

const documents = new WeakMap<object, DocumentNode>();

function documentOf(node: FetchNode | BatchFetchNode): DocumentNode {
  let document = documents.get(node);
  if (!document) {
    document = parse(node.operation, { noLocation: true });
    documents.set(node, document);
  }
  return document;
}

function pickVariables(usages: string[] | undefined, variables: Record<string, unknown>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of usages ?? []) if (name in variables) picked[name] = variables[name];
  return picked;
}

async function send(node: FetchNode | BatchFetchNode, vars: Record<string, unknown>, run: Run, fetcher: SubgraphFetcher): Promise<ExecutionResult | undefined> {
  try {
    const result = await fetcher({ subgraph: node.serviceName, document: documentOf(node), variables: vars, operationType: node.operationKind ?? 'query' });
    if (result.errors?.length) run.hadFetchErrors = true;
    return result;
  } catch (error) {
    // The fetcher turns transport failures into errors; anything thrown here is unexpected: masked later.
    run.hadFetchErrors = true;
    run.errors.push(error instanceof GraphQLError ? error : new GraphQLError('Internal error while executing the query plan', { originalError: error as Error }));
    return undefined;
  }
}

async function rootFetch(node: FetchNode, run: Run, variables: Record<string, unknown>, fetcher: SubgraphFetcher): Promise<void> {
  const result = await send(node, pickVariables(node.variableUsages, variables), run, fetcher);
  if (!result) return;
  // The planner keeps the client's aliases in root fetches, so subgraph error paths are response paths.
  for (const error of result.errors ?? []) run.errors.push(error as GraphQLError);
  const data = result.data as Json | null | undefined;
  if (data && typeof data === 'object') mergeInto(run.data, applyRewrites(data, node.outputRewrites, run.satisfies));
}

interface Target {
  object: Json;
  path: Path;
}

async function entityFetch(node: FetchNode, flattenPath: FlattenNodePathSegment[], run: Run, variables: Record<string, unknown>, fetcher: SubgraphFetcher): Promise<void> {
  const targets = collectTargets(run.data, flattenPath, run.satisfies);
  if (!node.requires) {
    // No representations: a root fetch whose answer belongs to every object at the path.
    if (targets.length === 0) return;
    const result = await send(node, pickVariables(node.variableUsages, variables), run, fetcher);
    if (!result) return;
    for (const error of result.errors ?? []) run.errors.push(error as GraphQLError);
    const data = result.data as Json | null | undefined;
    if (data && typeof data === 'object') for (const target of targets) mergeInto(target.object, data);
    return;
  }
  const batch = representations(targets, node.requires, node.inputRewrites, run.satisfies);
  if (batch.unique.length === 0) return;
  const vars = pickVariables(node.variableUsages, variables);
  vars.representations = batch.unique;
  const result = await send(node, vars, run, fetcher);
  if (!result) return;
  mergeEntities(result, '_entities', batch, node.outputRewrites, run);
  mapEntityErrors(result, new Map([['_entities', batch]]), run);
}

async function batchFetch(node: BatchFetchNode, run: Run, variables: Record<string, unknown>, fetcher: SubgraphFetcher): Promise<void> {
  const vars = pickVariables(node.variableUsages, variables);
  const batches = node.entityBatch.aliases.map((alias) => {
    const targets = alias.paths.flatMap((path) => collectTargets(run.data, path, run.satisfies));
    const batch = representations(targets, alias.requires, alias.inputRewrites, run.satisfies);
    // Every representations variable is sent, even empty: the operation declares them all as non-null.
    vars[alias.representationsVariableName] = batch.unique;
    return { alias, batch };
  });
  if (batches.every(({ batch }) => batch.unique.length === 0)) return;
  const result = await send(node, vars, run, fetcher);
  if (!result) return;
  for (const { alias, batch } of batches) mergeEntities(result, alias.alias, batch, alias.outputRewrites, run);
  mapEntityErrors(result, new Map(batches.map(({ alias, batch }) => [alias.alias, batch])), run);
}

interface RepresentationBatch {
  unique: Json[];
  /** For each unique representation, the targets it stands for. */
  targetsOf: Target[][];
}

function representations(targets: Target[], requires: RequiresSelection[], rewrites: FetchRewrite[] | undefined, satisfies: TypeSatisfies): RepresentationBatch {
  const unique: Json[] = [];
  const targetsOf: Target[][] = [];
  const indexOf = new Map<string, number>();
  for (const target of targets) {
    const typename = target.object.__typename;
    if (typeof typename !== 'string') continue;
    let representation = project(target.object, requires, typename, satisfies) as Json;
    if (!representation || Object.keys(representation).every((k) => k === '__typename')) continue;
    representation.__typename ??= typename;
    if (rewrites?.length) representation = applyRewrites(representation, rewrites, satisfies);
    const key = stableKey(representation);
    let index = indexOf.get(key);
    if (index === undefined) {
      index = unique.length;
      indexOf.set(key, index);
      unique.push(representation);
      targetsOf.push([]);
    }
    targetsOf[index]!.push(target);
  }
  return { unique, targetsOf };
}

function mergeEntities(result: ExecutionResult, key: string, batch: RepresentationBatch, rewrites: FetchRewrite[] | undefined, run: Run): void {
  const entities = (result.data as Json | null | undefined)?.[key];
  if (!Array.isArray(entities)) return;
  entities.forEach((entity, index) => {
    if (entity === null || typeof entity !== 'object') return;
    const value = rewrites?.length ? applyRewrites(entity as Json, rewrites, run.satisfies) : (entity as Json);
    for (const target of batch.targetsOf[index] ?? []) mergeInto(target.object, value);
  });
}

/**
 * An error at [entities field, i, ...rest] is reported once per object representation i stood for, at
 * that object's response path plus rest; any other error (no path, or not under an entities field) as is.
 */
function mapEntityErrors(result: ExecutionResult, batches: Map<string, RepresentationBatch>, run: Run): void {
  for (const error of result.errors ?? []) {
    const path = error.path ?? [];
    const batch = batches.get(String(path[0]));
    if (!batch || typeof path[1] !== 'number') {
      run.errors.push(error as GraphQLError);
      continue;
    }
    for (const target of batch.targetsOf[path[1]] ?? []) {
      run.errors.push(new GraphQLError(error.message, { path: [...target.path, ...path.slice(2)], extensions: error.extensions, originalError: error.originalError ?? undefined }));
    }
  }
}

/** The objects a Flatten path points at: "@" enters every list item, TypeCondition keeps matching objects. */
function collectTargets(data: Json, path: FlattenNodePathSegment[], satisfies: TypeSatisfies): Target[] {
  const targets: Target[] = [];
  const walk = (value: unknown, at: number, responsePath: Path): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, at, [...responsePath, i]));
      return;
    }
    if (typeof value !== 'object') return;
    const object = value as Json;
    if (at === path.length) {
      targets.push({ object, path: responsePath });
      return;
    }
    const segment = path[at]!;
    if (segment === '@') {
      walk(object, at + 1, responsePath);
    } else if ('Field' in segment) {
      walk(object[segment.Field], at + 1, [...responsePath, segment.Field]);
    } else if (typeMatches(object, segment.TypeCondition, satisfies)) {
      walk(object, at + 1, responsePath);
    }
  };
  walk(data, 0, []);
  return targets;
}

function typeMatches(object: Json, names: string[], satisfies: TypeSatisfies): boolean {
  const typename = object.__typename;
  return typeof typename !== 'string' || names.some((name) => satisfies(typename, name));
}

/** The part of `value` a `requires` selection names (the representation of an entity). */
function project(value: unknown, selections: RequiresSelection[], typename: string | undefined, satisfies: TypeSatisfies): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => project(item, selections, typenameOf(item), satisfies));
  if (typeof value !== 'object') return value;
  const object = value as Json;
  const out: Json = {};
  for (const selection of selections) {
    if (selection.kind === 'Field') {
      const key = selection.alias ?? selection.name;
      // Hive Router's requires: `name` is the key in the fetched data (e.g. the planner's `_internal_qp_alias_0`
      // for a field fetched with other arguments), `alias` the key in the representation (the field's name).
      const raw = object[selection.name] !== undefined ? object[selection.name] : object[key];
      if (raw === undefined) continue;
      out[key] = selection.selections?.length ? project(raw, selection.selections, typenameOf(raw), satisfies) : raw;
    } else if (selection.kind === 'InlineFragment') {
      if (typename !== undefined && !satisfies(typename, selection.typeCondition)) continue;
      Object.assign(out, project(object, selection.selections, typename, satisfies));
    }
  }
  return out;
}

function typenameOf(value: unknown): string | undefined {
  const typename = (value as Json | null)?.__typename;
  return typeof typename === 'string' ? typename : undefined;
}

function stableKey(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableKey((value as Json)[k])}`).join(',')}}`;
}

/** Merges `source` into `target` in place: objects key by key, lists item by item, a null never erases a value. */
export function mergeInto(target: Json, source: Json): void {
  for (const key of Object.keys(source)) {
    const from = source[key];
    const to = target[key];
    if (to === undefined || to === null) {
      target[key] = from;
    } else if (Array.isArray(to) && Array.isArray(from)) {
      for (let i = 0; i < from.length; i++) {
        const a = to[i];
        const b = from[i];
        if (isObject(a) && isObject(b)) mergeInto(a, b);
        else if (a === undefined || (a === null && b !== null)) to[i] = b;
      }
    } else if (isObject(to) && isObject(from)) {
      mergeInto(to, from);
    } else if (from !== null && from !== undefined) {
      target[key] = from;
    }
  }
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Applies ValueSetter / KeyRenamer rewrites (the planner's fix-ups for @interfaceObject and alias clashes). */
function applyRewrites(value: Json, rewrites: FetchRewrite[] | undefined, satisfies: TypeSatisfies): Json {
  if (!rewrites?.length) return value;
  for (const rewrite of rewrites) {
    const setter = 'ValueSetter' in rewrite ? rewrite.ValueSetter : (rewrite as { kind?: string }).kind === 'ValueSetter' ? (rewrite as unknown as { path: FetchNodePathSegment[]; setValueTo: string }) : undefined;
    if (setter) {
      rewriteAt(value, setter.path, satisfies, (object, key) => {
        object[key] = setter.setValueTo;
      });
      continue;
    }
    if ('KeyRenamer' in rewrite) {
      const { path, renameKeyTo } = rewrite.KeyRenamer;
      rewriteAt(value, path, satisfies, (object, key) => {
        if (key in object) {
          object[renameKeyTo] = object[key];
          delete object[key];
        }
      });
    }
  }
  return value;
}

function rewriteAt(value: unknown, path: FetchNodePathSegment[], satisfies: TypeSatisfies, apply: (object: Json, key: string) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) rewriteAt(item, path, satisfies, apply);
    return;
  }
  if (!isObject(value) || path.length === 0) return;
  const [segment, ...rest] = path;
  if ('TypenameEquals' in segment!) {
    const typename = value.__typename;
    if (typeof typename === 'string' && !segment.TypenameEquals.some((name) => satisfies(typename, name))) return;
    rewriteAt(value, rest, satisfies, apply);
    return;
  }
  if (rest.length === 0) apply(value, segment!.Key);
  else rewriteAt(value[segment!.Key], rest, satisfies, apply);
}
