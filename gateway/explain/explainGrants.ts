import { decideField } from '../consent/decideField';
import { RequestConsent, type FieldDecision } from '../consent/requestConsent';
import type { Grant } from '../consent/types';
import type { ConsentReason } from '../errors';
import type { ConsentModel } from '../supergraph/consentModel';

/** One account (or, without `account`, a bank's fields that hang under no account) and what the user's grants decide there. */
export interface AccountExplanation {
  bank: string;
  account?: string;
  /** True when a grant of the user names the account (every status): the platform lists it. */
  linked: boolean;
  /** One entry per distinct outcome: the scopes decided, served or stripped, and the fields it covers. */
  decisions: ScopeDecision[];
}

export interface ScopeDecision {
  scopes: string[];
  served: boolean;
  /** Why stripped: the reason a response would carry at these fields. */
  reason?: ConsentReason;
  /** The grant that serves them; when stripped as EXPIRED or REVOKED, the lapsed grant that would have. */
  grantId: string | null;
  /** Served fields of dated objects: items dated before this instant are outside the window (null: no window). */
  historyFrom?: Date | null;
  coordinates: string[];
}

export interface ExplainGrantsInput {
  model: ConsentModel;
  user: string;
  /** The user's grants as the store returns them (every status). */
  grants: Grant[];
  now: Date;
  /** Default: every account the user linked (what the platform lists). Accounts to explain, with their bank. */
  accounts?: { bank: string; account: string }[];
}

/**
 * What the user's grants decide now, account by account, with the gateway's own decision function
 * (decideField over a RequestConsent): the same outcome and reason a request would get for each guarded
 * field, grouped by outcome. Dated items are decided one by one at request time; here the window's start
 * is given instead.
 */
export function explainGrants(input: ExplainGrantsInput): AccountExplanation[] {
  const { model } = input;
  const consent = new RequestConsent(input.user, input.grants, input.now);
  const links = consent.links(model.accountTypeOfBank);
  const linked = new Set(links.map((link) => `${link.bank}\u0000${link.accountId}`));
  const targets: { bank: string; account?: string }[] = [...(input.accounts ?? links.map((link) => ({ bank: link.bank, account: link.accountId })))];
  // A bank's guarded fields that hang under no account are decided once per bank, after its accounts.
  for (const bank of new Set(targets.map((t) => t.bank))) targets.push({ bank });

  const explanations: AccountExplanation[] = [];
  for (const { bank, account } of targets) {
    const groups = new Map<FieldDecision, ScopeDecision>();
    for (const requirement of model.requirements.values()) {
      const typeName = requirement.coordinate.slice(0, requirement.coordinate.indexOf('.'));
      const underAccount = model.accountTypes.has(typeName) || model.anchoredTypes.has(typeName);
      // A field with one owner is that bank's; a shared value type's (no owner) is the bank of the account above it.
      if (requirement.owner === undefined ? !underAccount : requirement.owner !== bank) continue;
      if (underAccount !== (account !== undefined)) continue;
      const outcome = decideField(model, typeName, requirement, {}, { bank, account }, consent, () => true);
      let group = groups.get(outcome);
      if (!group) {
        group = { scopes: requirement.scopes, served: outcome.served, grantId: outcome.grantId, coordinates: [] };
        if (!outcome.served) group.reason = outcome.consent.reason;
        groups.set(outcome, group);
      }
      if (outcome.served && group.historyFrom === undefined && model.datedTypes.has(typeName)) {
        group.historyFrom = consent.decide(bank, requirement.scopes, account).historyFrom ?? null;
      }
      group.coordinates.push(requirement.coordinate);
    }
    if (account === undefined && groups.size === 0) continue;
    const decisions = [...groups.values()].sort((a, b) => Number(b.served) - Number(a.served) || a.scopes.join().localeCompare(b.scopes.join()));
    for (const decision of decisions) decision.coordinates.sort();
    explanations.push({ bank, ...(account === undefined ? {} : { account }), linked: account !== undefined && linked.has(`${bank}\u0000${account}`), decisions });
  }
  return explanations;
}
