import {
  GraphQLError,
  isAbstractType,
  isEnumType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLErrorExtensions,
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLUnionType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { pathToArray, type ResponsePath } from '../../audit/DecisionLog';
import type { Anchor, GatewayContext } from '../../context';
import { isInside, withinWindow } from '../../consent/anchorResolvers';
import { decideField } from '../../consent/decideField';
import { consentError, errorWithoutStack } from '../../errors';
import type { ConsentModel } from '../../supergraph/consentModel';
import { collectFields } from './collectFields';
import type { FieldGuard, FieldGuards } from './fieldGuards';
import { ACCOUNT_ID_KEY } from '../../consent/pruneSubgraphRequest';

type Json = Record<string, unknown>;

/** One response key of one object type, as the shaping walk needs it (cached per selection and type). */
export interface FieldEntry {
  key: string;
  name: string;
  /** `Type.field`, for messages. */
  coordinate: string;
  nodes: FieldNode[];
  field?: GraphQLField<unknown, unknown>;
  guard?: FieldGuard;
}

/** Resolves the fields a group of field nodes selects on an object type (cached by the caller). */
export type SubfieldsOf = (type: GraphQLObjectType, nodes: readonly FieldNode[]) => FieldEntry[];

/** Verdicts of the team's rules, decided before shaping: parent object -> response key -> error (absent: allowed). */
export type RuleVerdicts = WeakMap<object, Map<string, GraphQLError>>;

export interface ShapeInput {
  schema: GraphQLSchema;
  model: ConsentModel;
  guards: FieldGuards;
  subfields: SubfieldsOf;
  rootType: GraphQLObjectType;
  rootNodes: readonly FieldNode[];
  data: Json;
  ctx: GatewayContext;
  verdicts?: RuleVerdicts;
  /** Keys of root fields answered elsewhere (gateway-local fields): left out here. */
  skipRootKeys?: ReadonlySet<string>;
  /** True when a fetch reported errors: a missing non-null value is then already explained. */
  hadFetchErrors: boolean;
}

const NULLED = Symbol('null propagates to the parent');
const NO_ANCHOR: Anchor = {};

/**
 * Shapes the merged subgraph data into the response the client asked for, in one synchronous walk:
 * response keys and order of the operation, abstract types from __typename, the gateway's own keys
 * dropped, nulls propagated to the nearest nullable parent (spec §6.4.4), and consent enforced per
 * object: every guarded field is decided, logged for the audit trail, and stripped to null with one
 * error at its path; dated items outside the history window are dropped from their list.
 */
export function shapeResult(input: ShapeInput): { data: Json | null; errors: GraphQLError[] } {
  const errors: GraphQLError[] = [];
  // Errors here are expected outcomes (stripped fields), created in numbers: skip the stack capture.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const walker = new Walker(input, errors);
    const data = walker.object(input.rootType, input.data, input.rootNodes, undefined, NO_ANCHOR, input.skipRootKeys);
    return { data: data === NULLED ? null : data, errors };
  } finally {
    Error.stackTraceLimit = limit;
  }
}

class Walker {
  // One window check per dated object and window start, however many of its fields are decided under it.
  private insideItem: unknown;
  private insideFrom: Date | undefined;
  private insideResult = false;
  private readonly insideOnce = (item: unknown, from: Date): boolean => {
    if (item !== this.insideItem || from !== this.insideFrom) {
      this.insideItem = item;
      this.insideFrom = from;
      this.insideResult = isInside(item, from);
    }
    return this.insideResult;
  };

  constructor(
    private readonly input: ShapeInput,
    private readonly errors: GraphQLError[],
  ) {}

  object(type: GraphQLObjectType, raw: Json, nodes: readonly FieldNode[], path: ResponsePath | undefined, inherited: Anchor, skip?: ReadonlySet<string>): Json | typeof NULLED {
    const { model, ctx, verdicts } = this.input;
    const bank = model.accountTypes.get(type.name);
    let anchor = inherited;
    if (bank !== undefined) {
      const id = raw[ACCOUNT_ID_KEY];
      anchor = { account: typeof id === 'string' ? id : undefined, bank };
    }
    const out: Json = {};
    let inside: typeof isInside | undefined;
    for (const entry of this.input.subfields(type, nodes)) {
      const { key } = entry;
      if (skip?.has(key)) continue;
      if (entry.name === '__typename') {
        out[key] = type.name;
        continue;
      }
      const field = entry.field;
      if (!field) {
        out[key] = null;
        continue;
      }
      const guard = entry.guard;
      let childAnchor = NO_ANCHOR;
      if (guard) {
        const denied = guard.teamRule ? verdicts?.get(raw)?.get(key) : undefined;
        if (guard.requirement) {
          inside ??= model.datedTypes.has(type.name) ? this.insideOnce : isInside;
          const decision = decideField(model, type.name, guard.requirement, raw, anchor, ctx.consent, inside);
          if (!decision.served) {
            ctx.consent.log.stripped(guard.coordinate, decision);
            this.errors.push(consentError(decision.consent, pathToArray({ prev: path, key })));
            if (isNonNullType(field.type)) return NULLED;
            out[key] = null;
            continue;
          }
          // A served field's path is kept as its parent and key (no object per field): see DecisionLog.
          if (!denied) ctx.consent.log.serve(path, key, guard.coordinate, decision);
        }
        if (denied) {
          this.fail({ prev: path, key }, denied.message, denied.extensions, denied.originalError);
          if (isNonNullType(field.type)) return NULLED;
          out[key] = null;
          continue;
        }
        if (guard.carrier) childAnchor = { account: anchor.account, bank: guard.carrier.owner ?? anchor.bank };
      }
      const value = this.value(field.type, raw[key], entry, path, key, childAnchor);
      if (value === NULLED) return NULLED;
      out[key] = value;
    }
    return out;
  }

