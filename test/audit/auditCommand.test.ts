import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsentStore } from '../../gateway/consent/store/createConsentStore';
import type { ConsentStore } from '../../gateway/consent/types';
import { runAuditCommand } from '../../gateway/cli/auditCommand';
import type { AuditRecord } from '../../gateway/audit/types';

let store: ConsentStore;
beforeAll(async () => {
  store = await createConsentStore({ dataDir: 'memory://' });
  const base = { requestId: 'r1', operationName: 'Accounts', operationHash: 'ab'.repeat(32) } as const;
  const records: AuditRecord[] = [
    { ...base, at: new Date('2026-11-01T10:00:00Z'), userId: 'alice', bank: 'northwind', grantId: 'g-a', coordinates: ['NorthwindAccount.balance'], pathsCounts: [2], outcome: 'served', reason: null },
    { ...base, at: new Date('2026-11-02T10:00:00Z'), userId: 'alice', bank: 'contoso', grantId: null, coordinates: ['ContosoCardAccount.transactions'], pathsCounts: [2], outcome: 'stripped', reason: 'MISSING' },
    { ...base, at: new Date('2026-11-03T10:00:00Z'), userId: 'bob', bank: 'northwind', grantId: 'g-b', coordinates: ['NorthwindAccount.balance'], pathsCounts: [2], outcome: 'stripped', reason: 'EXPIRED' },
  ];
  await store.audit.write(records);
}, 120_000);
afterAll(() => store?.close());

async function audit(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAuditCommand(argv, { store, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('CLI audit: queries the trail as a table or JSON', () => {
  it('prints a table, newest first', async () => {
    const { code, out } = await audit('--user', 'alice');
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^TIME\s+USER\s+BANK\s+GRANT\s+OPERATION\s+OUTCOME\s+FIELDS \(PATHS\)$/);
    expect(lines[1]).toMatch(/^2026-11-02T10:00:00.000Z\s+alice\s+contoso\s+-\s+Accounts abababababab\s+stripped MISSING\s+ContosoCardAccount.transactions \(2\)$/);
    expect(lines[2]).toContain('served');
    expect(lines).toHaveLength(3);
  });

  it('filters by bank, grant and time range, as JSON', async () => {
    const { out } = await audit('--bank', 'northwind', '--since', '2026-11-01', '--until', '2026-11-03', '--json');
    expect(JSON.parse(out).map((e: { grantId: string }) => e.grantId)).toEqual(['g-a']);
    expect(JSON.parse((await audit('--grant', 'g-b', '--json')).out)).toHaveLength(1);
  });

  it('says so when nothing matches', async () => {
    expect((await audit('--user', 'nobody')).out).toBe('no audit records match');
  });

  it('refuses a time without its offset, with exit code 2', async () => {
    const { code, err } = await audit('--since', '2026-11-01T10:00');
    expect(code).toBe(2);
    expect(err).toContain("--since must be a date like 2026-11-01 (midnight UTC) or an instant like 2026-11-01T12:00:00Z; received '2026-11-01T10:00'");
  });

  it('prunes nothing younger than three years', async () => {
    expect(await audit('prune')).toEqual({ code: 0, out: 'pruned 0 audit record(s) older than three years', err: '' });
  });
});
