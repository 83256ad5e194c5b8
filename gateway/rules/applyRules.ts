import { GraphQLError, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { and, shield, type IRule } from 'graphql-shield';
import { ErrorCode } from '../errors';
import type { RuleMap } from '../consent/consentRules';
import { usesNot } from './ruleTree';

/** A mistake in the security team's rules file; start-up stops on it. */
export class RulesFileError extends Error {
  override name = 'RulesFileError';
}

/** A rule that returned false or threw: deny, and say nothing of the internal reason. */
export function forbiddenByRule(): GraphQLError {
  return new GraphQLError('Forbidden by a security rule', { extensions: { code: ErrorCode.FORBIDDEN } });
}

/**
 * Applies the consent rules AND-ed with the security team's rules to the executable schema with
 * graphql-shield. Only fields that have a rule are wrapped (shield would otherwise wrap every field with
 * its fallback, doubling execution cost). `teamRules` come from expandSecurityRules (validated there).
 */
export function applyRules(schema: GraphQLSchema, consentRules: RuleMap, teamRules: RuleMap): GraphQLSchema {
  const tree: RuleMap = {};
  const types = new Set([...Object.keys(consentRules), ...Object.keys(teamRules)]);
  for (const typeName of types) {
    const fields = new Set([...Object.keys(consentRules[typeName] ?? {}), ...Object.keys(teamRules[typeName] ?? {})]);
    for (const fieldName of fields) {
      const consent = consentRules[typeName]?.[fieldName];
      const team = teamRules[typeName]?.[fieldName];
      // Consent first, so its error (which consent to ask for) is the one reported when both deny.
      (tree[typeName] ??= {})[fieldName] = consent && team ? (and(consent, team) as unknown as IRule) : (consent ?? team)!;
    }
  }
  if (Object.keys(tree).length === 0) return schema;
  const generator = shield(tree, {
    allowExternalErrors: false,
    fallbackError: forbiddenByRule,
  });
  const full = generator.generate(schema) as Record<string, Record<string, unknown>>;
  const ruled: Record<string, Record<string, unknown>> = {};
  for (const [typeName, fields] of Object.entries(tree)) {
    ruled[typeName] = {};
    for (const fieldName of Object.keys(fields)) ruled[typeName][fieldName] = full[typeName][fieldName];
  }
  return applyMiddleware(schema, ruled as never);
}

/** One rule of the team's file as it lands on one field of an object type, with the file's key it came from. */
export interface TeamRuleEntry {
  typeName: string;
  fieldName: string;
  rule: IRule;
  /** The file's key: `Type.field`, `Type.*` (a rule for the whole type), or the same on an interface. */
  from: string;
}

/** Resolves the team's file to Type -> field -> rule on object types, with interface and wildcard rules copied down. */
export function expandSecurityRules(schema: GraphQLSchema, rules: unknown, source: string): RuleMap {
  const out: RuleMap = {};
  for (const { typeName, fieldName, rule } of securityRuleEntries(schema, rules, source)) {
    // A field given a rule on its interface and on its own type gets both.
    const existing = out[typeName]?.[fieldName];
    (out[typeName] ??= {})[fieldName] = existing ? (and(existing, rule) as unknown as IRule) : rule;
  }
  return out;
}

/**
 * Validates the team's file against `schema` (throws RulesFileError naming the mistake) and lists every rule
 * on every object field it reaches: interface rules on each implementing type, `Type: rule` and `'*'` on
 * each field. A field can appear more than once; its rules are AND-ed.
 */
export function securityRuleEntries(schema: GraphQLSchema, rules: unknown, source: string): TeamRuleEntry[] {
  if (rules === null || typeof rules !== 'object' || Array.isArray(rules)) {
    throw new RulesFileError(`${source} must export default an object of Type -> { field: rule }; received ${describe(rules)}`);
  }
  const entries: TeamRuleEntry[] = [];
  for (const [typeName, entry] of Object.entries(rules as Record<string, unknown>)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type) && !isInterfaceType(type)) {
      throw new RulesFileError(`${source}: type '${typeName}' is not an object or interface type of the supergraph`);
    }
    const targets = isInterfaceType(type) ? schema.getPossibleTypes(type) : [type];
    const fieldNames = Object.keys(type.getFields());
    const fieldRules: Record<string, unknown> = isShieldRule(entry) ? { '*': entry } : (entry as Record<string, unknown>);
    if (fieldRules === null || typeof fieldRules !== 'object') {
      throw new RulesFileError(`${source}: ${typeName} must be a rule or an object of field -> rule; received ${describe(entry)}`);
    }
    for (const [fieldName, value] of Object.entries(fieldRules)) {
      if (!isShieldRule(value)) {
        throw new RulesFileError(`${source}: ${typeName}.${fieldName} must be a graphql-shield rule (rule(), allow, deny, and(), ...); received ${describe(value)}`);
      }
      // graphql-shield's not() allows when its rule throws: a team rule must fail closed (README, rules file).
      if (usesNot(value)) {
        throw new RulesFileError(`${source}: ${typeName}.${fieldName} uses not(), which allows the field when the rule inside it throws (it fails open); write the negation inside one rule() instead`);
      }
      if (fieldName !== '*' && !fieldNames.includes(fieldName)) {
        throw new RulesFileError(`${source}: field '${typeName}.${fieldName}' is not in the supergraph`);
      }
      for (const target of targets) {
        for (const name of fieldName === '*' ? Object.keys(target.getFields()) : [fieldName]) {
          entries.push({ typeName: target.name, fieldName: name, rule: value, from: `${typeName}.${fieldName}` });
        }
      }
    }
  }
  return entries;
}

function isShieldRule(value: unknown): value is IRule {
  return value !== null && typeof value === 'object' && typeof (value as { resolve?: unknown }).resolve === 'function';
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'}); wrap it with rule()`;
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : `an object with keys ${Object.keys(value).join(', ') || '(none)'}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
