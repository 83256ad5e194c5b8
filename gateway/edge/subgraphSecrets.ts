import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Reads the per-subgraph signing secrets (a JSON object: subgraph name -> secret). With `create`, a missing
 * file is generated with a random 256-bit secret per subgraph, readable by its owner only (the demo's
 * first start). Fails naming the file and the subgraphs without a secret.
 */
export async function loadSubgraphSecrets(file: string, subgraphs: readonly string[], options: { create?: boolean } = {}): Promise<Record<string, string>> {
  let secrets: Record<string, unknown>;
  try {
    secrets = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !options.create) {
      throw new Error(`subgraph secrets file ${file} cannot be read: ${(error as Error).message}`);
    }
    secrets = Object.fromEntries(subgraphs.map((name) => [name, randomBytes(32).toString('base64url')]));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
    return loadSubgraphSecrets(file, subgraphs);
  }
  const missing = subgraphs.filter((name) => typeof secrets[name] !== 'string' || (secrets[name] as string).length < 16);
  if (missing.length > 0) throw new Error(`subgraph secrets file ${file} has no secret of at least 16 characters for: ${missing.join(', ')}`);
  return Object.fromEntries(subgraphs.map((name) => [name, secrets[name] as string]));
}
