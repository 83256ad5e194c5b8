/** One measured run: one target, one workload, one round. */
export interface Measurement {
  round: number;
  ok: number;
  failed: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  /** CPU of the subgraph process per gateway request: the same subgraphs serve every target. */
  subgraphCpuMsPerRequest: number;
  /** Counted during the load (in-flight requests at the end blur it); the exact figure is the probe's. */
  subgraphRequestsPerOpUnderLoad: number;
  subgraphRequestsByName: Record<string, number>;
}

/** What one request per user returned, before any load: the run is only worth reading if this is right. */
export interface Probe {
  status: number[];
  bytesPerOp: number;
  /** Transaction nodes per response (w1, w3, w4), averaged over users. */
  itemsPerOp: number;
  /** Latency of one request alone (the probe sends them one at a time). */
  secondsPerOp: number;
  /** GraphQL errors per response (stripped fields on ConsentGate). */
  errorsPerOp: number;
  /** Subgraph requests per operation, counted at the subgraphs while the probe's requests ran one at a time. */
  subgraphRequestsPerOp: number;
  subgraphRequestsByName: Record<string, number>;
  /** Whether the data equals @apollo/gateway's (ConsentGate with enforcement on differs wherever it strips a field). */
  sameDataAsApollo?: boolean;
}

export interface TargetResult {
  id: string;
  label: string;
  error?: string;
  probe?: Probe;
  runs: Measurement[];
  peakRssMiB?: number;
  /** Medians over rounds. */
  summary?: Summary;
  /** Medians over rounds of (this target / @apollo/gateway in the same round); RSS: over the stack's lifetime. */
  vsApollo?: Partial<Record<keyof Summary, number>>;
}

export interface Summary {
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  cpuUsPerItem?: number;
  subgraphRequestsPerOp: number;
  subgraphCpuMsPerRequest: number;
  peakRssMiB?: number;
}

export interface WorkloadResult {
  id: string;
  title: string;
  stack: string;
  targets: TargetResult[];
}

export const median = (values: number[]): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Fills summary and vsApollo of every target of a workload from its runs. */
export function summarise(workload: WorkloadResult): void {
  const apollo = workload.targets.find((t) => t.id === 'apollo-gateway');
  for (const target of workload.targets) {
    if (target.runs.length === 0) continue;
    const pick = (key: keyof Measurement) => median(target.runs.map((r) => Number(r[key])));
    const cpu = pick('cpuMsPerRequest');
    const items = target.probe?.itemsPerOp ?? 0;
    target.summary = {
      rps: pick('rps'),
      p50: pick('p50'),
      p99: pick('p99'),
      cpuMsPerRequest: cpu,
      ...(items > 0 ? { cpuUsPerItem: (cpu * 1000) / items } : {}),
      subgraphRequestsPerOp: target.probe?.subgraphRequestsPerOp ?? NaN,
      subgraphCpuMsPerRequest: pick('subgraphCpuMsPerRequest'),
      peakRssMiB: target.peakRssMiB,
    };
    if (!apollo || apollo.runs.length === 0) continue;
    const ratio = (key: 'rps' | 'p50' | 'p99' | 'cpuMsPerRequest') =>
      median(target.runs.map((run) => {
        const same = apollo.runs.find((r) => r.round === run.round);
        return same ? run[key] / same[key] : NaN;
      }));
    const apolloItems = apollo.probe?.itemsPerOp ?? 0;
    target.vsApollo = {
      rps: ratio('rps'),
      p50: ratio('p50'),
      p99: ratio('p99'),
      cpuMsPerRequest: ratio('cpuMsPerRequest'),
      subgraphRequestsPerOp: (target.probe?.subgraphRequestsPerOp ?? NaN) / (apollo.probe?.subgraphRequestsPerOp ?? NaN),
      ...(items > 0 && apolloItems > 0 ? {
        cpuUsPerItem: median(target.runs.map((run) => {
          const same = apollo.runs.find((r) => r.round === run.round);
          return same ? (run.cpuMsPerRequest / items) / (same.cpuMsPerRequest / apolloItems) : NaN;
        })),
      } : {}),
      ...(target.peakRssMiB && apollo.peakRssMiB ? { peakRssMiB: target.peakRssMiB / apollo.peakRssMiB } : {}),
    };
  }
}

const SHORT: Record<string, string> = {
  'consentgate': 'A ConsentGate on',
  'consentgate-off': 'B ConsentGate off',
  'apollo-gateway': 'C @apollo/gateway',
  'hive-gateway': 'D Hive Gateway jit',
  'consentgate-deferred-audit': 'E A, loads deferred',
};

const fmt = (value: number | undefined, digits = 1) => (value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits));
const withRatio = (value: number | undefined, ratio: number | undefined, digits = 1) =>
  `${fmt(value, digits)}${ratio === undefined || !Number.isFinite(ratio) ? '' : ` (${ratio.toFixed(2)}x)`}`;

