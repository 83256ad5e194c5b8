import { spawn } from 'node:child_process';
import { appendFile, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRequestsJson, auditRequestsJsonArray, createSqlAuditSegmentSink } from '../../gateway/audit/createSqlAuditTrail';
import { journalAuditTrail, type AuditJournalOptions } from '../../gateway/audit/journalAuditTrail';
import type { AuditRecord } from '../../gateway/audit/types';
import { createConsentStore, resolveConsentStoreOptions } from '../../gateway/consent/store/createConsentStore';
import { createSqlConsentStore } from '../../gateway/consent/store/createSqlConsentStore';
import type { SqlClient } from '../../gateway/consent/store/SqlClient';
import type { ConsentStore } from '../../gateway/consent/types';
import { BACKENDS, describeEachBackend, expectStoreError, OPEN_TIMEOUT, openMigratedClient } from './backends';

const record = (requestId: string, change: Partial<AuditRecord> = {}): AuditRecord => ({
  at: new Date(), requestId, userId: 'journal-user', bank: 'northwind', grantId: 'g-1', operationName: 'Accounts',
  operationHash: 'a'.repeat(64), coordinates: ['NorthwindAccount.balance', 'Transaction.amount'], pathsCounts: [1, 20],
  outcome: 'served', reason: null, ...change,
});
const requestIds = async (store: ConsentStore, userId = 'journal-user') => (await store.audit.query({ userId })).map((e) => e.requestId).sort();
const segments = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith('.ndjson')).sort();
const tempDir = () => mkdtemp(join(tmpdir(), 'consentgate-journal-'));

/** A journal in `dir` over a fresh migrated PGlite; close() closes both. */
async function openJournal(dir: string, options: Omit<AuditJournalOptions, 'dir'>) {
  const { client } = await openMigratedClient(BACKENDS.find((b) => b.name === 'pglite')!);
  const sql = createSqlConsentStore(client, () => new Date());
  const journal = await journalAuditTrail(sql.audit, createSqlAuditSegmentSink(client), { dir, ...options });
  return { journal, close: async () => { await journal.close(); await sql.close(); } };
}

describeEachBackend('Audit journal segments load exactly once', (backend) => {
  let client: SqlClient;
  let store: ConsentStore;
  beforeAll(async () => {
    ({ client } = await openMigratedClient(backend));
    store = createSqlConsentStore(client, () => new Date());
  }, OPEN_TIMEOUT);
  afterAll(() => store?.close());

  it('inserts a segment once and moves the marker with it; a segment at or below the marker inserts nothing', async () => {
    const sink = createSqlAuditSegmentSink(client);
    const records = (id: string) => auditRequestsJsonArray([record(id, { userId: 'sink-user' })]);
    expect(await sink.loadedUpTo('j-1')).toBe(0);
    await sink.load('j-1', 1, records('s-1'));
    await sink.load('j-1', 1, records('s-1-again'));
    await sink.load('j-1', 3, records('s-3'));
    await sink.load('j-1', 2, records('s-2-late'));
    await sink.load('j-2', 1, records('other-journal'));
    expect(await sink.loadedUpTo('j-1')).toBe(3);
    expect(await requestIds(store, 'sink-user')).toEqual(['other-journal', 's-1', 's-3']);
  });

  it('inserts none of a segment when one of its records is refused', async () => {
    const sink = createSqlAuditSegmentSink(client);
    const bad = auditRequestsJsonArray([record('ok', { userId: 'bad-user' }), record('bad', { userId: 'bad-user', outcome: 'stripped', reason: null })]);
    await expectStoreError(sink.load('j-bad', 1, bad), 'STORE_FAILURE', /^consent store could not load segment 1 of audit journal 'j-bad' \(database error 23514\)$/);
    expect(await sink.loadedUpTo('j-bad')).toBe(0);
    expect(await requestIds(store, 'bad-user')).toEqual([]);
  });
});

