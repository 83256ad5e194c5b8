import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql must load once: libraries require() its CommonJS build, so our code must get the same one
// ("Cannot use GraphQLObjectType from another module or realm" otherwise).
const graphqlCjs = createRequire(import.meta.url).resolve('graphql');
const root = new URL('..', import.meta.url).pathname;

export default defineConfig({
  root,
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlCjs }] },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
