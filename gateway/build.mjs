// The gateway compiled to JavaScript with esbuild, so that it runs without tsx's loader. On Node 20,
// tsx's ESM hooks run in a worker thread of their own and every module is transformed as it loads;
// the README's Performance section has what that costs in memory.
//
// A build is used only if it was built from exactly the sources on disk. Its manifest records a hash
// of every project file that went into it, and `currentBuild` compares them all before it is used: an
// edited file (the security team's rules, say) makes the build stale, never silently ignored.
//
// Usage: node gateway/build.mjs (npm run build) builds the CLI into gateway/dist/. gateway/bin.mjs calls
// `cliModule()`, which builds when the build is missing or stale, and runs the TypeScript sources
// through tsx only when it cannot build.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
const requireHere = createRequire(import.meta.url);
const CLI = { entryPoints: ['gateway/cli/main.ts'], outdir: join(PACKAGE_ROOT, 'gateway', 'dist') };
const CURRENT = 'current.json';

/**
 * Bundles `entryPoints` (paths from the package root) into a new folder under `outdir`, one .mjs file
 * each (named after the entry point), every package left as an import from node_modules; records it as
 * `outdir`'s current build and returns its folder. `import.meta.url` in a bundled file still names that
 * file in the sources, so the paths it resolves (the migrations, the package root, a script beside it)
 * are those the sources resolve.
 */
export async function bundle({ entryPoints, outdir }) {
  const { build, version } = await import('esbuild');
  await mkdir(outdir, { recursive: true });
  // Each project file's hash, of the very text esbuild compiled (read once, by the plugin below).
  const hashes = new Map();
  // Every build folder sits directly in `outdir`, so a path relative to the staging folder holds in the final one.
  const staging = join(outdir, `.staging-${randomBytes(6).toString('hex')}`);
  try {
    const result = await build({
      absWorkingDir: PACKAGE_ROOT,
      entryPoints,
      outdir: staging,
      entryNames: '[name]',
      outExtension: { '.js': '.mjs' },
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Stack traces name the bundle's lines; `node --enable-source-maps` maps them back to the sources.
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
      plugins: [projectFiles(staging, hashes)],
    });
    const inputs = {};
    for (const input of Object.keys(result.metafile.inputs).sort()) {
      const hash = hashes.get(resolve(PACKAGE_ROOT, input));
      if (hash === undefined) throw new Error(`build: ${input} was bundled without being read by the build`);
      inputs[input] = hash;
    }
    const manifest = { esbuild: version, entryPoints, inputs };
    // Named by what it was built from: processes building the same sources at once agree on one folder.
    const dir = createHash('sha256').update(JSON.stringify(manifest)).digest('hex').slice(0, 16);
    await rename(staging, join(outdir, dir)).catch((error) => {
      if (error.code !== 'EEXIST' && error.code !== 'ENOTEMPTY') throw error;
    });
    const pointer = join(outdir, `.${CURRENT}-${randomBytes(6).toString('hex')}`);
    await writeFile(pointer, `${JSON.stringify({ dir, ...manifest }, null, 2)}\n`);
    await rename(pointer, join(outdir, CURRENT));
    // Earlier builds go; a process that already loaded one keeps running it (it is in memory).
    for (const name of await readdir(outdir)) {
      if (name !== dir && name !== CURRENT && !name.startsWith('.')) await rm(join(outdir, name), { recursive: true, force: true });
    }
    return join(outdir, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** `outdir`'s current build folder when it was built from the files on disk as they are now; else undefined. */
export async function currentBuild({ entryPoints, outdir }) {
  let manifest;
  try {
    manifest = JSON.parse(await readFile(join(outdir, CURRENT), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof manifest.dir !== 'string' || JSON.stringify(manifest.entryPoints) !== JSON.stringify(entryPoints)) return undefined;
  const inputs = Object.entries(manifest.inputs ?? {});
  if (manifest.esbuild !== (esbuildVersion() ?? manifest.esbuild) || inputs.length === 0) return undefined;
  const onDisk = await Promise.all(inputs.map(([input]) => readFile(join(PACKAGE_ROOT, input)).then(hashOf, () => undefined)));
  return inputs.every(([, hash], i) => onDisk[i] === hash) ? join(outdir, manifest.dir) : undefined;
}

/** `outdir`'s current build, built first when it is missing or stale. */
export async function ensureBuild(target) {
  return (await currentBuild(target)) ?? bundle(target);
}

/**
 * The CLI module (exports `main`): the build in gateway/dist/, made first when it is missing or stale;
 * when it cannot be made (a read-only install, say), the sources through tsx, with a line on stderr.
 */
export async function cliModule() {
  let dir;
  try {
    dir = await ensureBuild(CLI);
  } catch (error) {
    process.stderr.write(`consentgate: could not build gateway/dist (${error?.code ?? error?.message ?? error}); running the TypeScript sources\n`);
    const { register } = await import('tsx/esm/api');
    register();
    return import(pathToFileURL(join(PACKAGE_ROOT, CLI.entryPoints[0])).href);
  }
  return import(pathToFileURL(join(dir, 'main.mjs')).href);
}

function hashOf(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The installed esbuild's version (undefined if it is not installed), from its package.json: importing
 * esbuild only to ask cost ~50 ms at every start. */
function esbuildVersion() {
  try {
    return requireHere('esbuild/package.json').version;
  } catch {
    return undefined;
  }
}

/**
 * esbuild plugin that reads every project file itself: it records the file's hash in `hashes`, and
 * rewrites `import.meta.url` to that file's own URL, relative to its bundle.
 */
function projectFiles(staging, hashes) {
  return {
    name: 'project-files',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]s$/ }, async ({ path }) => {
        if (path.includes(`${sep}node_modules${sep}`)) return undefined;
        const bytes = await readFile(path);
        hashes.set(path, hashOf(bytes));
        const text = bytes.toString('utf8');
        const fromBundle = relative(staging, path).split(sep).join('/');
        return {
          contents: text.includes('import.meta.url') ? text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`) : text,
          loader: /\.[cm]?ts$/.test(path) ? 'ts' : 'js',
        };
      });
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = await bundle(CLI);
  process.stdout.write(`built ${relative(PACKAGE_ROOT, join(dir, 'main.mjs'))}\n`);
}
