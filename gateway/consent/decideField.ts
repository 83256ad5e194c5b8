import type { Anchor } from '../context';
import type { ConsentModel, FieldRequirement } from '../supergraph/consentModel';
import { isInside } from './anchorResolvers';
import type { FieldDecision, RequestConsent } from './requestConsent';

export type { FieldDecision } from './requestConsent';

/**
 * Decides one guarded field of one object (CONSENT.md, "How a field is decided"): the bank is the field's
 * owner or the account's bank, the account the object's own or the one it hangs under; dated items must
 * lie inside the allowing grant's window (`inside`, which callers may memoise per object). Anything unknown
 * strips (no "maybe"). Logging is the caller's; the only effect is the outcome memoised on the decision.
 */
export function decideField(
  model: ConsentModel,
  typeName: string,
  requirement: FieldRequirement,
  parent: Record<string, unknown>,
  anchor: Anchor,
  consent: RequestConsent,
  inside: (item: Record<string, unknown>, from: Date) => boolean = isInside,
): FieldDecision {
  const needsAccount = model.accountTypes.has(typeName) || model.anchoredTypes.has(typeName);
  const bank = requirement.owner ?? anchor.bank;
  if (bank === undefined || (needsAccount && anchor.account === undefined)) {
    return { served: false, consent: { bank: bank ?? 'unknown', scopes: requirement.scopes, reason: 'ACCOUNT_NOT_CONSENTED' }, grantId: null };
  }
  const decision = consent.decide(bank, requirement.scopes, anchor.account);
  const extension = decision.extension;
  // The outcome is the same for every field and object under one decision (made once per request and
  // reused: the walk asks for every guarded field of every object), and so is the outside-window one.
  if (!decision.allowed || !decision.grant) {
    return (decision.outcome ??= { served: false, consent: { ...extension, reason: decision.reason ?? 'MISSING' }, grantId: decision.grant?.id ?? null });
  }
  if (decision.historyFrom && model.datedTypes.has(typeName) && !inside(parent, decision.historyFrom)) {
    return (decision.outsideWindow ??= { served: false, consent: { ...extension, reason: 'OUTSIDE_WINDOW' }, grantId: decision.grant.id });
  }
  return (decision.outcome ??= { served: true, consent: extension, grantId: decision.grant.id, oneTime: decision.grant.oneTime });
}
