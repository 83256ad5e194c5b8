/**
 * Aggregates a V8 .cpuprofile (node --cpu-prof) by self time: per function and per package (the
 * node_modules package, or the project folder, or a V8 pseudo-node such as (garbage collector)).
 * Usage: node --import tsx test/bench/summariseProfile.ts <file.cpuprofile> [--from µs --to µs] [--top 30]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  /** Sampled time inside the window, ms. */
  totalMs: number;
  samples: number;
  /** The window was [from, to] in the profile's clock (µs); null when the whole profile was used. */
  window: { from: number; to: number } | null;
  byFunction: ProfileEntry[];
  byPackage: ProfileEntry[];
  /** Self time in the project's own files, by file. */
  byProjectFile: ProfileEntry[];
  /** Time with the package anywhere on the stack (callees included): what a package's work costs in all. */
  inclusiveByPackage: ProfileEntry[];
  /** Time with the function anywhere on the stack, functions of ConsentGate's files only. */
  inclusiveByProjectFunction: ProfileEntry[];
}

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where a call frame's code lives: a package name, a project folder, node's internals or a V8 pseudo-node. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node (core)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (path.startsWith(PROJECT_ROOT)) {
    const relative = path.slice(PROJECT_ROOT.length).split('/');
    return `consentgate:${relative.slice(0, Math.min(2, relative.length - 1)).join('/') || relative[0]}`;
  }
  return path;
}

/** A call frame's file, relative to node_modules or to the project. */
export const shortUrl = (url: string) => {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  return path.startsWith(PROJECT_ROOT) ? path.slice(PROJECT_ROOT.length) : path;
};

/** Self time per function and per package, optionally only for samples taken in [from, to] (profile clock, µs). */
export function summariseProfile(profile: CpuProfile, window?: { from: number; to: number }, top = 30): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  let total = 0;
  let counted = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    // A sample's time is attributed to the node on the stack when it was taken; the next delta is its length.
    const length = profile.timeDeltas[i + 1] ?? 0;
    if (window && (t < window.from || t > window.to)) continue;
    const node = byId.get(profile.samples[i]);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    selfUs.set(node.id, (selfUs.get(node.id) ?? 0) + length);
    total += length;
    counted++;
  }
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + us);
    const p = packageOf(url, functionName);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
    if (p.startsWith('consentgate:')) file.set(shortUrl(url), (file.get(shortUrl(url)) ?? 0) + us);
  }
  const inclusivePkg = new Map<string, number>();
  const inclusiveFn = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const packages = new Set<string>();
    const functions = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url } = byId.get(at)!.callFrame;
      const p = packageOf(url, functionName);
      packages.add(p);
      if (p.startsWith('consentgate:')) functions.add(`${functionName || '(anonymous)'} ${shortUrl(url)}`);
    }
    for (const p of packages) inclusivePkg.set(p, (inclusivePkg.get(p) ?? 0) + us);
    for (const f of functions) inclusiveFn.set(f, (inclusiveFn.get(f) ?? 0) + us);
  }
  const entries = (map: Map<string, number>, n: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, selfMs: us / 1000, share: total ? us / total : 0 }));
  return { totalMs: total / 1000, samples: counted, window: window ?? null, byFunction: entries(fn, top), byPackage: entries(pkg, top), byProjectFile: entries(file, top), inclusiveByPackage: entries(inclusivePkg, top), inclusiveByProjectFunction: entries(inclusiveFn, top) };
}

/** The summary as text: packages first (where the time goes), then the top functions. */
export function formatProfileSummary(title: string, summary: ProfileSummary, top = 25): string {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  const lines = [`${title}: ${summary.totalMs.toFixed(0)} ms sampled (${summary.samples} samples)${summary.window ? ' during the load only' : ''}`, '  by package (self time):'];
  for (const e of summary.byPackage.slice(0, 15)) lines.push(`    ${pct(e.share)}  ${e.name}`);
  if (summary.byProjectFile.length) {
    lines.push('  ConsentGate files (self time):');
    for (const e of summary.byProjectFile.slice(0, 10)) lines.push(`    ${pct(e.share)}  ${e.name}`);
  }
  lines.push('  by package, callees included (inclusive time):');
  for (const e of summary.inclusiveByPackage.slice(0, 15)) lines.push(`    ${pct(e.share)}  ${e.name}`);
  if (summary.inclusiveByProjectFunction.length) {
    lines.push('  ConsentGate functions, callees included:');
    for (const e of summary.inclusiveByProjectFunction.slice(0, 15)) lines.push(`    ${pct(e.share)}  ${e.name}`);
  }
  lines.push('  by function (self time):');
  for (const e of summary.byFunction.slice(0, top)) lines.push(`    ${pct(e.share)}  ${e.name}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { from: { type: 'string' }, to: { type: 'string' }, top: { type: 'string', default: '30' } } });
  if (positionals.length !== 1) {
    console.error('usage: summariseProfile.ts <file.cpuprofile> [--from µs --to µs] [--top 30]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as CpuProfile;
  const window = values.from && values.to ? { from: Number(values.from), to: Number(values.to) } : undefined;
  console.log(formatProfileSummary(positionals[0], summariseProfile(profile, window, Number(values.top)), Number(values.top)));
}
