import {
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  valueFromASTUntyped,
  type ArgumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

const SIZE_ARGUMENTS = ['first', 'last', 'limit'];

export interface CostInput {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  defaultListSize: number;
  maxListSize: number;
}

/**
 * Estimated cost of an operation: 1 per field returning an object (leaves are free), multiplied by the
 * sizes of the lists above it. A list's size is its `first`/`last`/`limit` argument, or that of the
 * connection it sits in (literal or variable, at most maxListSize), else defaultListSize. graphql-armor's cost limit ignores list sizes, which is
 * where the cost of a federated query really lies (one bank request per list level, items multiply).
 */
export function estimateCost(input: CostInput): number {
  const root = input.schema.getRootType(input.operation.operation);
  return root ? selectionCost(input, input.operation.selectionSet, root, 1, new Set()) : 0;
}

function selectionCost(input: CostInput, selectionSet: SelectionSetNode, parent: GraphQLCompositeType, multiplier: number, fragmentPath: Set<string>, connectionSize?: number): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
      const field = parent.getFields()[selection.name.value];
      if (!field || !selection.selectionSet) continue; // leaves and unknown fields (validation reports those)
      const named = getNamedType(field.type);
      if (!isCompositeType(named)) continue;
      cost += multiplier;
      const stated = listSize(input, selection.arguments ?? []);
      if (isList(field.type)) {
        cost += selectionCost(input, selection.selectionSet, named, multiplier * (stated ?? connectionSize ?? input.defaultListSize), fragmentPath);
      } else {
        // A connection (`transactions(first: 20) { nodes { ... } }`): its size argument sizes the lists inside it.
        cost += selectionCost(input, selection.selectionSet, named, multiplier, fragmentPath, stated);
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? input.schema.getType(selection.typeCondition.name.value) : parent;
      if (type && isCompositeType(type)) cost += selectionCost(input, selection.selectionSet, type, multiplier, fragmentPath, connectionSize);
    } else {
      const name = selection.name.value;
      const fragment = input.fragments[name];
      if (!fragment || fragmentPath.has(name)) continue; // cycles are a validation error (NoFragmentCycles)
      const type = input.schema.getType(fragment.typeCondition.name.value);
      if (type && isCompositeType(type)) cost += selectionCost(input, fragment.selectionSet, type, multiplier, new Set([...fragmentPath, name]), connectionSize);
    }
  }
  return cost;
}

function isList(type: GraphQLType): boolean {
  return isListType(getNullableType(type));
}

function listSize(input: CostInput, args: readonly ArgumentNode[]): number | undefined {
  for (const arg of args) {
    if (!SIZE_ARGUMENTS.includes(arg.name.value)) continue;
    const value = valueFromASTUntyped(arg.value, input.variables);
    // A size the client does not state up front is assumed to be the largest a bank will serve.
    return typeof value === 'number' && Number.isFinite(value) ? Math.min(Math.max(Math.trunc(value), 0), input.maxListSize) : input.maxListSize;
  }
  return undefined;
}
