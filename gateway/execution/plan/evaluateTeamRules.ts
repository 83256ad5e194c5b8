import {
  getArgumentValues,
  getNamedType,
  GraphQLError,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
} from 'graphql';
import { allow, type IRule } from 'graphql-shield';
import type { ResponsePath } from '../../audit/DecisionLog';
import type { GatewayContext } from '../../context';
import { forbiddenByRule } from '../../rules/applyRules';
import type { RuleVerdicts, ShapeInput } from './shapeResult';

type Json = Record<string, unknown>;
// graphql-shield does not export these types; they are the parameters of a rule's resolve().
type IShieldContext = Parameters<IRule['resolve']>[2];
type IOptions = Parameters<IRule['resolve']>[4];

export interface TeamRulesInput extends Pick<ShapeInput, 'schema' | 'guards' | 'subfields' | 'rootType' | 'rootNodes' | 'data' | 'ctx'> {
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

// What graphql-shield's own middleware passes to a rule; a rule that throws denies (allowExternalErrors off).
const SHIELD_OPTIONS: IOptions = {
  debug: false,
  allowExternalErrors: false,
  fallbackRule: allow,
  fallbackError: forbiddenByRule,
  hashFunction: ({ parent, args }: { parent: unknown; args: unknown }) => JSON.stringify([parent, args]),
};

/**
 * Runs the security team's graphql-shield rules on every object of the merged data where the operation
 * selects a ruled field, before shaping (rules may be asynchronous; shaping is not). Walks only the
 * selections that can lead to a ruled field. A rule that returns false or throws denies with FORBIDDEN.
 */
export async function evaluateTeamRules(input: TeamRulesInput): Promise<RuleVerdicts> {
  const verdicts: RuleVerdicts = new WeakMap();
  const { guards, subfields, schema, ctx } = input;
  const shieldCtx = ctx as GatewayContext & IShieldContext;
  shieldCtx._shield ??= { cache: {} };
  const checks: Promise<void>[] = [];

  const visitObject = (type: GraphQLObjectType, raw: Json, nodes: readonly FieldNode[], path: ResponsePath | undefined): void => {
    for (const entry of subfields(type, nodes)) {
      const field = entry.field;
      const rule = entry.guard?.teamRule;
      const leads = field !== undefined && guards.leadsToTeamRule.has(field);
      if (!field || (!rule && !leads)) continue;
      const fieldPath: ResponsePath = { prev: path, key: entry.key };
      if (rule) {
        const info = {
          fieldName: entry.name, fieldNodes: entry.nodes, returnType: field.type, parentType: type, path: fieldPath,
          schema, fragments: input.fragments, rootValue: undefined, operation: input.operation, variableValues: input.variables,
        } as unknown as GraphQLResolveInfo;
        checks.push((async () => {
          let verdict: unknown;
          try {
            const args = getArgumentValues(field, entry.nodes[0]!, input.variables);
            verdict = await rule.resolve(raw, args, shieldCtx, info, SHIELD_OPTIONS);
          } catch {
            verdict = false;
          }
          if (verdict === true) return;
          const error = verdict instanceof GraphQLError ? verdict : verdict instanceof Error ? new GraphQLError(verdict.message, { originalError: verdict }) : forbiddenByRule();
          let byKey = verdicts.get(raw);
          if (!byKey) verdicts.set(raw, (byKey = new Map()));
          byKey.set(entry.key, error);
        })());
      }
      if (leads) visitValue(raw[entry.key], getNamedType(field.type).name, entry.nodes, fieldPath);
    }
  };

  const visitValue = (value: unknown, typeName: string, nodes: readonly FieldNode[], path: ResponsePath): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => visitValue(item, typeName, nodes, { prev: path, key: i }));
      return;
    }
    const object = value as Json;
    const declared = schema.getType(typeName);
    const runtime = isObjectType(declared) ? declared : typeof object.__typename === 'string' ? schema.getType(object.__typename) : undefined;
    if (isObjectType(runtime) && guards.reachesTeamRule.has(runtime.name)) visitObject(runtime, object, nodes, path);
  };

  visitObject(input.rootType, input.data, input.rootNodes, undefined);
  await Promise.all(checks);
  return verdicts;
}