  // The value at response path prev + key; the path object is made only where it is needed (lists, objects,
  // errors), not for every leaf.
  private value(type: GraphQLOutputType, raw: unknown, entry: FieldEntry, prev: ResponsePath | undefined, key: string | number, anchor: Anchor): unknown {
    if (isNonNullType(type)) {
      const value = this.value(type.ofType, raw, entry, prev, key, anchor);
      if (value === null || value === undefined || value === NULLED) {
        // Reported once, where the null came from: a null from a child that propagated was reported there.
        if (value !== NULLED && (raw === null || raw === undefined) && !this.input.hadFetchErrors) {
          this.fail({ prev, key }, `Cannot return null for non-nullable field ${entry.coordinate}.`);
        }
        return NULLED;
      }
      return value;
    }
    if (raw === null || raw === undefined) return null;
    if (isListType(type)) {
      if (!Array.isArray(raw)) return null;
      const dated = entry.guard?.dated;
      const items: unknown[] = dated ? withinWindow(raw, this.input.ctx.consent, anchor, dated.scopes) : raw;
      const path: ResponsePath = { prev, key };
      const out = new Array<unknown>(items.length);
      for (let i = 0; i < items.length; i++) {
        const value = this.value(type.ofType, items[i], entry, path, i, anchor);
        if (value === NULLED) return null;
        out[i] = value;
      }
      return out;
    }
    if (isLeafType(type)) {
      // An enum value the served schema does not have (e.g. @inaccessible) is not returned.
      if (isEnumType(type) && (typeof raw !== 'string' || !type.getValue(raw))) return null;
      return raw;
    }
    if (typeof raw !== 'object') return null;
    const object = raw as Json;
    let runtime: GraphQLObjectType | undefined;
    if (isObjectType(type)) {
      runtime = type;
    } else if (isAbstractType(type)) {
      const typename = object.__typename;
      const candidate = typeof typename === 'string' ? this.input.schema.getType(typename) : undefined;
      if (candidate && isObjectType(candidate) && this.input.schema.isSubType(type, candidate)) runtime = candidate;
      else if (typeof typename !== 'string' || typename === type.name) runtime = this.fallbackRuntime(type);
    }
    if (!runtime) return null;
    const value = this.object(runtime, object, entry.nodes, { prev, key }, anchor);
    return value === NULLED ? null : value;
  }

  /**
   * No concrete __typename: the planner does not fetch it when no selection needs it, and an @interfaceObject
   * subgraph answers with the interface's name. Like Hive Router, shape with the interface's own fields,
   * unless a possible type has a guarded field (then only a single possible type is safe to assume).
   */
  private fallbackRuntime(type: GraphQLInterfaceType | GraphQLUnionType): GraphQLObjectType | undefined {
    const { fallbacks } = this.input.guards;
    if (fallbacks.has(type)) return fallbacks.get(type);
    const possible = this.input.schema.getPossibleTypes(type);
    const { byField } = this.input.guards;
    const guarded = possible.some((t) => Object.values(t.getFields()).some((f) => byField.has(f as GraphQLField<unknown, unknown>)));
    const runtime = possible.length === 1 ? possible[0] : isInterfaceType(type) && !guarded ? (type as unknown as GraphQLObjectType) : undefined;
    fallbacks.set(type, runtime);
    return runtime;
  }

  private fail(path: ResponsePath, message: string, extensions?: GraphQLErrorExtensions, originalError?: Error | null): void {
    this.errors.push(errorWithoutStack(message, { path: pathToArray(path), extensions, originalError: originalError ?? undefined }));
  }
}

/** Builds a cached SubfieldsOf for one operation (its fragments and, when they matter, its variables). */
export function createSubfields(schema: GraphQLSchema, guards: FieldGuards, fragments: Record<string, FragmentDefinitionNode>, variables: Record<string, unknown>): SubfieldsOf {
  const cache = new WeakMap<readonly FieldNode[], Map<GraphQLObjectType, FieldEntry[]>>();
  return (type, nodes) => {
    let byType = cache.get(nodes);
    if (!byType) {
      byType = new Map();
      cache.set(nodes, byType);
    }
    let entries = byType.get(type);
    if (!entries) {
      const sets = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
      entries = [];
      for (const [key, group] of collectFields(schema, fragments, variables, type, sets)) {
        const name = group[0]!.name.value;
        const field = name === '__typename' ? undefined : (type.getFields()[name] as GraphQLField<unknown, unknown> | undefined);
        entries.push({ key, name, coordinate: `${type.name}.${name}`, nodes: group, field, guard: field ? guards.byField.get(field) : undefined });
      }
      byType.set(type, entries);
    }
    return entries;
  };
}
