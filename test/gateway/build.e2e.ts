import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { bundle, currentBuild, ensureBuild, PACKAGE_ROOT } from '../../gateway/build.mjs';
import { MIGRATIONS_DIR } from '../../gateway/consent/store/runMigrations';

const run = promisify(execFile);
const BIN = join(PACKAGE_ROOT, 'gateway', 'bin.mjs');
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('The built gateway (gateway/build.mjs)', () => {
  it('is used only while every source it was built from is unchanged', async () => {
    const target = { entryPoints: ['gateway/consent/store/runMigrations.ts'], outdir: await tempDir('consentgate-build-') };
    const built = await bundle(target);
    expect(await currentBuild(target)).toBe(built);

    // A source edited after the build, as its manifest would then see it.
    const manifestFile = join(target.outdir, 'current.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    expect(Object.keys(manifest.inputs)).toContain('gateway/consent/store/runMigrations.ts');
    manifest.inputs['gateway/consent/store/runMigrations.ts'] = '0'.repeat(64);
    await writeFile(manifestFile, JSON.stringify(manifest));
    expect(await currentBuild(target)).toBeUndefined();
    // Rebuilt from what is on disk, it is current again.
    expect(await ensureBuild(target)).toBe(built);
    expect(await currentBuild(target)).toBe(built);
  });

  it('resolves the paths a bundled file names from import.meta.url where its source does', async () => {
    const target = { entryPoints: ['gateway/consent/store/runMigrations.ts'], outdir: await tempDir('consentgate-build-') };
    const built = await bundle(target);
    const module = await import(pathToFileURL(join(built, 'runMigrations.mjs')).href);
    expect(module.MIGRATIONS_DIR.href).toBe(MIGRATIONS_DIR.href);
  });

  it('runs the CLI from its sources, saying so, when gateway/dist cannot be written', async () => {
    // A copy of the package whose gateway/dist is a file, so no build can be made there.
    const copy = await tempDir('consentgate-readonly-');
    for (const part of ['gateway', 'schema']) {
      await cp(join(PACKAGE_ROOT, part), join(copy, part), { recursive: true, filter: (source) => !source.startsWith(join(PACKAGE_ROOT, 'gateway', 'dist')) });
    }
    await cp(join(PACKAGE_ROOT, 'package.json'), join(copy, 'package.json'));
    await symlink(join(PACKAGE_ROOT, 'node_modules'), join(copy, 'node_modules'));
    await writeFile(join(copy, 'gateway', 'dist'), 'not a folder');
    const env: NodeJS.ProcessEnv = { ...process.env, CONSENTGATE_DATA_DIR: join(copy, 'data') };

    const { stdout, stderr } = await run(process.execPath, [join(copy, 'gateway', 'bin.mjs'), 'token', 'alice'], { env });
    expect(stderr).toMatch(/^consentgate: could not build gateway\/dist \(\w+\); running the TypeScript sources$/m);
    expect(stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  describe('`consentgate serve` built', () => {
    let gateway: ChildProcess | undefined;
    afterEach(async () => {
      if (gateway && gateway.exitCode === null) {
        const exited = new Promise((resolve) => gateway!.once('exit', resolve));
        gateway.kill('SIGTERM');
        await exited;
      }
    });

    it('reads a TypeScript rules file as it is on disk, outside the package too', async () => {
      const dir = await tempDir('consentgate-rules-');
      const rules = join(dir, 'rules.ts');
      // Outside the package (no "type": "module" here), so tsx compiles it to CommonJS.
      const ruleKit = join(PACKAGE_ROOT, 'gateway', 'rules', 'ruleKit');
      await writeFile(rules, `import { defineSecurityRules, denyWith } from ${JSON.stringify(ruleKit)};\nexport default defineSecurityRules({ Query: { me: denyWith('not in this test') } });\n`);
      const env: NodeJS.ProcessEnv = { ...process.env, CONSENTGATE_DATA_DIR: join(dir, 'data') };
      delete env.DATABASE_URL;
      delete env.NODE_ENV;

      gateway = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--rules', rules], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /ConsentGate listening on (\S+)/.exec(output);
          if (match) resolve(match[1]!);
        };
        gateway!.stdout!.on('data', onData);
        gateway!.stderr!.on('data', onData);
        gateway!.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
      });
      expect(output).not.toContain('running the TypeScript sources');
      expect(await currentBuild({ entryPoints: ['gateway/cli/main.ts'], outdir: join(PACKAGE_ROOT, 'gateway', 'dist') })).toBeDefined();

      const token = (await run(process.execPath, [BIN, 'token', 'alice'], { env })).stdout.trim();
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ me { id } }' }) });
      const body = (await response.json()) as { data: { me: unknown }; errors: { message: string; path?: string[]; extensions: { code: string } }[] };
      expect(body.data.me).toBeNull();
      expect(body.errors).toContainEqual(expect.objectContaining({ path: ['me'], message: expect.stringContaining('not in this test'), extensions: { code: 'FORBIDDEN' } }));
    });
  });
});
