import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConsentCommand } from '../../gateway/cli/consentCommand';
import { ConsentStoreError } from '../../gateway/consent/store/ConsentStoreError';
import { createConsentStore } from '../../gateway/consent/store/createConsentStore';
import type { ConsentStore } from '../../gateway/consent/types';
import { SCOPES } from '../../schema/scopes';
import { createClock, expectNoSql, OPEN_TIMEOUT } from './backends';

const clock = createClock('2026-07-01T08:00:00.000Z');
let store: ConsentStore;
beforeAll(async () => {
  store = await createConsentStore({ dataDir: 'memory://', now: clock.now });
}, OPEN_TIMEOUT);
afterAll(() => store?.close());

/** Runs `consentgate consent <command>`; one string splits on spaces (no quoting needed in these rows). */
async function consent(command: string | string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const argv = typeof command === 'string' ? command.split(' ') : command;
  const code = await runConsentCommand(argv, {
    store, now: clock.now, out: (line) => out.push(line), err: (line) => err.push(line),
  });
  return { code, out, err };
}

describe('CLI consent grant / revoke / list: manages grants end to end', () => {
  it('grants, with --days counted from now', async () => {
    expect(await consent('grant --id c-1 --user cli-ann --bank northwind --scopes accounts:basic,balances:read ' +
      '--accounts nw-1,nw-2 --days 90 --history-months 24')).toEqual({
      code: 0, err: [],
      out: ['granted c-1 to cli-ann at northwind: accounts:basic, balances:read on nw-1, nw-2; ' +
        'expires 2026-09-29T08:00:00.000Z; history 24 months'],
    });
  });

  it('grants a one-time grant with --expires and a default of one year otherwise', async () => {
    const once = await consent('grant --id c-2 --user cli-ann --bank contoso --scopes accounts:basic ' +
      '--accounts cs-1 --expires 2026-08-01 --one-time');
    expect(once.out).toEqual(['granted c-2 to cli-ann at contoso: accounts:basic on cs-1; ' +
      'expires 2026-08-01T00:00:00.000Z; one-time']);
    const yearly = await consent('grant --id c-3 --user cli-bo --bank northwind --scopes accounts:basic --accounts nw-9');
    expect(yearly.out[0]).toContain('expires 2027-07-01T08:00:00.000Z');
  });

  it('revokes, by platform unless told otherwise', async () => {
    expect((await consent(['revoke', 'c-3', '--reason', 'partner offboarded'])).out).toEqual([
      'revoked c-3 (cli-bo at northwind) at 2026-07-01T08:00:00.000Z by platform: partner offboarded',
    ]);
    expect((await consent('revoke c-2 --by customer')).out).toEqual([
      'revoked c-2 (cli-ann at contoso) at 2026-07-01T08:00:00.000Z by customer: revoked with the consentgate CLI',
    ]);
  });

  it('lists grants as an aligned table', async () => {
    expect((await consent('list --user cli-ann')).out).toEqual([
      'ID   USER     BANK       STATUS              SCOPES                        ACCOUNTS   HISTORY  EXPIRES',
      'c-1  cli-ann  northwind  active              accounts:basic,balances:read  nw-1,nw-2  24m      2026-09-29 08:00Z',
      'c-2  cli-ann  contoso    revoked (one-time)  accounts:basic                cs-1       -        2026-08-01 00:00Z',
    ]);
    expect((await consent('list --user cli-ann --status expired')).out).toEqual(['no grants match']);
  });

  it('lists grants as JSON with --json', async () => {
    const { code, out } = await consent('list --bank northwind --status revoked --json');
    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual([expect.objectContaining({
      id: 'c-3', status: 'revoked', revokedBy: 'platform', revokedAt: '2026-07-01T08:00:00.000Z',
    })]);
  });
});

describe('CLI consent: bad input exits 2 with one clear line', () => {
  // Each row: argv, the message on stderr.
  it.each<[string, string | RegExp]>([
    ['grant --bank northwind --scopes accounts:basic --accounts a', 'consentgate consent grant: --user is required'],
    ['grant --user u --bank b --scopes foo:bar --accounts a',
      `consentgate consent grant: unknown scope 'foo:bar'; known scopes: ${SCOPES.join(', ')}`],
    ['grant --user u --bank b --scopes accounts:basic --accounts a --days 400',
      'consentgate consent grant: expiresAt must be at most one year after grantedAt (2026-07-01T08:00:00.000Z), ' +
        'so no later than 2027-07-01T08:00:00.000Z; received 2027-08-05T08:00:00.000Z'],
    ['grant --user u --bank b --scopes accounts:basic --accounts a --days 9 --expires 2026-08-01',
      'consentgate consent grant: use --expires or --days, not both'],
    ['grant --user u --bank b --scopes accounts:basic --accounts a --expires 2026-08-01T10:00',
      'consentgate consent grant: --expires must be a date like 2027-01-01 (midnight UTC) or an instant like ' +
        "2027-01-01T12:00:00Z; received '2026-08-01T10:00'"],
    ['grant --user u --bank b --scopes accounts:basic --accounts a --history-months two',
      "consentgate consent grant: --history-months must be a whole number; received 'two'"],
    ['grant --user u --colour red', /^consentgate consent grant: Unknown option '--colour'/],
    ['grant --id c-1 --user u --bank b --scopes accounts:basic --accounts a',
      "consentgate consent grant: grant 'c-1' already exists; grant ids are never reused"],
    ['revoke c-3', "consentgate consent revoke: grant 'c-3' is already revoked (at 2026-07-01T08:00:00.000Z by platform)"],
    ['revoke missing', "consentgate consent revoke: grant 'missing' does not exist"],
    ['revoke c-1 --by robot', "consentgate consent revoke: --by must be one of customer, bank, platform; received 'robot'"],
    ['revoke', 'consentgate consent revoke: expects one grant id; received 0 ()'],
    ['list --status paused', "consentgate consent list: --status must be one of active, expired, revoked; received 'paused'"],
  ])('%s', async (argv, message) => {
    const { code, out, err } = await consent(argv);
    expect({ code, out }).toEqual({ code: 2, out: [] });
    expect(err).toHaveLength(1);
    if (typeof message === 'string') expect(err[0]).toBe(message);
    else expect(err[0]).toMatch(message);
    expectNoSql(err[0]!);
  });

  it('prints usage for an unknown or missing subcommand', async () => {
    for (const argv of [['pause'], []]) {
      const { code, err } = await consent(argv);
      expect(code).toBe(2);
      expect(err[1]).toMatch(/^Usage: consentgate consent <grant\|revoke\|list>/);
    }
    expect((await consent(['pause'])).err[0]).toBe("consentgate consent: unknown subcommand 'pause'");
  });

  it('prints usage on stdout for help', async () => {
    const { code, out } = await consent(['help']);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^Usage: consentgate consent/);
  });
});

describe('CLI consent: a store failure exits 1', () => {
  it('prints the plain store message', async () => {
    const failing = {
      ...store,
      list: () => Promise.reject(new ConsentStoreError('STORE_FAILURE', 'consent store could not list grants (database error 57P01)')),
    };
    const err: string[] = [];
    const code = await runConsentCommand(['list'], { store: failing, out: () => {}, err: (line) => err.push(line) });
    expect({ code, err }).toEqual({
      code: 1, err: ['consentgate consent list: consent store could not list grants (database error 57P01)'],
    });
  });
});
