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

/**
 * The verdict: each workload judged on its own (one workload's 1.74x is not
 * averaged away by the other's 1.0x, and a workload whose pools were starved
 * of CPU says so), then the async line and the notes.
 */
export function makeVerdict(
  results: { workload: Workload; modes: ModeResult[] }[],
  cores: number,
  py: PythonRun | undefined,
  scale = 'default',
): string {
  const mode = (r: (typeof results)[number], m: Mode): ModeResult =>
    r.modes.find((x) => x.mode === m)!;
  const x = (v: number): string => `${v.toFixed(2)}x`;
  const lines = [`Verdict (${cores} CPU${cores === 1 ? '' : 's'}):`];
  for (const r of results) {
    const threads = mode(r, 'threads');
    const processes = mode(r, 'processes');
    const [best, other] =
      threads.speedup >= processes.speedup ? [threads, processes] : [processes, threads];
    // CPUs' worth of time the best pool actually got: near 1 means other load took the rest.
    const got = best.cpu * cores;
    const starved =
      cores > 1 && got < 1.3
        ? `; the pools got only ${got.toFixed(1)} CPUs' worth of time (other load on the machine)`
        : '';
    lines.push(
      `  ${r.workload.name}: ` +
        (best.speedup >= 1.2
          ? `${LABEL[best.mode]} was fastest, ${x(best.speedup)} over linear (${LABEL[other.mode]} ${x(other.speedup)})`
          : `no mode ran much faster than linear (${LABEL[best.mode]} ${x(best.speedup)}, ${LABEL[other.mode]} ${x(other.speedup)})`) +
        `${starved}.`,
    );
  }
  lines.push(
    `  async tasks in one thread: ${results.map((r) => x(mode(r, 'async').speedup)).join(' / ')}, ` +
      "concurrency without parallelism: the same work on one core, plus a promise, a closure and a microtask per task (V8's cost, not weft's), which is why it runs below 1.00x.",
  );
  if (scale === 'tiny') {
    lines.push(
      '  At --scale tiny each run lasts milliseconds, so start-up (pool start, cold JIT) dominates: run the default scale to compare modes.',
    );
  }
  if (py !== undefined) {
    const sp = (m: readonly { seconds: number }[], k: number): number =>
      m[0]!.seconds / m[k]!.seconds;
    const g = py.workloads.gcd;
    const p = py.workloads.primes;
    lines.push(
      `  CPython threads ${x(sp(g, 1))} / ${x(sp(p, 1))} (the GIL), processes ${x(sp(g, 2))} / ${x(sp(p, 2))}.`,
    );
  }
  return lines.join('\n');
}
