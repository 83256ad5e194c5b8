// Types of gateway/heapGrowth.mjs (plain JavaScript: gateway/bin.mjs calls it before the CLI loads).

export interface HeapGrowthOptions {
  /** The command serves requests until stopped (serve, demo), rather than doing one thing and exiting. */
  longRunning: boolean;
  /** The consent store is embedded PGlite (no DATABASE_URL). */
  embeddedStore: boolean;
  /** The flags node was started with; default process.execArgv. */
  execArgv?: readonly string[];
}

export const EMBEDDED_HEAP_GROWING_PERCENT: number;
/** The V8 flag the gateway sets for these options, or undefined when it leaves V8's default (or node's flag). */
export function heapGrowthFlag(options: HeapGrowthOptions): string | undefined;
/** Sets `heapGrowthFlag(options)` when there is one; returns it. */
export function applyHeapGrowthDefault(options: HeapGrowthOptions): string | undefined;
