import { parseArgs } from 'node:util';
import { loadOrCreateDemoKeys, signDemoToken } from '../identity/demoKeys';
import { dataDir } from '../paths';
import type { CliIo } from './io';

/** `consentgate token <user> [--ttl 1h]`: prints a demo bearer token signed with the local demo key. */
export async function tokenCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { ttl: { type: 'string', default: '1h' } } });
  const user = positionals[0];
  if (!user || positionals.length > 1) {
    io.err('usage: consentgate token <user> [--ttl 1h]   (demo users: alice, bob, carol, dave)');
    return 2;
  }
  const keys = await loadOrCreateDemoKeys(dataDir());
  io.out(await signDemoToken(keys, user, values.ttl));
  return 0;
}