/** The results as fixed-width text tables, one per workload (values are medians over rounds). */
export function formatTables(workloads: WorkloadResult[]): string {
  const header = ['target', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'CPU µs/item', 'subgraph req/op', 'subgraph CPU ms/req', 'peak RSS MiB', 'items/op', 'errors/op'];
  const out: string[] = [];
  for (const workload of workloads) {
    out.push(`\n${workload.id}: ${workload.title}  [stack ${workload.stack}; median of rounds; (x) = ratio to @apollo/gateway in the same round]`);
    const rows = workload.targets.map((t) => {
      if (!t.summary) return [SHORT[t.id] ?? t.id, `not measured: ${t.error ?? 'no runs'}`];
      const s = t.summary;
      const r = t.vsApollo ?? {};
      return [
        SHORT[t.id] ?? t.id,
        withRatio(s.rps, r.rps, 0),
        withRatio(s.p50, r.p50, 0),
        withRatio(s.p99, r.p99, 0),
        withRatio(s.cpuMsPerRequest, r.cpuMsPerRequest, 2),
        withRatio(s.cpuUsPerItem, r.cpuUsPerItem, 1),
        fmt(s.subgraphRequestsPerOp, 2),
        fmt(s.subgraphCpuMsPerRequest, 2),
        withRatio(s.peakRssMiB, r.peakRssMiB, 0),
        fmt(t.probe?.itemsPerOp, 0),
        fmt(t.probe?.errorsPerOp, 1),
      ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : (c ?? '').padStart(widths[i]))).join('  ');
    out.push(line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line));
  }
  return out.join('\n');
}

/** One of the issue's targets, checked against a run. */
export interface GoalCheck {
  goal: string;
  actual: string;
  met: boolean | null;
}

/** The issue's targets (ratios from the same run), for ConsentGate with enforcement on. */
export function checkGoals(workloads: WorkloadResult[], expectedSubgraphRequests: Record<string, number>): GoalCheck[] {
  const checks: GoalCheck[] = [];
  const get = (w: string, t: string) => workloads.find((x) => x.id === w)?.targets.find((x) => x.id === t);
  const add = (goal: string, actual: number | undefined, met: (v: number) => boolean, digits = 2, unit = 'x') =>
    checks.push({ goal, actual: actual === undefined || !Number.isFinite(actual) ? 'not measured' : `${actual.toFixed(digits)}${unit}`, met: actual === undefined || !Number.isFinite(actual) ? null : met(actual) });
  for (const w of ['w1', 'w2']) {
    const a = get(w, 'consentgate');
    const d = get(w, 'hive-gateway');
    add(`${w}: CPU/request <= 0.67x @apollo/gateway`, a?.vsApollo?.cpuMsPerRequest, (v) => v <= 0.67);
    add(`${w}: req/s >= 1.5x @apollo/gateway`, a?.vsApollo?.rps, (v) => v >= 1.5);
    add(`${w}: CPU/request below Hive Gateway --jit (A/D)`, ratioOf(a?.summary?.cpuMsPerRequest, d?.summary?.cpuMsPerRequest), (v) => v < 1);
    add(`${w}: req/s above Hive Gateway --jit (A/D)`, ratioOf(a?.summary?.rps, d?.summary?.rps), (v) => v > 1);
    add(`${w}: p99 <= @apollo/gateway`, a?.vsApollo?.p99, (v) => v <= 1);
  }
  const on = get('w1', 'consentgate');
  const off = get('w1', 'consentgate-off');
  add('w1: enforcement on/off CPU/request within 10%', ratioOf(on?.summary?.cpuMsPerRequest, off?.summary?.cpuMsPerRequest), (v) => v <= 1.1);
  add('w1: enforcement on/off req/s within 10% (off/on)', ratioOf(off?.summary?.rps, on?.summary?.rps), (v) => v <= 1.1);
  add('w3-1000: CPU per item <= @apollo/gateway', get('w3-1000', 'consentgate')?.vsApollo?.cpuUsPerItem, (v) => v <= 1);
  for (const [w, expected] of Object.entries(expectedSubgraphRequests)) {
    add(`${w}: subgraph requests/op = ${expected} (one per bank per entity level + platform)`, get(w, 'consentgate')?.summary?.subgraphRequestsPerOp, (v) => Math.abs(v - expected) < 0.05, 2, '');
  }
  const rss = workloads.flatMap((w) => (w.targets.find((t) => t.id === 'consentgate')?.vsApollo?.peakRssMiB ?? NaN));
  add('peak RSS <= 1.5x @apollo/gateway (worst stack)', rss.length ? Math.max(...rss.filter(Number.isFinite)) : undefined, (v) => v <= 1.5);
  return checks;
}

const ratioOf = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);

/** The goal checks as text. */
export function formatGoals(checks: GoalCheck[]): string {
  const width = Math.max(...checks.map((c) => c.goal.length));
  return checks.map((c) => `${c.met === null ? '  ?  ' : c.met ? ' MET ' : 'MISS '} ${c.goal.padEnd(width)}  ${c.actual}`).join('\n');
}
