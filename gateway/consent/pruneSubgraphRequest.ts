import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { ConsentModel } from '../supergraph/consentModel';

/** Aliases the gateway adds to subgraph requests, which clients may not use (see forbidReservedAliases). */
export const ACCOUNT_ID_KEY = '__cg_id';
export const DATE_KEY = '__cg_date';

export interface PruneInput {
  document: DocumentNode;
  /** The subgraph the request goes to. */
  bank: string;
  /** Scopes the user holds at that bank through any active grant; 'all' keeps every field (extras only). */
  held: Set<string> | 'all';
}

/**
 * Data minimisation (ARCHITECTURE.md, step 4): removes from a subgraph request every field the user holds
 * no grant for at that bank, so the bank is never asked for data that would be thrown away. Also adds the
 * account id and item date the gateway needs to decide per object, under reserved aliases.
 */
export function pruneSubgraphRequest(schema: GraphQLSchema, model: ConsentModel, input: PruneInput): { document: DocumentNode } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of input.document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  const allowedOn = (typeName: string, fieldName: string): boolean => {
    const requirement = model.requirements.get(`${typeName}.${fieldName}`);
    const { held } = input;
    return !requirement || held === 'all' || requirement.scopes.every((s) => held.has(s));
  };
  // On an abstract parent the concrete type is unknown: keep the field if any possible type may serve it
  // (the per-object rule still strips the others); never prune silently what a rule would not explain.
  const keepField = (parent: GraphQLCompositeType, fieldName: string): boolean => {
    if (fieldName.startsWith('__') || fieldName === '_entities') return true;
    if (isObjectType(parent)) return allowedOn(parent.name, fieldName);
    const possible = schema.getPossibleTypes(parent);
    // An @interfaceObject can have no implementation in the supergraph: nothing there is guarded.
    if (possible.length === 0) return true;
    return possible.some((t) => allowedOn(t.name, fieldName));
  };

  const visitSet = (set: SelectionSetNode, parent: GraphQLCompositeType): SelectionSetNode => {
    const selections: SelectionNode[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (!keepField(parent, name)) continue;
        if (!selection.selectionSet) {
          selections.push(selection);
          continue;
        }
        // _entities is not in the supergraph: its selections are inline fragments naming entity types,
        // so any composite type serves as the parent for the walk.
        const target = name === '_entities' ? parent : fieldType(parent, name);
        selections.push(target ? { ...selection, selectionSet: visitSet(selection.selectionSet, target) } : selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (!condition || !isCompositeType(condition)) continue;
        selections.push({ ...selection, selectionSet: visitSet(selection.selectionSet, condition) });
      } else {
        selections.push(selection);
      }
    }
    for (const extra of requiredExtras(schema, model, parent)) {
      const key = extra.kind === Kind.FIELD ? extra.alias?.value : undefined;
      if (!key || !selections.some((s) => s.kind === Kind.FIELD && s.alias?.value === key)) selections.push(extra);
    }
    if (selections.length === 0) selections.push(typenameField);
    return { ...set, selections };
  };

  const definitions = input.document.definitions.map((d) => {
    if (d.kind === Kind.OPERATION_DEFINITION) {
      const root = d.operation === 'query' ? schema.getQueryType() : d.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
      return root ? { ...d, selectionSet: visitSet(d.selectionSet, root) } : d;
    }
    if (d.kind === Kind.FRAGMENT_DEFINITION) {
      const condition = schema.getType(d.typeCondition.name.value);
      return condition && isCompositeType(condition) ? { ...d, selectionSet: visitSet(d.selectionSet, condition) } : d;
    }
    return d;
  });
  return { document: dropUnusedVariables(dropUnusedFragments({ ...input.document, definitions })) };
}

