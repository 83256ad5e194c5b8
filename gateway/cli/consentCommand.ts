import { parseArgs } from 'node:util';
import { ConsentStoreError } from '../consent/store/ConsentStoreError';
import type { ConsentStore, Grant, GrantInput, GrantStatus, Initiator } from '../consent/types';
import type { CliIo } from './io';

export interface ConsentCommandIo extends CliIo {
  store: ConsentStore;
  /** Default () => new Date(). The clock for grantedAt and --days. */
  now?: () => Date;
}

const USAGE = `Usage: consentgate consent <grant|revoke|list> [options]

  grant   --user U --bank B --scopes a,b --accounts x,y
          [--expires 2027-01-01 | --days 90] [--history-months 24] [--one-time] [--id ID]
          Expiry defaults to one year, which is also the maximum.
  revoke  <grantId> [--by customer|bank|platform] [--reason text]
          --by defaults to platform. The grant is kept as a record.
  list    [--user U] [--bank B] [--status active|expired|revoked] [--json]`;

const INITIATORS: readonly Initiator[] = ['customer', 'bank', 'platform'];
const STATUSES: readonly GrantStatus[] = ['active', 'expired', 'revoked'];
const DAY_MS = 24 * 60 * 60 * 1000;
const EXPIRES_FORMAT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Bad command-line input: printed as one line, exit code 2. */
class UsageError extends Error {}

/**
 * `consentgate consent grant|revoke|list`: manages grants in `io.store`. Resolves to the exit code:
 * 0 done, 2 bad input (the reason on io.err; usage for an unknown subcommand), 1 store failure.
 */
export async function runConsentCommand(argv: string[], io: ConsentCommandIo): Promise<number> {
  const [subcommand, ...args] = argv;
  try {
    switch (subcommand) {
      case 'grant':
        return await grantCommand(args, io);
      case 'revoke':
        return await revokeCommand(args, io);
      case 'list':
        return await listCommand(args, io);
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return 0;
      default:
        io.err(subcommand === undefined ? 'consentgate consent: missing subcommand' :
          `consentgate consent: unknown subcommand '${subcommand}'`);
        io.err(USAGE);
        return 2;
    }
  } catch (error) {
    io.err(`consentgate consent ${subcommand}: ${(error as Error).message}`);
    return isBadInput(error) ? 2 : 1;
  }
}

function isBadInput(error: unknown): boolean {
  if (error instanceof UsageError) return true;
  if (error instanceof ConsentStoreError) return error.code !== 'STORE_FAILURE';
  // node:util parseArgs: unknown option, missing value, unexpected positional.
  return String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
}

async function grantCommand(args: string[], io: ConsentCommandIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      user: { type: 'string' }, bank: { type: 'string' }, scopes: { type: 'string' },
      accounts: { type: 'string' }, expires: { type: 'string' }, days: { type: 'string' },
      'history-months': { type: 'string' }, 'one-time': { type: 'boolean' }, id: { type: 'string' },
    },
  });
  const grantedAt = (io.now ?? (() => new Date()))();
  const input: GrantInput = {
    id: values.id,
    userId: required('--user', values.user),
    bank: required('--bank', values.bank),
    scopes: list(required('--scopes', values.scopes)),
    accounts: list(required('--accounts', values.accounts)),
    grantedAt,
    expiresAt: expiry(values.expires, values.days, grantedAt),
    oneTime: values['one-time'] ?? false,
    historyMonths: values['history-months'] === undefined ? null :
      wholeNumber('--history-months', values['history-months']),
  };
  const grant = await io.store.grant(input);
  io.out(`granted ${grant.id} to ${grant.userId} at ${grant.bank}: ${grant.scopes.join(', ')} ` +
    `on ${grant.accounts.join(', ')}; expires ${grant.expiresAt.toISOString()}` +
    (grant.historyMonths === null ? '' : `; history ${grant.historyMonths} months`) +
    (grant.oneTime ? '; one-time' : ''));
  return 0;
}

async function revokeCommand(args: string[], io: ConsentCommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { by: { type: 'string', default: 'platform' }, reason: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    throw new UsageError(`expects one grant id; received ${positionals.length} (${positionals.join(' ')})`);
  }
  const by = oneOf('--by', values.by, INITIATORS);
  const reason = values.reason ?? 'revoked with the consentgate CLI';
  const grant = await io.store.revoke(positionals[0]!, by, reason);
  io.out(`revoked ${grant.id} (${grant.userId} at ${grant.bank}) at ${grant.revokedAt?.toISOString()} ` +
    `by ${grant.revokedBy}: ${grant.revokeReason ?? ''}`);
  return 0;
}

async function listCommand(args: string[], io: ConsentCommandIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      user: { type: 'string' }, bank: { type: 'string' }, status: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const status = values.status === undefined ? undefined : oneOf('--status', values.status, STATUSES);
  const grants = await io.store.list({ userId: values.user, bank: values.bank, status });
  if (values.json) io.out(JSON.stringify(grants, null, 2));
  else if (grants.length === 0) io.out('no grants match');
  else table(grants).forEach((line) => io.out(line));
  return 0;
}

/** A readable table, one grant a row, columns aligned. */
function table(grants: Grant[]): string[] {
  const minute = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')}Z`;
  const rows = [
    ['ID', 'USER', 'BANK', 'STATUS', 'SCOPES', 'ACCOUNTS', 'HISTORY', 'EXPIRES'],
    ...grants.map((g) => [
      g.id, g.userId, g.bank, g.status + (g.oneTime ? ' (one-time)' : ''), g.scopes.join(','),
      g.accounts.join(','), g.historyMonths === null ? '-' : `${g.historyMonths}m`, minute(g.expiresAt),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
}

function required(flag: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} is required`);
  return value;
}

function list(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function wholeNumber(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number; received '${value}'`);
  return Number(value);
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; received '${value}'`);
  }
  return value as T;
}

/** --expires DATE or --days N (N days of 24 h from now); neither: the store's default of one year. */
function expiry(expires: string | undefined, days: string | undefined, now: Date): Date | undefined {
  if (expires !== undefined && days !== undefined) {
    throw new UsageError('use --expires or --days, not both');
  }
  if (days !== undefined) {
    const count = wholeNumber('--days', days);
    if (count === 0) throw new UsageError(`--days must be at least 1; received '${days}'`);
    return new Date(now.getTime() + count * DAY_MS);
  }
  if (expires === undefined) return undefined;
  // A date alone is midnight UTC; an instant must say its offset, so no local time zone sneaks in.
  const date = new Date(expires);
  if (!EXPIRES_FORMAT.test(expires) || Number.isNaN(date.getTime())) {
    throw new UsageError(
      `--expires must be a date like 2027-01-01 (midnight UTC) or an instant like ` +
        `2027-01-01T12:00:00Z; received '${expires}'`);
  }
  return date;
}
