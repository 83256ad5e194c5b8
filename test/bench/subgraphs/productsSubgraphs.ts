import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';

/**
 * Workload 2: the shape of the public graphql-gateways-benchmark (accounts, inventory, products and
 * reviews subgraphs: users, products with an inventory estimate that @requires price and weight, reviews
 * that cross back to both), written for this benchmark with its own small data set.
 */

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@provides", "@shareable"])';

interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}
interface Review {
  id: string;
  body: string;
  productUpc: string;
  authorId: string;
}

const FIRST_NAMES = ['Ada', 'Brook', 'Cyril', 'Dana', 'Emil', 'Flora'];
const USERS: User[] = FIRST_NAMES.map((first, i) => ({
  id: String(i + 1),
  name: `${first} Example`,
  username: first.toLowerCase(),
  birthday: 1_000_000 + i * 86_400,
}));

const PRODUCT_NAMES = ['Table', 'Couch', 'Chair', 'Lamp', 'Desk', 'Shelf', 'Rug', 'Stool', 'Bench'];
const PRODUCTS: Product[] = PRODUCT_NAMES.map((name, i) => ({ upc: String(i + 1), name, price: 150 + i * 137, weight: 20 + i * 15 }));

const SENTENCES = [
  'Solid build, arrived on time and was easy to assemble with the included tools.',
  'The finish scratches easily, but for the price it does the job well enough for a spare room.',
  'Exactly as pictured. We bought a second one for the office after a month of daily use.',
  'Comfortable, sturdy and quiet; the only complaint is that the instructions were missing a step.',
];
// Twelve reviews over the first six products, two per user.
const REVIEWS: Review[] = Array.from({ length: 12 }, (_, i) => ({
  id: String(i + 1),
  body: SENTENCES[i % SENTENCES.length].repeat(1 + (i % 3)),
  productUpc: String((i % 6) + 1),
  authorId: String(((i * 5) % 6) + 1),
}));

const usersById = new Map(USERS.map((u) => [u.id, u]));
const productsByUpc = new Map(PRODUCTS.map((p) => [p.upc, p]));
const reviewsById = new Map(REVIEWS.map((r) => [r.id, r]));

export interface ProductsSubgraph {
  name: string;
  sdl: string;
  build(): GraphQLSchema;
}

const subgraph = (name: string, sdl: string, resolvers: Record<string, unknown>): ProductsSubgraph => ({
  name,
  sdl,
  build: () => buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: resolvers as never }]),
});

/** The four subgraphs of workload 2. */
export function productsSubgraphs(): ProductsSubgraph[] {
  return [
    subgraph(
      'accounts',
      /* GraphQL */ `${LINK}
        type Query { me: User user(id: ID!): User users: [User] }
        type User @key(fields: "id") { id: ID! name: String username: String @shareable birthday: Int }`,
      {
        Query: { me: () => USERS[0], user: (_: unknown, { id }: { id: string }) => usersById.get(id) ?? null, users: () => USERS },
        User: { __resolveReference: (ref: { id: string }) => usersById.get(ref.id) ?? null },
      },
    ),
    subgraph(
      'inventory',
      /* GraphQL */ `${LINK}
        type Product @key(fields: "upc") {
          upc: String!
          weight: Int @external
          price: Int @external
          inStock: Boolean
          shippingEstimate: Int @requires(fields: "price weight")
        }`,
      {
        Product: {
          __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ref,
          inStock: (p: { upc: string }) => Number(p.upc) % 4 !== 0,
          // Free shipping above 1000, else half the weight (the classic federation demo's rule).
          shippingEstimate: (p: { price?: number; weight?: number }) => (p.price ?? 0) > 1000 ? 0 : Math.round((p.weight ?? 0) / 2),
        },
      },
    ),
    subgraph(
      'products',
      /* GraphQL */ `${LINK}
        type Query { topProducts(first: Int = 5): [Product] }
        type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }`,
      {
        Query: { topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first) },
        Product: { __resolveReference: (ref: { upc: string }) => productsByUpc.get(ref.upc) ?? null },
      },
    ),
    subgraph(
      'reviews',
      /* GraphQL */ `${LINK}
        type Review @key(fields: "id") { id: ID! body: String product: Product author: User @provides(fields: "username") }
        type User @key(fields: "id") { id: ID! username: String @external reviews: [Review] }
        type Product @key(fields: "upc") { upc: String! reviews: [Review] }`,
      {
        Review: {
          __resolveReference: (ref: { id: string }) => reviewsById.get(ref.id) ?? null,
          product: (r: Review) => ({ upc: r.productUpc }),
          author: (r: Review) => ({ id: r.authorId, username: usersById.get(r.authorId)?.username }),
        },
        User: {
          __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
          reviews: (u: { id: string }) => REVIEWS.filter((r) => r.authorId === u.id),
        },
        Product: {
          __resolveReference: (ref: { upc: string }) => ({ upc: ref.upc }),
          reviews: (p: { upc: string }) => REVIEWS.filter((r) => r.productUpc === p.upc),
        },
      },
    ),
  ];
}