// A fragment whose only uses were pruned away would make the subgraph refuse the whole request
// (spec §5.5.1.4, fragments must be used); planners share fragments between fields.
function dropUnusedFragments(document: DocumentNode): DocumentNode {
  const used = new Set<string>();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  if (fragments.size === 0) return document;
  const queue: DocumentNode['definitions'][number][] = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  while (queue.length) {
    visit(queue.pop()!, {
      FragmentSpread(node) {
        if (used.has(node.name.value)) return;
        used.add(node.name.value);
        const fragment = fragments.get(node.name.value);
        if (fragment) queue.push(fragment);
      },
    });
  }
  if (used.size === fragments.size) return document;
  return { ...document, definitions: document.definitions.filter((d) => d.kind !== Kind.FRAGMENT_DEFINITION || used.has(d.name.value)) };
}

/**
 * True when a pruned entity request asks for nothing but type names and the gateway's own keys: there
 * is nothing the user may see, so the bank need not be asked at all.
 */
export function asksNothing(document: DocumentNode): boolean {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0]!.operation !== 'query') return false;
  const root = operations[0]!.selectionSet.selections;
  if (root.length === 0 || !root.every((s) => s.kind === Kind.FIELD && s.name.value === '_entities')) return false;
  const trivial = (set: SelectionSetNode): boolean => set.selections.every((s) =>
    s.kind === Kind.FIELD ? s.name.value === '__typename' || (s.alias?.value.startsWith('__cg_') === true && !s.selectionSet)
      : s.kind === Kind.INLINE_FRAGMENT ? trivial(s.selectionSet) : false);
  return root.every((s) => s.kind === Kind.FIELD && !!s.selectionSet && trivial(s.selectionSet));
}

const typenameField: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

function aliased(alias: string, field: string): FieldNode {
  return { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: alias }, name: { kind: Kind.NAME, value: field } };
}

// What the gateway reads to decide per object: the account's id and a dated item's date.
function requiredExtras(schema: GraphQLSchema, model: ConsentModel, type: GraphQLCompositeType): SelectionNode[] {
  const extras: SelectionNode[] = [];
  // Only the contract interface itself (an interface with an id, implemented by bank account types): a
  // supergraph may use the name Account for something else entirely (a union, a type without id).
  const isAccountInterface = type.name === model.accountInterface && isInterfaceType(type) && 'id' in type.getFields() && model.accountTypes.size > 0;
  if (isAccountInterface || model.accountTypes.has(type.name)) extras.push(aliased(ACCOUNT_ID_KEY, 'id'));
  const possible = isAbstractType(type) ? schema.getPossibleTypes(type) : [type];
  for (const t of possible) {
    const dated = model.datedTypes.get(t.name);
    if (!dated) continue;
    const field = aliased(DATE_KEY, dated.dateField);
    extras.push(t === type ? field : {
      kind: Kind.INLINE_FRAGMENT,
      typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: t.name } },
      selectionSet: { kind: Kind.SELECTION_SET, selections: [field] },
    });
  }
  return extras;
}

function fieldType(parent: GraphQLCompositeType, name: string): GraphQLCompositeType | undefined {
  const field = 'getFields' in parent ? parent.getFields()[name] : undefined;
  const named = field ? getNamedType(field.type) : undefined;
  return named && isCompositeType(named) ? named : undefined;
}

// Variables whose only uses were pruned away: an unused variable definition is invalid too (§5.8.4).
function dropUnusedVariables(document: DocumentNode): DocumentNode {
  const used = new Set<string>();
  visit(document, {
    VariableDefinition: () => false,
    Variable: (node) => {
      used.add(node.name.value);
    },
  });
  let dropped = false;
  const definitions = document.definitions.map((d) => {
    if (d.kind !== Kind.OPERATION_DEFINITION || !d.variableDefinitions?.length) return d;
    const kept = d.variableDefinitions.filter((v) => used.has(v.variable.name.value));
    if (kept.length === d.variableDefinitions.length) return d;
    dropped = true;
    return { ...d, variableDefinitions: kept } satisfies OperationDefinitionNode;
  });
  return dropped ? { ...document, definitions } : document;
}
