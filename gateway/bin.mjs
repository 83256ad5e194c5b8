#!/usr/bin/env node
// Entry point of `npx consentgate`: the CLI as built by gateway/build.mjs (built here first when the
// build is missing or older than the sources), or the TypeScript sources through tsx when it cannot build.
import { cliModule } from './build.mjs';
import { applyHeapGrowthDefault } from './heapGrowth.mjs';

const argv = process.argv.slice(2);
// Before the gateway's modules load: see heapGrowth.mjs.
applyHeapGrowthDefault({ longRunning: argv[0] === 'serve' || argv[0] === 'demo', embeddedStore: !process.env.DATABASE_URL });
const { main } = await cliModule();
process.exitCode = await main(argv);
