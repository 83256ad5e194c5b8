import {
  BREAK,
  Kind,
  visit,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
  isAbstractType,
} from 'graphql';

/** Response key -> the field nodes merged under it, in document order (GraphQL spec, CollectFields()). */
export type FieldGroups = Map<string, FieldNode[]>;

/**
 * Collects the fields a selection set asks of an object of `type`: fragments of matching type conditions
 * are entered, @skip/@include applied with the operation's variable values (spec §6.3.2).
 */
export function collectFields(
  schema: GraphQLSchema,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
): FieldGroups {
  const groups: FieldGroups = new Map();
  const visited = new Set<string>();
  const visit = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (!included(selection, variables)) continue;
      switch (selection.kind) {
        case Kind.FIELD: {
          const key = selection.alias?.value ?? selection.name.value;
          const group = groups.get(key);
          if (group) group.push(selection);
          else groups.set(key, [selection]);
          break;
        }
        case Kind.INLINE_FRAGMENT:
          if (!selection.typeCondition || conditionApplies(schema, selection.typeCondition.name.value, type)) visit(selection.selectionSet);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const fragment = fragments[name];
          if (visited.has(name) || !fragment) break;
          visited.add(name);
          if (conditionApplies(schema, fragment.typeCondition.name.value, type)) visit(fragment.selectionSet);
          break;
        }
        default: {
          const never: never = selection;
          throw new Error(`Unknown selection ${(never as { kind: string }).kind}`);
        }
      }
    }
  };
  for (const set of selectionSets) visit(set);
  return groups;
}

/** True when a type condition on `condition` applies to an object of `type`: the same type, or one of its abstract types. */
export function conditionApplies(schema: GraphQLSchema, condition: string, type: GraphQLObjectType | GraphQLInterfaceType): boolean {
  if (condition === type.name) return true;
  const conditionType = schema.getType(condition);
  return conditionType !== undefined && isAbstractType(conditionType) && schema.isSubType(conditionType, type);
}

/** True unless @skip(if: true) or @include(if: false) says otherwise. */
function included(node: { directives?: readonly DirectiveNode[] }, variables: Record<string, unknown>): boolean {
  if (!node.directives?.length) return true;
  for (const directive of node.directives) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const arg = directive.arguments?.find((a) => a.name.value === 'if');
    if (!arg) continue;
    const value = arg.value.kind === Kind.VARIABLE ? variables[arg.value.name.value] : arg.value.kind === Kind.BOOLEAN ? arg.value.value : undefined;
    if (name === 'skip' && value === true) return false;
    if (name === 'include' && value !== true) return false;
  }
  return true;
}

/** True when the document uses @skip or @include with a variable (field collection then depends on the request). */
export function hasVariableConditions(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if ((node.name.value === 'skip' || node.name.value === 'include') && node.arguments?.some((a) => a.value.kind === Kind.VARIABLE)) {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}
