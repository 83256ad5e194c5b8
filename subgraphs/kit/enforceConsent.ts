import {
  GraphQLError,
  defaultFieldResolver,
  getNamedType,
  isObjectType,
  valueFromASTUntyped,
  type ASTNode,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { historyFromFor, type ConsentAssertion } from '../../schema/assertion.js';
import { expandScopes } from '../../schema/scopes.js';
import type { SubgraphContext } from './context.js';

export interface EnforceConsentOptions {
  /** Default 'Account'. The contract interface whose implementing types are accounts (their `id` is the account). */
  accountInterface?: string;
}

interface Requirement {
  scopes: string[];
  /** The field of the parent type dating it, when the parent type declares @consent(dateField). */
  dateField?: string;
}

/**
 * Defence in depth for a bank: wraps, in place, every field of `schema` that @consent guards (on the
 * field, its type, its return type or the contract interface field) so it resolves only when the signed
 * assertion of this request holds a grant with all those scopes that covers the account the object
 * belongs to and, for dated items, its history window. Otherwise the field is null with an
 * UNAUTHORIZED_FIELD_OR_TYPE error. A misconfigured gateway still cannot pull unconsented data.
 * Requires a SubgraphContext; serve the schema with a signature check (startSubgraph's `secret`).
 */
export function enforceConsent(schema: GraphQLSchema, options: EnforceConsentOptions = {}): GraphQLSchema {
  const accountInterface = options.accountInterface ?? 'Account';
  // Objects returned under an account -> that account id, so nested fields (transactions) know theirs.
  const anchors = new WeakMap<object, string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const isAccount = type.getInterfaces().some((i) => i.name === accountInterface);
    for (const field of Object.values(type.getFields())) {
      const requirement = requirementOf(type, field);
      const resolve: GraphQLFieldResolver<unknown, SubgraphContext> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const account = isAccount ? accountIdOf(source) : anchorOf(anchors, source);
        if (requirement) {
          const denied = deny(context?.assertion, requirement, account, source);
          if (denied) throw denied;
        }
        const result = resolve(source, args, context, info);
        if (account === undefined) return result;
        return isPromiseLike(result) ? Promise.resolve(result).then((value) => anchor(anchors, value, account)) : anchor(anchors, result, account);
      };
    }
  }
  return schema;
}

function requirementOf(parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>): Requirement | undefined {
  const scopes = new Set<string>();
  const add = (node: ASTNode | null | undefined) => {
    for (const scope of consentScopes(node)) scopes.add(scope);
  };
  add(field.astNode);
  for (const node of [parent.astNode, ...parent.extensionASTNodes]) add(node);
  const returned = getNamedType(field.type);
  if (isObjectType(returned)) for (const node of [returned.astNode, ...returned.extensionASTNodes]) add(node);
  for (const contract of parent.getInterfaces()) add(contract.getFields()[field.name]?.astNode);
  if (scopes.size === 0) return undefined;
  // The type's own dateField dates the object whose fields are being resolved.
  const dateField = consentArgument(parent.astNode, 'dateField');
  return { scopes: [...scopes], dateField: typeof dateField === 'string' ? dateField : undefined };
}

function consentDirective(node: ASTNode | null | undefined) {
  const directives = (node as { directives?: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: any }[] }[] } | null | undefined)?.directives;
  return directives?.find((d) => d.name.value === 'consent');
}

function consentArgument(node: ASTNode | null | undefined, name: string): unknown {
  const argument = consentDirective(node)?.arguments?.find((a) => a.name.value === name);
  return argument ? valueFromASTUntyped(argument.value) : undefined;
}

function consentScopes(node: ASTNode | null | undefined): string[] {
  const scopes = consentArgument(node, 'scopes');
  return Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [];
}

function deny(assertion: ConsentAssertion | undefined, requirement: Requirement, account: string | undefined, source: unknown): GraphQLError | undefined {
  const grants = (assertion?.grants ?? []).filter((grant) => {
    const held = expandScopes(grant.scopes);
    return requirement.scopes.every((scope) => held.has(scope)) && (account === undefined || grant.accounts.includes(account));
  });
  if (grants.length === 0) {
    const covered = account === undefined || (assertion?.grants ?? []).some((grant) => grant.accounts.includes(account));
    return refusal(requirement.scopes, covered ? 'MISSING' : 'ACCOUNT_NOT_CONSENTED');
  }
  if (requirement.dateField && account !== undefined && assertion) {
    const from = historyFromFor({ ...assertion, grants }, account);
    const raw = (source as Record<string, unknown> | null)?.[requirement.dateField];
    const at = raw instanceof Date ? raw : typeof raw === 'string' ? new Date(raw) : undefined;
    if (from && (!at || at < from)) return refusal(requirement.scopes, 'OUTSIDE_WINDOW');
  }
  return undefined;
}

function refusal(scopes: string[], reason: string): GraphQLError {
  return new GraphQLError(`Consent required: ${scopes.join(', ')}`, { extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', reason } });
}

function accountIdOf(source: unknown): string | undefined {
  const id = (source as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

function anchorOf(anchors: WeakMap<object, string>, source: unknown): string | undefined {
  return typeof source === 'object' && source !== null ? anchors.get(source) : undefined;
}

// Anchors what a field returned (an object, a list of them, or a connection's nodes) to the account.
function anchor<T>(anchors: WeakMap<object, string>, value: T, account: string): T {
  if (Array.isArray(value)) for (const item of value) anchor(anchors, item, account);
  else if (typeof value === 'object' && value !== null && !(value instanceof Date) && !anchors.has(value)) anchors.set(value, account);
  return value;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
