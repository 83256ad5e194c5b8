import {
  GraphQLBoolean, GraphQLEnumType, GraphQLError, GraphQLID, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType,
  GraphQLSchema, GraphQLString, type GraphQLFieldConfig, type GraphQLFieldConfigMap,
} from 'graphql';
import type { GatewayContext } from '../context';
import { ConsentStoreError } from '../consent/store/ConsentStoreError';
import type { ConsentStore, Grant, GrantStatus } from '../consent/types';
import { ErrorCode } from '../errors';

/** The names this adds to the served schema; a supergraph that already uses one is refused at start. */
export const LIFECYCLE_NAMES = {
  types: ['ConsentGrant', 'ConsentGrantStatus', 'ConsentInitiator'],
  query: 'consentGrants',
  mutation: 'revokeConsent',
} as const;

const Status = new GraphQLEnumType({
  name: 'ConsentGrantStatus',
  values: { ACTIVE: { value: 'active' }, EXPIRED: { value: 'expired' }, REVOKED: { value: 'revoked' } },
});

const Initiator = new GraphQLEnumType({
  name: 'ConsentInitiator',
  description: 'Who ended a grant.',
  values: { CUSTOMER: { value: 'customer' }, BANK: { value: 'bank' }, PLATFORM: { value: 'platform' } },
});

const iso = (date: Date | null) => date?.toISOString() ?? null;
const list = <T>(type: T) => new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(type as never)));

const ConsentGrant = new GraphQLObjectType<Grant, GatewayContext>({
  name: 'ConsentGrant',
  description: 'One of the signed-in customer\'s consent grants: one bank, one decision. Times are ISO 8601 (UTC).',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID) },
    bank: { type: new GraphQLNonNull(GraphQLString) },
    scopes: { type: list(GraphQLString) },
    accounts: { type: list(GraphQLID) },
    grantedAt: { type: new GraphQLNonNull(GraphQLString), resolve: (g) => iso(g.grantedAt) },
    expiresAt: { type: new GraphQLNonNull(GraphQLString), resolve: (g) => iso(g.expiresAt) },
    oneTime: { type: new GraphQLNonNull(GraphQLBoolean), description: 'Good for one retrieval.' },
    usedAt: { type: GraphQLString, resolve: (g) => iso(g.usedAt) },
    historyMonths: { type: GraphQLInt, description: 'How far back transactions may be read; null: no window.' },
    status: { type: new GraphQLNonNull(Status) },
    revokedAt: { type: GraphQLString, resolve: (g) => iso(g.revokedAt) },
    revokedBy: { type: Initiator },
    revokeReason: { type: GraphQLString },
  },
});

function signedIn(ctx: GatewayContext): string {
  if (ctx.user === null) {
    throw new GraphQLError('Sign in to manage consent grants', { extensions: { code: ErrorCode.UNAUTHENTICATED } });
  }
  return ctx.user;
}

/**
 * Adds the consent management API for the signed-in customer to the served schema (gateway-local: no
 * subgraph is asked): `consentGrants(status)` lists their grants of every status, `revokeConsent(id)`
 * revokes one of them. Anonymous -> UNAUTHENTICATED; another customer's grant is NOT_FOUND, exactly
 * like one that does not exist. Revoking an already revoked grant returns it unchanged.
 */
export function addLifecycleFields(schema: GraphQLSchema, store: ConsentStore): GraphQLSchema {
  for (const name of LIFECYCLE_NAMES.types) {
    if (schema.getType(name)) throw new Error(`the supergraph already defines type '${name}', which ConsentGate's consent API adds; rename it in its subgraph`);
  }
  const queryType = schema.getQueryType();
  if (!queryType) throw new Error('the supergraph has no Query type; ConsentGate adds Query.consentGrants to it');
  for (const [type, field] of [[queryType, LIFECYCLE_NAMES.query], [schema.getMutationType(), LIFECYCLE_NAMES.mutation]] as const) {
    if (type?.getFields()[field]) throw new Error(`the supergraph already defines ${type.name}.${field}, which ConsentGate's consent API adds; rename it in its subgraph`);
  }

  const consentGrants: GraphQLFieldConfig<unknown, GatewayContext, { status?: GrantStatus }> = {
    type: list(ConsentGrant),
    description: 'The signed-in customer\'s consent grants, every status, newest first.',
    args: { status: { type: Status } },
    resolve: (_root, { status }, ctx) => store.list({ userId: signedIn(ctx), ...(status ? { status } : {}) }),
  };
  const revokeConsent: GraphQLFieldConfig<unknown, GatewayContext, { id: string; reason?: string | null }> = {
    type: new GraphQLNonNull(ConsentGrant),
    description: 'Revokes one of the signed-in customer\'s grants, effective on the next request on every gateway instance.',
    args: { id: { type: new GraphQLNonNull(GraphQLID) }, reason: { type: GraphQLString } },
    async resolve(_root, { id, reason }, ctx) {
      const user = signedIn(ctx);
      try {
        return await store.revoke(id, 'customer', reason ?? 'revoked by the customer', { userId: user });
      } catch (error) {
        if (error instanceof ConsentStoreError && error.code === 'ALREADY_REVOKED') {
          const grant = (await store.list({ userId: user })).find((g) => g.id === id);
          if (grant) return grant;
        }
        if (error instanceof ConsentStoreError && (error.code === 'NOT_FOUND' || error.code === 'ALREADY_REVOKED')) {
          throw new GraphQLError(`No consent grant '${id}'`, { extensions: { code: ErrorCode.NOT_FOUND } });
        }
        throw error;
      }
    },
  };

  // Only the root types are replaced; every other type object (and its shield-wrapped resolvers) is
  // reused as it is. (mapSchema would rewire by name and copy the new types a second time.)
  const config = schema.toConfig();
  const mutationType = schema.getMutationType();
  const query = extend(queryType, { [LIFECYCLE_NAMES.query]: consentGrants });
  const mutation = mutationType
    ? extend(mutationType, { [LIFECYCLE_NAMES.mutation]: revokeConsent })
    : new GraphQLObjectType({ name: 'Mutation', fields: { [LIFECYCLE_NAMES.mutation]: revokeConsent } });
  return new GraphQLSchema({
    ...config,
    query,
    mutation,
    types: [...config.types.filter((type) => type !== queryType && type !== mutationType), query, mutation, ConsentGrant, Status, Initiator],
  });
}

function extend(type: GraphQLObjectType, fields: GraphQLFieldConfigMap<unknown, GatewayContext>): GraphQLObjectType {
  const config = type.toConfig();
  return new GraphQLObjectType({ ...config, fields: { ...config.fields, ...(fields as GraphQLFieldConfigMap<unknown, unknown>) } });
}
