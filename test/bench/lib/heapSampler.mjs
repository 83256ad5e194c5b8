// Preloaded into a target by `profile.ts --heap` (node --import <this file>): V8's sampling heap profiler,
// counting objects already collected too (what a request allocates, not only what survives), between
// SIGUSR1 (start) and SIGUSR2 (stop: the profile is written to BENCH_HEAP_PROFILE, then 'written' on stderr).
// With BENCH_HEAP_PROMOTED=1 (`--heap-promoted`), objects a scavenge collected are left out: what is left
// outlived the young generation's GCs (promoted, or still alive at the end), plus young objects that a
// full GC happened to collect first.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

const out = process.env.BENCH_HEAP_PROFILE;
if (!out) throw new Error('heapSampler: set BENCH_HEAP_PROFILE to the file to write');
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
process.on('SIGUSR1', () => {
  void session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.BENCH_HEAP_PROMOTED !== '1' });
});
process.on('SIGUSR2', async () => {
  const { profile } = await session.post('HeapProfiler.stopSampling');
  writeFileSync(out, JSON.stringify(profile));
  process.stderr.write(`heapSampler: written ${out}\n`);
});
