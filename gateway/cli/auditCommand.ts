import { parseArgs } from 'node:util';
import type { AuditEntry, AuditFilter } from '../audit/types';
import { ConsentStoreError } from '../consent/store/ConsentStoreError';
import type { ConsentStore } from '../consent/types';
import type { CliIo } from './io';

export interface AuditCommandIo extends CliIo {
  store: ConsentStore;
}

const USAGE = `Usage: consentgate audit [--user U] [--bank B] [--grant G] [--since ISO] [--until ISO] [--limit N] [--json]
       consentgate audit prune

  Lists audit records, newest first (default limit 1000). --since is inclusive, --until exclusive; both take
  a date (2026-11-01, midnight UTC) or an instant with its offset (2026-11-01T12:00:00Z).
  prune deletes records older than three years; younger records are never touched.`;

const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

class UsageError extends Error {}

/**
 * `consentgate audit`: queries the audit trail as a table or JSON, or prunes it. Resolves to the exit
 * code: 0 done, 2 bad input, 1 store failure.
 */
export async function runAuditCommand(argv: string[], io: AuditCommandIo): Promise<number> {
  try {
    if (argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
      io.out(USAGE);
      return 0;
    }
    if (argv[0] === 'prune') {
      if (argv.length > 1) throw new UsageError(`prune takes no options; received '${argv.slice(1).join(' ')}'`);
      io.out(`pruned ${await io.store.audit.prune()} audit record(s) older than three years`);
      return 0;
    }
    const { values } = parseArgs({
      args: argv,
      options: {
        user: { type: 'string' }, bank: { type: 'string' }, grant: { type: 'string' },
        since: { type: 'string' }, until: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' },
      },
    });
    const filter: AuditFilter = {
      userId: values.user, bank: values.bank, grantId: values.grant,
      since: instant('--since', values.since), until: instant('--until', values.until),
      limit: values.limit === undefined ? undefined : wholeNumber('--limit', values.limit),
    };
    const entries = await io.store.audit.query(filter);
    if (values.json) io.out(JSON.stringify(entries, null, 2));
    else if (entries.length === 0) io.out('no audit records match');
    else table(entries).forEach((line) => io.out(line));
    return 0;
  } catch (error) {
    io.err(`consentgate audit: ${(error as Error).message}`);
    const badInput = error instanceof UsageError ||
      (error instanceof ConsentStoreError && error.code === 'INVALID_INPUT') ||
      String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    if (error instanceof UsageError) io.err(USAGE);
    return badInput ? 2 : 1;
  }
}

function table(entries: AuditEntry[]): string[] {
  const rows = [
    ['TIME', 'USER', 'BANK', 'GRANT', 'OPERATION', 'OUTCOME', 'FIELDS (PATHS)'],
    ...entries.map((e) => [
      e.at.toISOString(), e.userId ?? '(anonymous)', e.bank, e.grantId ?? '-',
      `${e.operationName ?? '(anonymous)'} ${e.operationHash.slice(0, 12)}`,
      e.outcome === 'served' ? 'served' : `stripped ${e.reason}`,
      e.coordinates.map((coordinate, i) => `${coordinate} (${e.pathsCounts[i]})`).join(', '),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
}

function instant(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!INSTANT.test(value) || Number.isNaN(date.getTime())) {
    throw new UsageError(`${flag} must be a date like 2026-11-01 (midnight UTC) or an instant like 2026-11-01T12:00:00Z; received '${value}'`);
  }
  return date;
}

function wholeNumber(flag: string, value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`${flag} must be a whole number of at least 1; received '${value}'`);
  return Number(value);
}
