import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { historyFromFor } from '../../../schema/assertion';
import type { SubgraphContext } from '../../../subgraphs/kit/context';
import { encodeCursor } from '../../../subgraphs/kit/cursor';
import { DateTimeScalar } from '../../../subgraphs/kit/dateTimeScalar';
import { toMoney, type Money } from '../../../subgraphs/kit/money';

const CONTRACT = new URL('../../../schema/contract.graphql', import.meta.url);

/** Default 1000: a generated bank pages up to this many transactions (the kit's banks stop at 100). */
export const BENCH_MAX_PAGE = 1000;

export interface BenchBankOptions {
  /** Subgraph name, lower case, e.g. 'harbor'; the account type is 'HarborAccount'. */
  name: string;
  /** Account ids the bank holds. */
  accounts: string[];
  /** Transactions per account, one every ~8 hours back from `now`. */
  transactionsPerAccount: number;
  now?: Date;
}

export interface BenchBank {
  name: string;
  typeName: string;
  sdl: string;
  build(): GraphQLSchema;
}

interface Row {
  id: string;
  postedAt: Date;
  amount: Money;
  status: 'PENDING' | 'POSTED';
  description: string;
  merchant: string | null;
}

const MERCHANTS = ['Fourth Coffee', 'Wide World Grocers', 'Lamna Pharmacy', 'Wingtip Toys', 'Northgate Fuel', null];

/**
 * A bank subgraph generated from Northwind's shape (schema/contract.graphql verbatim plus one account
 * entity type), for the list- and bank-scaling workloads. Same contract semantics as the demo banks
 * (history window from the assertion, null transactions without a grant), with data precomputed so the
 * bank costs little next to the gateway being measured.
 */
export function createBenchBank(options: BenchBankOptions): BenchBank {
  const { name } = options;
  const typeName = `${name[0].toUpperCase()}${name.slice(1)}Account`;
  const sdl = `${readFileSync(CONTRACT, 'utf8')}
"A ${name} account (generated for the benchmark from Northwind's shape)."
type ${typeName} implements Account @key(fields: "id") {
  id: ID!
  bank: String @consent(scopes: ["accounts:basic"])
  displayName: String @consent(scopes: ["accounts:basic"])
  type: AccountType @consent(scopes: ["accounts:basic"])
  maskedNumber: String @consent(scopes: ["accounts:basic"])
  balance: Money @consent(scopes: ["balances:read"])
  transactions(first: Int = 20, after: String): TransactionConnection @consent(scopes: ["transactions:basic"])
  accountNumber: String @consent(scopes: ["accounts:identifiers"])
  interestRate: String @consent(scopes: ["accounts:details"])
  overdraftLimit: Money @consent(scopes: ["accounts:details"])
}
`;
  const now = options.now ?? new Date();
  const accounts = new Map(
    options.accounts.map((id, i) => {
      const rows: Row[] = [];
      for (let k = 0; k < options.transactionsPerAccount; k++) {
        const minor = -((k * 7919 + i * 104729) % 20000) - 100;
        rows.push({
          id: `${id}-tx${String(options.transactionsPerAccount - k).padStart(5, '0')}`,
          postedAt: new Date(now.getTime() - (k + 1) * 8 * 3600_000),
          amount: toMoney(k % 15 === 0 ? 180_000 : minor, 'USD'),
          status: k < 6 ? 'PENDING' : 'POSTED',
          description: k % 15 === 0 ? 'PAYROLL DEPOSIT' : `CARD PURCHASE ${k}`,
          merchant: MERCHANTS[k % MERCHANTS.length],
        });
      }
      const balanceMinor = 250_000 + i * 1000;
      return [id, { id, i, rows, balance: toMoney(balanceMinor, 'USD') }] as const;
    }),
  );
  type AccountRecord = NonNullable<ReturnType<typeof accounts.get>>;

  const resolvers = {
    DateTime: DateTimeScalar,
    [typeName]: {
      __resolveReference: (reference: { id: string }) => accounts.get(reference.id) ?? null,
      bank: () => name,
      displayName: (a: AccountRecord) => `${name} account ${a.i + 1}`,
      type: () => 'CHECKING',
      maskedNumber: (a: AccountRecord) => `••••${String(1000 + a.i).slice(-4)}`,
      balance: (a: AccountRecord) => a.balance,
      accountNumber: (a: AccountRecord) => `9${String(a.i).padStart(9, '0')}`,
      interestRate: () => '0.01',
      overdraftLimit: () => toMoney(50_000, 'USD'),
      transactions: (a: AccountRecord, args: { first?: number | null; after?: string | null }, context: SubgraphContext) => {
        const since = historyFromFor(context.assertion, a.id);
        // No grant covers the account: nothing dated leaves the bank (as in subgraphs/kit/transactionPage.ts).
        if (since === undefined) return null;
        const first = Math.min(Math.max(args.first ?? 20, 0), BENCH_MAX_PAGE);
        const inWindow = since === null ? a.rows : a.rows.filter((row) => row.postedAt >= since);
        const start = args.after == null ? 0 : inWindow.findIndex((row) => encodeCursor(row) === args.after) + 1;
        const nodes = inWindow.slice(start, start + first);
        const last = nodes.at(-1);
        return { nodes, pageInfo: { hasNextPage: start + nodes.length < inWindow.length, endCursor: last ? encodeCursor(last) : null } };
      },
    },
  };
  return { name, typeName, sdl, build: () => buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: resolvers as never }]) };
}
