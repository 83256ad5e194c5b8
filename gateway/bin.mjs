#!/usr/bin/env node
// Entry point of `npx consentgate`: the CLI as built by gateway/build.mjs (built here first when the
// build is missing or older than the sources), or the TypeScript sources through tsx when it cannot build.
import { cliModule } from './build.mjs';

const { main } = await cliModule();
process.exitCode = await main(process.argv.slice(2));
