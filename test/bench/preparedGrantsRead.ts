/**
 * What the grants read costs per request with the store in PostgreSQL (the read every request makes there,
 * README "Across instances"), sent as the product's pg client sends it (a named prepared statement, parsed
 * and planned once per connection) against the same text sent unnamed (parsed and planned on every call).
 * Also eight reads at a time, as eight requests in flight make them: the store sends them as one statement
 * (createSqlConsentStore's batch) against one named statement each. Never part of `npm test`. Measures
 * this process's CPU and the CPU of every `postgres` process on the machine (/proc, Linux), so run it on
 * an otherwise quiet machine; each round runs the four ways one after another.
 * Usage: node --import tsx test/bench/preparedGrantsRead.ts --database-url postgres://... [--rounds 4] [--reads 4000]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createPgClient } from '../../gateway/consent/store/createPgClient';
import { createSqlConsentStore } from '../../gateway/consent/store/createSqlConsentStore';
import { GRANTS_WITH_STATUS } from '../../gateway/consent/store/grantRows';
import { loadMigrations, runMigrations } from '../../gateway/consent/store/runMigrations';
import { cpuTimeMs } from './lib/processStats';

const { values: args } = parseArgs({ options: { 'database-url': { type: 'string' }, rounds: { type: 'string', default: '4' }, reads: { type: 'string', default: '4000' } } });
const url = args['database-url'];
if (!url) throw new Error('--database-url is required (a PostgreSQL to create a throwaway schema in)');
const ROUNDS = Number(args.rounds);
const READS = Number(args.reads);
const USERS = 50;

/** user+sys of every process whose command is postgres, in µs. */
function postgresCpuUs(): number {
  let ms = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') ms += cpuTimeMs(Number(pid));
    } catch { /* the process ended meanwhile */ }
  }
  return ms * 1000;
}

const schema = `consentgate_prepared_bench_${process.pid}`;
const client = createPgClient(url, schema);
const store = createSqlConsentStore(client, () => new Date());
// The same text the store sends, run unnamed through a pool of its own (same search_path), and named
// through another, one statement per read.
const unnamed = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
const oneEach = new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
try {
  await runMigrations(client, schema, await loadMigrations());
  for (let u = 0; u < USERS; u++) {
    for (const bank of ['northwind', 'contoso', 'fabrikam']) {
      await store.grant({ userId: `user-${u}`, bank, scopes: ['accounts:basic', 'balances:read', 'transactions:basic'], accounts: [`${bank}-${u}-1`, `${bank}-${u}-2`], historyMonths: 12 });
    }
  }
  const sql = `SELECT * FROM ${GRANTS_WITH_STATUS} WHERE user_id = $2 ORDER BY granted_at DESC, id`;
  // Eight reads at a time, as eight requests in flight would make them.
  const eight = (read: (i: number) => Promise<unknown>) => (i: number) => Promise.all(Array.from({ length: 8 }, (_, k) => read(i * 8 + k)));
  const ways = [
    { name: 'one at a time: the product\'s store (named, a batch of one)', per: 1, read: (i: number) => store.grantsForUser(`user-${i % USERS}`) },
    { name: 'one at a time: the same text unnamed (parsed, planned per call)', per: 1, read: (i: number) => unnamed.query(sql, [new Date(), `user-${i % USERS}`]) },
    { name: 'eight at a time: the product\'s store (one statement for the eight)', per: 8, read: eight((i) => store.grantsForUser(`user-${i % USERS}`)) },
    { name: 'eight at a time: one named statement each', per: 8, read: eight((i) => oneEach.query({ name: 'grants_one_each', text: sql, values: [new Date(), `user-${i % USERS}`] })) },
  ];
  const results = new Map<string, string[]>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const way of ways) {
      const ours = process.cpuUsage();
      const theirs = postgresCpuUs();
      for (let i = 0; i < READS / way.per; i++) await way.read(i);
      const used = process.cpuUsage(ours);
      const server = (postgresCpuUs() - theirs) / READS;
      results.set(way.name, [...(results.get(way.name) ?? []), `${((used.user + used.system) / READS).toFixed(0)}/${server.toFixed(0)}`]);
    }
  }
  console.log(`grants read (3 grants of one user), µs of CPU per read, this process/postgres, rounds 1..${ROUNDS}, ${READS} reads each`);
  for (const way of ways) console.log(`  ${way.name.padEnd(68)} ${results.get(way.name)!.map((v) => v.padStart(9)).join(' ')}`);
} finally {
  await unnamed.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  await unnamed.end();
  await oneEach.end();
  await store.close();
}
