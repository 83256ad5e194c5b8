/**
 * Aggregates a V8 sampling heap profile (.heapprofile, as `profile.ts --heap` writes it) by the bytes each
 * function allocated itself: per function, per package and per ConsentGate file, per request when the
 * number of requests the profile covers is given.
 * Usage: node --import tsx test/bench/summariseHeap.ts <file.heapprofile> [--requests N] [--top 30]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { packageOf, shortUrl } from './summariseProfile';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

export interface HeapSummary {
  totalBytes: number;
  /** Bytes per request; null when the number of requests is unknown. */
  bytesPerRequest: number | null;
  byFunction: { name: string; bytes: number; share: number }[];
  byPackage: { name: string; bytes: number; share: number }[];
  byProjectFile: { name: string; bytes: number; share: number }[];
}

export function summariseHeap(profile: { head: HeapNode }, requests?: number, top = 30): HeapSummary {
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  const add = (map: Map<string, number>, key: string, bytes: number) => map.set(key, (map.get(key) ?? 0) + bytes);
  const visit = (node: HeapNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (node.selfSize > 0) {
      total += node.selfSize;
      add(fn, `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim(), node.selfSize);
      const p = packageOf(url, functionName);
      add(pkg, p, node.selfSize);
      if (p.startsWith('consentgate:')) add(file, shortUrl(url), node.selfSize);
    }
    for (const child of node.children) visit(child);
  };
  visit(profile.head);
  const entries = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, bytes]) => ({ name, bytes, share: total ? bytes / total : 0 }));
  return { totalBytes: total, bytesPerRequest: requests ? total / requests : null, byFunction: entries(fn), byPackage: entries(pkg), byProjectFile: entries(file) };
}

/** `sampled` says what the profile counted (the sampler's default: every allocation, collected or not). */
export function formatHeapSummary(title: string, summary: HeapSummary, requests?: number, top = 25, sampled = 'collected objects included'): string {
  const size = (bytes: number) => (requests ? `${(bytes / requests / 1024).toFixed(1).padStart(6)} KiB/req` : `${(bytes / 1048576).toFixed(1).padStart(7)} MiB`);
  const lines = [`${title}: ${(summary.totalBytes / 1048576).toFixed(0)} MiB allocated${summary.bytesPerRequest ? `, ${(summary.bytesPerRequest / 1024).toFixed(0)} KiB per request` : ''} (sampled, ${sampled})`, '  by package:'];
  for (const e of summary.byPackage.slice(0, 12)) lines.push(`    ${size(e.bytes)}  ${e.name}`);
  lines.push('  ConsentGate files:');
  for (const e of summary.byProjectFile.slice(0, 12)) lines.push(`    ${size(e.bytes)}  ${e.name}`);
  lines.push('  by function:');
  for (const e of summary.byFunction.slice(0, top)) lines.push(`    ${size(e.bytes)}  ${e.name}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { requests: { type: 'string' }, top: { type: 'string', default: '30' } } });
  if (positionals.length !== 1) {
    console.error('usage: summariseHeap.ts <file.heapprofile> [--requests N] [--top 30]');
    process.exit(2);
  }
  const requests = values.requests ? Number(values.requests) : undefined;
  const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as { head: HeapNode };
  console.log(formatHeapSummary(positionals[0], summariseHeap(profile, requests, Number(values.top)), requests, Number(values.top)));
}
