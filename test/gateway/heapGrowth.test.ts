import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_HEAP_GROWING_PERCENT, heapGrowthFlag } from '../../gateway/heapGrowth.mjs';

const run = promisify(execFile);
const MODULE = new URL('../../gateway/heapGrowth.mjs', import.meta.url).href;

describe('The heap growth default (gateway/heapGrowth.mjs)', () => {
  it('is set for a long-running gateway on the embedded store only', () => {
    const flag = heapGrowthFlag({ longRunning: true, embeddedStore: true, execArgv: [] });
    expect(flag).toBe(`--heap-growing-percent=${EMBEDDED_HEAP_GROWING_PERCENT}`);
    expect(heapGrowthFlag({ longRunning: true, embeddedStore: false, execArgv: [] })).toBeUndefined();
    expect(heapGrowthFlag({ longRunning: false, embeddedStore: true, execArgv: [] })).toBeUndefined();
  });

  it('never overrides a heap growth node was started with, however it is spelled', () => {
    for (const given of ['--heap-growing-percent=0', '--heap_growing_percent=80', '--heap-growing-percent', '--no-heap-growing-percent']) {
      expect(heapGrowthFlag({ longRunning: true, embeddedStore: true, execArgv: ['--enable-source-maps', given] }), given).toBeUndefined();
    }
    // A flag that merely starts the same way is another flag.
    expect(heapGrowthFlag({ longRunning: true, embeddedStore: true, execArgv: ['--heap-growing-percentage=1'] })).toBeDefined();
  });

  it("is a flag this node's V8 knows (an unknown one would be ignored with a line on the console)", async () => {
    const script = `const m = await import(${JSON.stringify(MODULE)}); console.log(m.applyHeapGrowthDefault({ longRunning: true, embeddedStore: true }));`;
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script]);
    expect(stdout.trim()).toBe(`--heap-growing-percent=${EMBEDDED_HEAP_GROWING_PERCENT}`);
    expect(`${stdout}${stderr}`).not.toMatch(/unrecognized|unknown/i);
  });
});
