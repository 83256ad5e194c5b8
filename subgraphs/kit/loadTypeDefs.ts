import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, type DocumentNode } from 'graphql';

/**
 * Reads and parses a subgraph's SDL file (e.g. `new URL('./typeDefs.graphql', import.meta.url)`).
 * Throws with the file's path when it is missing or is not valid GraphQL, so a bad deploy fails at start-up.
 */
export function loadTypeDefs(file: URL | string): DocumentNode {
  const path = file instanceof URL ? fileURLToPath(file) : file;
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`subgraph typeDefs file ${path} cannot be read: ${(error as Error).message}`);
  }
  try {
    return parse(source);
  } catch (error) {
    throw new Error(`subgraph typeDefs file ${path} is not valid GraphQL SDL: ${(error as Error).message}`);
  }
}
