import { allow, and, chain, not, or, race, type IRule } from 'graphql-shield';

/** The logic rules graphql-shield composes rules with. */
export type LogicRuleKind = 'and' | 'or' | 'chain' | 'race' | 'not';

// graphql-shield exports its rule constructors, not its classes: one instance of each tells them apart.
const LOGIC_RULES: [LogicRuleKind, object][] = [
  ['and', and(allow)], ['or', or(allow)], ['chain', chain(allow)], ['race', race(allow)], ['not', not(allow)],
];

/** Which logic rule `rule` is, and the rules it composes; undefined for a plain rule, `allow` or `deny`. */
export function logicRuleOf(rule: IRule): { kind: LogicRuleKind; rules: IRule[] } | undefined {
  for (const [kind, sample] of LOGIC_RULES) {
    if (rule instanceof sample.constructor) return { kind, rules: (rule as unknown as { getRules(): IRule[] }).getRules() };
  }
  return undefined;
}

/** True when `not` appears anywhere in the rule's tree. */
export function usesNot(rule: IRule): boolean {
  const logic = logicRuleOf(rule);
  return logic !== undefined && (logic.kind === 'not' || logic.rules.some(usesNot));
}
