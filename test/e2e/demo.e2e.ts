import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'gateway', 'bin.mjs');

let demo: ChildProcess;
let url: string;
let env: NodeJS.ProcessEnv;
let dataDir: string;

/** Runs `consentgate <args>` as a user would, against the running demo's data folder. */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

async function query(user: string, q: string) {
  const token = (await cli('token', user)).stdout.trim();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: q }) });
  return (await response.json()) as { data: any; errors?: any[] };
}

// The README's first command, on embedded defaults: no DATABASE_URL, a fresh data folder.
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'consentgate-demo-'));
  env = { ...process.env, CONSENTGATE_DATA_DIR: dataDir, PORT: '0' };
  delete env.DATABASE_URL;
  // As in a user's shell: vitest's NODE_ENV=test changes what libraries do (Apollo Server's signal handlers).
  delete env.NODE_ENV;
  demo = spawn(process.execPath, [BIN, 'demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ConsentGate listening on (\S+)/.exec(output);
      if (match && output.includes('Demo users:')) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    demo.stdout!.on('data', onData);
    demo.stderr!.on('data', onData);
    demo.once('exit', (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
  });
}, 120_000);

afterAll(async () => {
  if (demo && demo.exitCode === null) {
    const exited = new Promise((r) => demo.once('exit', r));
    demo.kill('SIGTERM');
    await exited;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('Demo: the README commands work on a fresh machine', () => {
  it('serves alice her consented accounts with a token from `consentgate token`', async () => {
    const r = await query('alice', '{ me { id accounts { id displayName balance { amount } } } }');
    expect(r.data.me.id).toBe('alice');
    expect(r.data.me.accounts.map((a: { id: string }) => a.id).sort()).toEqual(['cs-alice-card', 'nw-alice-chk', 'nw-alice-sav']);
  });

  it('applies `consentgate consent grant` and `revoke` on the next request', async () => {
    const granted = await cli('consent', 'grant', '--user', 'dave', '--bank', 'contoso', '--scopes', 'accounts:basic,balances:read', '--accounts', 'cs-dave-card', '--id', 'g-dave-demo');
    expect(granted.code).toBe(0);
    const after = await query('dave', '{ me { accounts { id balance { amount } } } }');
    expect(after.data.me.accounts).toEqual([{ id: 'cs-dave-card', balance: { amount: expect.any(String) } }]);

    const listed = await cli('consent', 'list', '--user', 'dave', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: 'g-dave-demo', status: 'active' })]);

    expect((await cli('consent', 'revoke', 'g-dave-demo', '--by', 'customer')).code).toBe(0);
    const revoked = await query('dave', '{ me { accounts { id balance { amount } } } }');
    expect(revoked.data.me.accounts[0].balance).toBeNull();
    expect(revoked.errors?.[0].extensions.consent.reason).toBe('REVOKED');
  });

  it('shows the audit trail of the running demo with `consentgate audit`', async () => {
    await query('alice', '{ me { accounts { id balance { amount } } } }');
    const audit = await cli('audit', '--user', 'alice', '--json');
    expect(audit.code).toBe(0);
    const records = JSON.parse(audit.stdout) as { userId: string; outcome: string }[];
    expect(records.length).toBeGreaterThan(0);
    expect(new Set(records.map((r) => r.userId))).toEqual(new Set(['alice']));
  });

  it('explains alice\'s grants through the running demo with `consentgate explain --user`', async () => {
    // The demo holds the embedded store: the command goes through its socket and is decided there.
    const explained = await cli('explain', '--user', 'alice', 'Account.balance', '--json');
    expect(explained.code).toBe(0);
    const verdicts = Object.fromEntries((JSON.parse(explained.stdout).accounts as { account: string; decisions: { served: boolean; reason?: string }[] }[])
      .map((a) => [a.account, a.decisions.map((d) => (d.served ? 'served' : d.reason))]));
    expect(verdicts).toEqual({ 'nw-alice-chk': ['served'], 'nw-alice-sav': ['MISSING'], 'cs-alice-card': ['served'] });
  });

  it('runs banks that refuse requests the gateway did not sign', async () => {
    const response = await fetch('http://127.0.0.1:4002/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _entities(representations: [{ __typename: "NorthwindAccount", id: "nw-alice-chk" }]) { ... on NorthwindAccount { balance { amount } } } }' }),
    });
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain('amount');
  });

  it('explains a bad consent command and exits with 2', async () => {
    const bad = await cli('consent', 'grant', '--user', 'dave', '--bank', 'contoso', '--scopes', 'accounts:everything', '--accounts', 'cs-dave-card');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown scope 'accounts:everything'");
  });

  // Last: it stops the demo. As docker stop or systemd stop it: SIGTERM.
  it('stops on SIGTERM with its banks, having loaded the audit journal into the store, and exits 0', async () => {
    await query('alice', '{ me { accounts { id balance { amount } } } }');
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
    demo.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const port of [4001, 4002, 4003, 4004]) {
      await expect(fetch(`http://127.0.0.1:${port}/graphql`), `bank on port ${port}`).rejects.toThrow();
    }
    expect((await readdir(join(dataDir, 'pglite-audit-journal'))).filter((name) => name.endsWith('.ndjson'))).toEqual([]);
  });
});
