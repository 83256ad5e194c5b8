// V8's heap growth for a gateway whose consent store is embedded (PGlite), set from inside the process.
//
// The embedded store keeps PostgreSQL in the gateway's own process: its WebAssembly memory, its file
// system bundle and what glibc keeps after TurboFan compiled its hot functions sit beside the gateway's
// heap. After each full GC, V8 sets the next GC's limit at a factor of the live size that it chooses from the
// GC's speed (up to 4x); a fixed 1.5x keeps the heap closer to what is live, for more frequent GCs.
// Measured under the bench's load, in the same run as the gateway without it ("Sixth session" in the
// README's Performance): peak RSS 1.16x @apollo/gateway's on the bank dashboard instead of 1.64x, for
// 0.97-1.15x the CPU per round.
//
// It is a V8 flag, not a Node option, so NODE_OPTIONS does not take it; V8 reads it each time it sets the
// next GC limit, so setting it before the gateway's modules load is setting it for the whole run. With
// PostgreSQL the store is in processes of its own and V8's default stays. A `--heap-growing-percent`
// given to node always wins (`node --heap-growing-percent=0 ...` restores V8's own choice).

import { setFlagsFromString } from 'node:v8';

export const EMBEDDED_HEAP_GROWING_PERCENT = 50;

/**
 * The V8 flag to set, or undefined: set only for a long-running gateway (`longRunning`) on the embedded
 * store (no DATABASE_URL), and never over a heap-growth flag node was started with (`execArgv`).
 */
export function heapGrowthFlag({ longRunning, embeddedStore, execArgv = process.execArgv }) {
  if (!longRunning || !embeddedStore) return undefined;
  // V8 takes its flags with dashes or underscores, and with or without a value after '='.
  if (execArgv.some((arg) => /^--(no-)?heap[-_]growing[-_]percent(=|$)/.test(arg))) return undefined;
  return `--heap-growing-percent=${EMBEDDED_HEAP_GROWING_PERCENT}`;
}

/** Sets `heapGrowthFlag(options)` when there is one; returns it. */
export function applyHeapGrowthDefault(options) {
  const flag = heapGrowthFlag(options);
  if (flag) setFlagsFromString(flag);
  return flag;
}
