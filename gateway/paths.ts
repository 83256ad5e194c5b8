import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/** The package root, so default paths work from any working directory. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Default paths, each overridable by an option or environment variable. */
export const DEFAULT_PATHS = {
  supergraphConfig: join(PACKAGE_ROOT, 'schema', 'supergraph.yaml'),
  supergraph: join(PACKAGE_ROOT, 'schema', 'supergraph.graphql'),
  supergraphFields: join(PACKAGE_ROOT, 'schema', 'supergraphFields.ts'),
};

/**
 * Default '.consentgate' in the working directory (CONSENTGATE_DATA_DIR overrides; empty counts as unset, as
 * for DATABASE_URL, so a variable set to nothing never puts keys and data in the working directory itself).
 */
export function dataDir(): string {
  return resolve(process.env.CONSENTGATE_DATA_DIR || '.consentgate');
}

/** The Unix socket a running demo answers consent commands on (see gateway/cli/adminSocket.ts). */
export function adminSocketPath(): string {
  return join(dataDir(), 'admin.sock');
}