describe('Audit journal: records appended before the response, loaded into the embedded store', () => {
  let root: string;
  beforeAll(async () => { root = await tempDir(); });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('is on by default for a PGlite folder, beside it; off in memory and with PostgreSQL', () => {
    expect(resolveConsentStoreOptions({ dataDir: '/data/pglite' }).auditJournal).toEqual({ dir: '/data/pglite-audit-journal' });
    expect(resolveConsentStoreOptions({ dataDir: 'memory://' }).auditJournal).toBe(false);
    expect(resolveConsentStoreOptions({ databaseUrl: 'postgres://db/x' }).auditJournal).toBe(false);
    expect(resolveConsentStoreOptions({ dataDir: '/data/pglite', auditJournal: false }).auditJournal).toBe(false);
  });

  it('refuses a journal it cannot keep', () => {
    expect(() => resolveConsentStoreOptions({ databaseUrl: 'postgres://db/x', auditJournal: true })).toThrow(
      'the audit journal is for embedded PGlite; with a databaseUrl every record goes straight to PostgreSQL');
    expect(() => resolveConsentStoreOptions({ dataDir: 'memory://', auditJournal: true })).toThrow(
      "an in-memory PGlite has no folder beside which to keep the audit journal: give auditJournal.dir; received dataDir 'memory://'");
  });

  it('appends each request of a write as one line and loads it on its interval and before every query', async () => {
    const dir = join(root, 'basic');
    const store = await createConsentStore({ dataDir: 'memory://', auditJournal: { dir, loadIntervalMs: 50 } });
    try {
      const at = new Date();
      const written = [record('b-1', { at }), record('b-1', { at, bank: 'contoso', grantId: 'g-2', outcome: 'stripped', reason: 'MISSING' }), record('b-0', { at })];
      await store.audit.write(written);
      const [segment] = await segments(dir);
      // Two requests, two lines, then the end; what b-1's rows share is written once.
      const lines = (await readFile(join(dir, segment!), 'utf8')).split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]!.split('"requestId"')).toHaveLength(2);
      await expect.poll(() => segments(dir), { timeout: 5000 }).toEqual([]);
      await store.audit.write([record('b-2')]);
      // The query loads what is pending first: a record is readable as soon as its write resolved.
      expect(await requestIds(store)).toEqual(['b-0', 'b-1', 'b-1', 'b-2']);
      // Each row whole again, as written.
      const rows = (await store.audit.query({ userId: 'journal-user' })).filter((e) => e.requestId !== 'b-2');
      const byRequestThenBank = (a: AuditRecord, b: AuditRecord) => `${a.requestId}${a.bank}`.localeCompare(`${b.requestId}${b.bank}`);
      expect(rows.map(({ id, ...entry }) => entry).sort(byRequestThenBank)).toEqual([...written].sort(byRequestThenBank));
    } finally {
      await store.close();
    }
  }, OPEN_TIMEOUT);

  it('loads at the next open what an earlier run left behind, once, and not a torn last line', async () => {
    const dataDir = join(root, 'reopen');
    const journalDir = `${dataDir}-audit-journal`;
    const hour = { loadIntervalMs: 3_600_000 };
    const first = await createConsentStore({ dataDir, auditJournal: hour });
    await first.audit.write([record('r-1')]);
    const [segment] = await segments(journalDir);
    const copy = join(root, 'segment-copy');
    await copyFile(join(journalDir, segment!), copy);
    await first.close(); // loads and removes the segment
    expect(await segments(journalDir)).toEqual([]);
    // As if the process had stopped between loading the segment and removing its file, then a crash
    // tore a line being appended to a later one.
    await copyFile(copy, join(journalDir, segment!));
    const later = segment!.replace(/\d+/, (n) => String(Number(n) + 1).padStart(n.length, '0'));
    await writeFile(join(journalDir, later), `${auditRequestsJson([record('r-2')])}\n`);
    await appendFile(join(journalDir, later), auditRequestsJson([record('r-torn')])[0]!.slice(0, 40));
    const second = await createConsentStore({ dataDir, auditJournal: hour });
    try {
      expect(await requestIds(second)).toEqual(['r-1', 'r-2']);
      expect(await segments(journalDir)).toEqual([]);
      await second.audit.write([record('r-3')]);
      expect(await requestIds(second)).toEqual(['r-1', 'r-2', 'r-3']);
    } finally {
      await second.close();
    }
  }, OPEN_TIMEOUT);

  it("loads segments of the journal's first format (a JSON array of flat records per write), alone or beside current lines", async () => {
    const dataDir = join(root, 'first-format');
    const journalDir = `${dataDir}-audit-journal`;
    const hour = { loadIntervalMs: 3_600_000 };
    const first = await createConsentStore({ dataDir, auditJournal: hour });
    await first.close(); // makes the folder and the journal's id
    const at = new Date();
    const old = [record('f-1', { at }), record('f-1', { at, bank: 'contoso', outcome: 'stripped', reason: 'REVOKED' })];
    await writeFile(join(journalDir, '000000000001.ndjson'), `${JSON.stringify(old)}\n${JSON.stringify([record('f-2')])}\n`);
    await writeFile(join(journalDir, '000000000002.ndjson'), `${JSON.stringify([record('f-3')])}\n${auditRequestsJson([record('f-4')])}\n`);
    const second = await createConsentStore({ dataDir, auditJournal: hour });
    try {
      expect(await requestIds(second)).toEqual(['f-1', 'f-1', 'f-2', 'f-3', 'f-4']);
      const f1 = (await second.audit.query({ userId: 'journal-user' })).filter((e) => e.requestId === 'f-1').map(({ id, ...entry }) => entry);
      expect(f1.sort((a, b) => a.bank.localeCompare(b.bank))).toEqual([old[1], old[0]]);
      expect(await segments(journalDir)).toEqual([]);
    } finally {
      await second.close();
    }
  }, OPEN_TIMEOUT);

  it.each([
    ['first', () => 'not json\n'],
    ['after one of its own', () => `${auditRequestsJson([record('ok-line')])[0]}\nnot json\n`],
  ])('keeps a segment with a line not the journal\'s own (%s) on disk and says why', async (where, contents) => {
    const dir = join(root, `foreign-${where.replaceAll(' ', '-')}`);
    const told: string[] = [];
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, '000000000001.ndjson'), contents());
    const { close } = await openJournal(dir, { loadIntervalMs: 3_600_000, onError: (message, error) => told.push(`${message}: ${(error as Error).message}`) });
    try {
      expect(told).toEqual([`audit records left by an earlier run could not be loaded into the database (kept in '${dir}'): audit journal segment '${join(dir, '000000000001.ndjson')}' is not the journal's own: each line must be a JSON object of one request's records`]);
      expect(await segments(dir)).toEqual(['000000000001.ndjson']);
    } finally {
      await close();
    }
  }, OPEN_TIMEOUT);

  it('keeps the records of a process killed before it could load them', async () => {
    const dataDir = join(root, 'killed');
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/journalCrash.ts', import.meta.url)), dataDir, 'k-1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.on('data', (chunk) => (output += chunk));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => (String(chunk).includes('appended') ? resolve() : undefined));
      child.on('exit', (code) => reject(new Error(`the child exited (${code}) before appending: ${output}`)));
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const store = await createConsentStore({ dataDir });
    try {
      expect(await requestIds(store, 'crash-user')).toEqual(['k-1']);
    } finally {
      await store.close();
    }
  }, OPEN_TIMEOUT * 2);

  it('fails the write, so the response strips, when the record cannot be appended', async () => {
    const dir = join(root, 'gone');
    const store = await createConsentStore({ dataDir: 'memory://', auditJournal: { dir } });
    try {
      await rm(dir, { recursive: true, force: true });
      await expectStoreError(store.audit.write([record('g-1')]), 'STORE_FAILURE', `audit journal in '${dir}' could not append 1 audit record(s) (ENOENT)`);
    } finally {
      await store.close();
    }
  }, OPEN_TIMEOUT);

  it('keeps what the database refuses on disk, says so, and refuses to show a partial trail', async () => {
    const dir = join(root, 'refused');
    const told: string[] = [];
    const { journal, close } = await openJournal(dir, { loadIntervalMs: 20, onError: (message) => told.push(message) });
    try {
      // A reason on a served record breaks the table's rules: the database refuses the whole segment.
      await journal.write([record('x-1', { reason: 'MISSING' })]);
      await expect.poll(() => told, { timeout: 5000 }).toEqual([`audit records could not be loaded into the database (kept in '${dir}', retried every 20 ms)`]);
      await expectStoreError(journal.query({ userId: 'journal-user' }), 'STORE_FAILURE',
        `the audit trail cannot be read whole: records appended to the journal in '${dir}' could not be loaded into the database`);
      expect(await segments(dir)).toHaveLength(1);
    } finally {
      await close();
    }
    expect(await segments(dir)).toHaveLength(1);
  }, OPEN_TIMEOUT);
});
