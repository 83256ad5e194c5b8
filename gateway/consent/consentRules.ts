import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import { rule } from 'graphql-shield';
import type { IRule } from 'graphql-shield';
import type { GatewayContext } from '../context';
import { consentError, type ConsentErrorExtension } from '../errors';
import type { ConsentModel, FieldRequirement } from '../supergraph/consentModel';
import { anchorOf, isInside } from './anchorResolvers';

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
  const needsAccount = model.accountTypes.has(typeName) || model.anchoredTypes.has(typeName);
  const dated = model.datedTypes.get(typeName);
  // no_cache: shield's caches key on rule name and args, not on the parent object; decisions are cached
  // per request in RequestConsent instead, keyed by bank, account and scopes.
  return rule(`consent:${requirement.coordinate}`, { cache: 'no_cache' })(
    (parent: Record<string, unknown>, _args: unknown, ctx: GatewayContext, info: GraphQLResolveInfo) => {
      const { coordinate } = requirement;
      const strip = (consent: ConsentErrorExtension, grantId?: string) => {
        ctx.consent.log.stripped(coordinate, consent.bank, consent.reason, grantId ?? null);
        return consentError(consent);
      };
      const anchor = anchorOf(model, typeName, parent ?? {}, ctx);
      const bank = requirement.owner ?? anchor.bank;
      if (bank === undefined || (needsAccount && anchor.account === undefined)) {
        return strip({ bank: bank ?? 'unknown', scopes: requirement.scopes, reason: 'ACCOUNT_NOT_CONSENTED' });
      }
      const decision = ctx.consent.decide(bank, requirement.scopes, anchor.account);
      const extension = { bank, scopes: requirement.scopes, ...(anchor.account ? { account: anchor.account } : {}) };
      if (!decision.allowed || !decision.grant) return strip({ ...extension, reason: decision.reason ?? 'MISSING' }, decision.grant?.id);
      if (dated && decision.historyFrom && !isInside(parent, decision.historyFrom)) {
        return strip({ ...extension, reason: 'OUTSIDE_WINDOW' }, decision.grant.id);
      }
      ctx.consent.log.serve({
        path: responsePathAsArray(info.path), coordinate, consent: extension,
        grantId: decision.grant.id, oneTime: decision.grant.oneTime,
      });
      return true;
    },
  );
}
