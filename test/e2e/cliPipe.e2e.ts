import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'gateway', 'bin.mjs');

describe('CLI: a reader that stops early', () => {
  it('ends the command quietly with 0 when its output pipe is closed (`consentgate ... | head`)', async () => {
    const child = spawn(process.execPath, [BIN, 'explain'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // As a reader that has already gone: the pipe is closed before the command writes (a 10 KB answer
    // fits in the pipe's buffer, so closing it after the first chunk would race the command's writes).
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|at .*\(/);
    expect(code).toBe(0);
  });
});
