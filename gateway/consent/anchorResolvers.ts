import { defaultFieldResolver, getNamedType, isListType, isNonNullType, type GraphQLFieldResolver, type GraphQLOutputType, type GraphQLSchema } from 'graphql';
import { mapSchema, MapperKind } from '@graphql-tools/utils';
import type { Anchor, GatewayContext } from '../context';
import type { ConsentModel } from '../supergraph/consentModel';
import type { RequestConsent } from './requestConsent';
import { ACCOUNT_ID_KEY, DATE_KEY } from './pruneSubgraphRequest';

/** The account and bank of `parent`: itself when it is an account, else the anchor it was tagged with. */
export function anchorOf(model: ConsentModel, typeName: string, parent: Record<string, unknown>, ctx: GatewayContext): Anchor {
  const bank = model.accountTypes.get(typeName);
  if (bank !== undefined) {
    const id = parent[ACCOUNT_ID_KEY];
    return { account: typeof id === 'string' ? id : undefined, bank };
  }
  return ctx.anchors.get(parent) ?? {};
}

/**
 * Wraps the carrier fields (account -> ... -> guarded types) so each object they return is tagged with its
 * account, and drops dated items older than the history window of the grant that allows them
 * (CONSENT.md: "for dated data, the item lies inside the grant's history window").
 */
export function addAnchorResolvers(schema: GraphQLSchema, model: ConsentModel): GraphQLSchema {
  if (model.carriers.size === 0) return schema;
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (config, fieldName, typeName) => {
      const coordinate = `${typeName}.${fieldName}`;
      if (!model.carriers.has(coordinate)) return config;
      const resolve = config.resolve ?? defaultFieldResolver;
      const owner = model.requirements.get(coordinate)?.owner;
      const dated = datedItems(config.type, model);
      const wrapped: GraphQLFieldResolver<Record<string, unknown>, GatewayContext> = (parent, args, ctx, info) => {
        const parentAnchor = anchorOf(model, typeName, parent, ctx);
        const anchor: Anchor = { account: parentAnchor.account, bank: owner ?? parentAnchor.bank };
        const result = resolve(parent, args, ctx, info);
        return isPromise(result) ? result.then((value) => tag(value, anchor, ctx, dated)) : tag(result, anchor, ctx, dated);
      };
      return { ...config, resolve: wrapped };
    },
  });
}

interface DatedList {
  dateField: string;
  scopes: string[];
}

// A list whose items are of a dated type: the history window applies to it.
function datedItems(type: GraphQLOutputType, model: ConsentModel): DatedList | undefined {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (!isListType(inner)) return undefined;
  const dated = model.datedTypes.get(getNamedType(type).name);
  return dated ? { dateField: dated.dateField, scopes: dated.scopes } : undefined;
}

function tag(value: unknown, anchor: Anchor, ctx: GatewayContext, dated?: DatedList): unknown {
  if (Array.isArray(value)) {
    const items = dated ? withinWindow(value, ctx.consent, anchor, dated.scopes) : value;
    for (const item of items) tag(item, anchor, ctx);
    return items;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Error)) ctx.anchors.set(value, anchor);
  return value;
}

/**
 * The dated items of a list that lie inside the history window of the grant allowing `scopes` at the
 * anchor's account (CONSENT.md: "for dated data, the item lies inside the grant's history window").
 * Without an allowing grant or a window the list is left as it is: its fields are decided one by one.
 */
export function withinWindow<T>(items: T[], consent: RequestConsent, anchor: Anchor, scopes: string[]): T[] {
  if (!anchor.bank) return items;
  const decision = consent.decide(anchor.bank, scopes, anchor.account);
  const from = decision.allowed ? decision.historyFrom : undefined;
  return from ? items.filter((item) => isInside(item, from)) : items;
}

/** True when a dated item is on or after `from`; an item without a readable date is outside (fail closed). */
export function isInside(item: unknown, from: Date): boolean {
  const raw = item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[DATE_KEY] : undefined;
  const at = typeof raw === 'string' ? Date.parse(raw) : typeof raw === 'number' ? raw : NaN;
  return Number.isFinite(at) && at >= from.getTime();
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown>)?.then === 'function';
}
