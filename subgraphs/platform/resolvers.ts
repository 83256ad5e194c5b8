import type { AccountLink } from '../../schema/assertion.js';
import type { SubgraphContext } from '../kit/context.js';

/** The platform's User: only its id; everything else about a customer lives at the banks. */
interface UserRef {
  id: string;
}

/** An account reference the gateway completes from the bank that owns `__typename`. */
interface AccountRef {
  __typename: string;
  id: string;
}

/**
 * Resolvers for the platform subgraph. It knows nothing but the assertion: who the user is and which
 * accounts they linked (AccountLink); every account field is resolved by the bank through `_entities`.
 */
export const platformResolvers = {
  Query: {
    // An anonymous request (no or unreadable assertion) has user '': there is no "me" to show.
    me: (_source: unknown, _args: unknown, context: SubgraphContext): UserRef | null =>
      context.assertion.user === '' ? null : { id: context.assertion.user },
  },
  User: {
    accounts: (user: UserRef, _args: unknown, context: SubgraphContext): AccountRef[] => {
      // The links belong to the asserted user only: a User entity fetched by another id gets none.
      if (user.id !== context.assertion.user) return [];
      return (context.assertion.links ?? []).map((link: AccountLink) => ({ __typename: link.typename, id: link.accountId }));
    },
  },
  Account: {
    __resolveType: (account: AccountRef) => account.__typename,
  },
};
