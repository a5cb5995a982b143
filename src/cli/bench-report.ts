// The table and the one-line verdict of `weft bench`.

import type { PythonRun } from './bench-python.js';
import type { Mode, ModeResult, Workload } from './bench.js';

const LABEL: Record<Mode, string> = {
  linear: 'linear',
  async: 'async, 1 thread',
  threads: 'ThreadPoolExecutor',
  processes: 'ProcessPoolExecutor',
};

export function table(
  results: { workload: Workload; modes: ModeResult[] }[],
  py: PythonRun | undefined,
  cores: number,
): string {
  const rows: string[][] = [['workload', 'mode', 'time', 'speedup', 'CPU']];
  for (const { workload, modes } of results) {
    for (const m of modes) {
      rows.push([
        workload.name,
        `node ${LABEL[m.mode]}${m.correct ? '' : ' (WRONG RESULT)'}`,
        `${m.seconds.toFixed(3)} s`,
        `${m.speedup.toFixed(2)}x`,
        `${Math.round(m.cpu * 100)}%`,
      ]);
    }
    for (const m of py?.workloads[workload.name] ?? []) {
      const linear = py!.workloads[workload.name][0]!.seconds;
      rows.push([
        workload.name,
        `CPython ${LABEL[m.mode]}`,
        `${m.seconds.toFixed(3)} s`,
        `${(linear / m.seconds).toFixed(2)}x`,
        `${Math.round((m.cpuSeconds / (m.seconds * cores)) * 100)}%`,
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const out = [
    line(rows[0]!),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ];
  out.push(`speedup: vs linear in the same runtime; CPU: CPU time / (wall time x ${cores} CPUs)`);
  if (py !== undefined)
    out.push(`CPython ${py.version} runs smaller sizes (see --help): compare speedups, not times`);
  return out.join('\n');
}

export function makeVerdict(
  results: { workload: Workload; modes: ModeResult[] }[],
  cores: number,
  py: PythonRun | undefined,
): string {
  const of = (mode: Mode): number[] =>
    results.map((r) => r.modes.find((m) => m.mode === mode)!.speedup);
  const show = (xs: number[]): string => xs.map((x) => `${x.toFixed(2)}x`).join(' / ');
  const mean = (xs: number[]): number =>
    Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
  const [best, other] =
    mean(of('threads')) >= mean(of('processes'))
      ? (['threads', 'processes'] as const)
      : (['processes', 'threads'] as const);
  const names = results.map((r) => r.workload.name).join(' / ');
  const parallel = mean(of(best)) >= 1.2;
  // CPUs' worth of time the pools actually got: near 1 means other load took the rest.
  const got =
    (results.reduce((sum, r) => sum + r.modes.find((m) => m.mode === best)!.cpu, 0) /
      results.length) *
    cores;
  const busy =
    cores > 1 && got < 1.3
      ? `: the pools got only ${got.toFixed(1)} CPUs' worth of time (other load on the machine)`
      : '';
  let text =
    `Verdict (${names}, ${cores} CPU${cores === 1 ? '' : 's'}): ` +
    (parallel
      ? `${LABEL[best]} was fastest, ${show(of(best))} over linear (${LABEL[other]} ${show(of(other))})`
      : `no mode ran much faster than linear (${LABEL[best]} ${show(of(best))}) on this machine${busy}`) +
    `; async tasks in one thread ${show(of('async'))}: concurrency without parallelism`;
  if (py !== undefined) {
    const sp = (m: readonly { seconds: number }[], k: number): number =>
      m[0]!.seconds / m[k]!.seconds;
    const g = py.workloads.gcd;
    const p = py.workloads.primes;
    text += `; CPython threads ${sp(g, 1).toFixed(2)}x / ${sp(p, 1).toFixed(2)}x (the GIL), processes ${sp(g, 2).toFixed(2)}x / ${sp(p, 2).toFixed(2)}x`;
  }
  return `${text}.`;
}
