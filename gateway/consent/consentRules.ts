import type { GraphQLResolveInfo } from 'graphql';
import { rule } from 'graphql-shield';
import type { IRule } from 'graphql-shield';
import type { GatewayContext } from '../context';
import { consentError } from '../errors';
import type { ConsentModel, FieldRequirement } from '../supergraph/consentModel';
import { anchorOf } from './anchorResolvers';
import { decideField } from './decideField';

/** Type -> field -> the consent rule for that field; only guarded fields appear. */
export type RuleMap = Record<string, Record<string, IRule>>;

/**
 * One graphql-shield rule per guarded field, generated from @consent. Decided per object at execution
 * time: the bank is the field's owner (or the account's bank for shared value types), the account is the
 * object's own or the one it hangs under. Anything unknown strips the field (CONSENT.md: no "maybe").
 * Every decision, either way, goes to the request's DecisionLog for the audit trail.
 */
export function buildConsentRules(model: ConsentModel): RuleMap {
  const rules: RuleMap = {};
  for (const requirement of model.requirements.values()) {
    const [typeName, fieldName] = requirement.coordinate.split('.');
    (rules[typeName] ??= {})[fieldName] = consentRule(model, typeName, requirement);
  }
  return rules;
}

function consentRule(model: ConsentModel, typeName: string, requirement: FieldRequirement): IRule {
  // no_cache: shield's caches key on rule name and args, not on the parent object; decisions are cached
  // per request in RequestConsent instead, keyed by bank, account and scopes.
  return rule(`consent:${requirement.coordinate}`, { cache: 'no_cache' })(
    (parent: Record<string, unknown>, _args: unknown, ctx: GatewayContext, info: GraphQLResolveInfo) => {
      const object = parent ?? {};
      const decision = decideField(model, typeName, requirement, object, anchorOf(model, typeName, object, ctx), ctx.consent);
      if (!decision.served) {
        ctx.consent.log.stripped(requirement.coordinate, decision);
        return consentError(decision.consent);
      }
      ctx.consent.log.serve(info.path.prev, info.path.key, requirement.coordinate, decision);
      return true;
    },
  );
}
