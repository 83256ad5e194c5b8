// Preloaded (node --import) by every ConsentGate target on the embedded store: the heap growth that
// `npx consentgate serve` sets in gateway/bin.mjs, set the same way, before any of the target's modules load.
import { applyHeapGrowthDefault } from '../../../gateway/heapGrowth.mjs';

applyHeapGrowthDefault({ longRunning: true, embeddedStore: !process.env.BENCH_DATABASE_URL });
