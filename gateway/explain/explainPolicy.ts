import { allow, deny, type IRule } from 'graphql-shield';
import type { TeamRuleEntry } from '../rules/applyRules';
import { logicRuleOf } from '../rules/ruleTree';
import type { ConsentModel, RequirementSource } from '../supergraph/consentModel';

/** How one field of an object type is decided: the consent it needs and the security team's rules on it. */
export interface FieldPolicy {
  /** `Type.field` of an object type of the served schema. */
  coordinate: string;
  /** The bank whose grants decide: the field's one owner; absent when that is the bank of the account above it. */
  bank?: string;
  /** From @consent (absent when only team rules guard the field): every scope needed, and where each is asked for. */
  consent?: { scopes: string[]; sources: RequirementSource[] };
  /** The parent type is dated: each object is served only when this field of it lies in the grant's history window. */
  window?: { dateField: string };
  /** The team's rules on the field, AND-ed with consent and with each other: the rule as written, and the file's key. */
  teamRules: { rule: string; from: string }[];
}

/**
 * Every guarded field of the served schema and how it is decided, ordered by coordinate: what
 * `consentgate explain` prints, from the same model and rule entries the gateway enforces.
 */
export function explainPolicy(model: ConsentModel, teamRules: readonly TeamRuleEntry[]): FieldPolicy[] {
  const policies = new Map<string, FieldPolicy>();
  const policyOf = (coordinate: string) => {
    let policy = policies.get(coordinate);
    if (!policy) policies.set(coordinate, (policy = { coordinate, teamRules: [] }));
    return policy;
  };
  for (const requirement of model.requirements.values()) {
    const policy = policyOf(requirement.coordinate);
    const typeName = requirement.coordinate.slice(0, requirement.coordinate.indexOf('.'));
    if (requirement.owner !== undefined) policy.bank = requirement.owner;
    policy.consent = { scopes: requirement.scopes, sources: requirement.sources };
    const dated = model.datedTypes.get(typeName);
    if (dated) policy.window = { dateField: dated.dateField };
  }
  for (const entry of teamRules) policyOf(`${entry.typeName}.${entry.fieldName}`).teamRules.push({ rule: describeRule(entry.rule), from: entry.from });
  return [...policies.values()].sort((a, b) => (a.coordinate < b.coordinate ? -1 : a.coordinate > b.coordinate ? 1 : 0));
}

/** A rule as the rules file writes it: `allow`, `deny`, a rule's name, or `and(a, b)` and the like. */
export function describeRule(rule: IRule): string {
  if ((rule as unknown) === allow) return 'allow';
  if ((rule as unknown) === deny) return 'deny';
  const logic = logicRuleOf(rule);
  if (logic) return `${logic.kind}(${logic.rules.map(describeRule).join(', ')})`;
  // rule() without a name gets Math.random()'s text from graphql-shield: not worth printing.
  const name = (rule as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' && !/^0\.\d+$/.test(name) ? name : 'rule (unnamed)';
}
