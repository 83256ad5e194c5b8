import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc CPU times (getconf CLK_TCK, 100 on Linux nearly always). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU time of process `pid` so far, in milliseconds (/proc/<pid>/stat utime + stime). */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which sits in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / clockTicks();
}

/** Peak resident set size of process `pid` so far, in MiB (VmHWM of /proc/<pid>/status). */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no VmHWM line`);
  return Number(match[1]) / 1024;
}

/** Ids of the live children of `pid` (a target must not hand its work to a child we would not measure). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Waits until none of `pids` uses CPU (less than `idleMs` of CPU over each `windowMs`), so work left over
 * from one run (requests a load generator abandoned) never lands in the next one's measurement.
 * Gives up after `maxMs` and returns false.
 */
export async function waitUntilIdle(pids: number[], { windowMs = 250, idleMs = 5, maxMs = 60_000 } = {}): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  let last = pids.map(cpuTimeMs);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = pids.map(cpuTimeMs);
    const busy = now.some((value, i) => value - last[i] > idleMs);
    last = now;
    if (!busy) return true;
  }
  return false;
}
