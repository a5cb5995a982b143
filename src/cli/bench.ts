// `weft bench`: the seeds' experiment done honestly. seeds/000 #4 times a
// CPU-bound gcd job linear, on a ThreadPoolExecutor and on a
// ProcessPoolExecutor (CPython: 6.7 s, 6.6 s, 3.5 s: threads do not help
// under the GIL); seeds/003 times gen_prime. Here both run linear, as async
// tasks in one thread, on weft's thread pool and on its process pool, with
// time, speedup and CPU utilisation per mode, and optionally CPython beside.

import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { ProcessPoolExecutor, ThreadPoolExecutor, tasks } from '../futures/index.js';
import type { Executor } from '../futures/index.js';
import { countPrimes, gcd, genPrime } from './bench-tasks.js';
import { hasPython, runPython, type PythonRun } from './bench-python.js';
import { Progress } from './progress.js';
import { makeVerdict, table } from './bench-report.js';
import { weftModule } from '../internal/package-url.js';

const work = tasks<typeof import('./bench-tasks.js')>(weftModule('cli/bench-tasks'));

/** Sizes: gcd runs the seed's 4 pairs `gcdRepeat` times; gen_prime finds `primes` primes. */
const SCALES = {
  tiny: { gcdRepeat: 2, primes: 2_000, python: { gcdRepeat: 2, primes: 2_000 } },
  small: { gcdRepeat: 100, primes: 100_000, python: { gcdRepeat: 100, primes: 30_000 } },
  default: { gcdRepeat: 1_000, primes: 300_000, python: { gcdRepeat: 100, primes: 30_000 } },
} as const;
type ScaleName = keyof typeof SCALES;

const PAIRS: readonly [number, number][] = [
  [1231312, 434344],
  [2013123, 111110],
  [34423323, 123123],
  [234345, 345345],
];

export type Mode = 'linear' | 'async' | 'threads' | 'processes';
const MODES: readonly Mode[] = ['linear', 'async', 'threads', 'processes'];

export interface ModeResult {
  readonly mode: Mode;
  readonly seconds: number;
  readonly speedup: number;
  /** CPU time / (wall time × cores), 0..1. */
  readonly cpu: number;
  readonly correct: boolean;
}

export interface Workload {
  readonly name: 'gcd' | 'primes';
  readonly title: string;
  readonly size: string;
  readonly steps: number;
  readonly expected: number;
  linear(tick: () => void): number;
  asyncTasks(tick: () => void): Promise<number>;
  pooled(pool: Executor, tick: () => void): Promise<number>;
}

const USAGE = `usage: weft bench [--scale tiny|small|default] [--workers N] [--json] [--python]

  Runs the seeds' CPU-bound workloads (seeds/000 #4 gcd, seeds/003 gen_prime)
  linear, as async tasks in one thread, on a ThreadPoolExecutor and on a
  ProcessPoolExecutor, and prints time, speedup and CPU utilisation.

  --scale    tiny (a smoke run), small (the seeds' own sizes), default (about
             1-3 s linear: gcd x10, gen_prime x3)
  --workers  pool size (default: the number of CPUs)
  --json     print one JSON object instead of the table
  --python   run the same workloads in CPython (python3) side by side, at
             smaller sizes (CPython is much slower): gcd x100 and
             gen_prime(30000) at small and default, gcd x2 and
             gen_prime(2000) at tiny; compare speedups, not times`;

/**
 * Runs `weft bench` with the given arguments.
 *
 * @returns The process exit code.
 * @example
 * ```ts no-run
 * process.exitCode = await runBench(['--scale', 'tiny', '--json']);
 * ```
 */
export async function runBench(argv: string[]): Promise<number> {
  let scale: ScaleName = 'default';
  let workers = availableParallelism();
  let json = false;
  let python = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? arg.split('=', 2) : [arg, undefined];
    const value = (): string => inline ?? argv[++i] ?? '';
    if (flag === '--scale') {
      const s = value();
      if (!(s in SCALES)) return fail(`--scale must be tiny, small or default, got \`${s}\``);
      scale = s as ScaleName;
    } else if (flag === '--workers') {
      workers = Number(value());
      if (!Number.isInteger(workers) || workers < 1)
        return fail('--workers must be an integer >= 1');
    } else if (flag === '--json') json = true;
    else if (flag === '--python') python = true;
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else return fail(`unknown argument \`${arg}\``);
  }

  const cores = availableParallelism();
  const size = SCALES[scale];
  const progress = new Progress(
    json ? (process.stderr.isTTY ? process.stderr : undefined) : process.stdout,
  );
  const workloads = [gcdWorkload(size.gcdRepeat), primesWorkload(size.primes, workers)];
  if (!json) {
    progress.line(
      `weft bench: node ${process.version}, ${cores} CPUs, ${workers} workers, scale ${scale}\n`,
    );
  }
  // Warm the main thread's JIT a little, so linear is not timed cold (workers
  // start cold, as pools do in the seed).
  for (const [a, b] of PAIRS) gcd(a, b);
  countPrimes(2, 20_000);
  const results: { workload: Workload; modes: ModeResult[] }[] = [];
  for (const workload of workloads) {
    progress.line(`${workload.title} (${workload.size})`);
    const modes: ModeResult[] = [];
    for (const mode of MODES) {
      const r = await measure(workload, mode, workers, cores, progress);
      const seconds = r.seconds;
      const linear = modes[0]?.seconds ?? seconds;
      const result = { mode, seconds, speedup: linear / seconds, cpu: r.cpu, correct: r.correct };
      modes.push(result);
      progress.end(`  ${mode.padEnd(10)} ${seconds.toFixed(3)} s  ${result.speedup.toFixed(2)}x`);
    }
    results.push({ workload, modes });
  }

  let py: PythonRun | undefined;
  let pyNote: string | undefined;
  if (python) {
    if (!hasPython()) pyNote = 'python3 not found: CPython columns skipped';
    else {
      progress.line('CPython: running the same workloads (python3)…');
      const p = size.python;
      py = runPython({
        workers,
        gcdRepeat: p.gcdRepeat,
        primes: p.primes,
        ranges: primeRanges(p.primes, workers),
      });
    }
  }

  const verdict = makeVerdict(results, cores, py, scale);
  if (json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          node: process.version,
          cpus: cores,
          workers,
          scale,
          workloads: results.map(({ workload, modes }) => ({
            name: workload.name,
            title: workload.title,
            size: workload.size,
            modes,
          })),
          ...(py === undefined ? {} : { python: py }),
          ...(pyNote === undefined ? {} : { note: pyNote }),
          verdict,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    process.stdout.write(
      `\n${table(results, py, cores)}\n${pyNote === undefined ? '' : `${pyNote}\n`}\n${verdict}\n`,
    );
  }
  return results.every((r) => r.modes.every((m) => m.correct)) ? 0 : 1;
}

function fail(message: string): number {
  process.stderr.write(`weft bench: ${message}\n${USAGE}\n`);
  return 2;
}

async function measure(
  workload: Workload,
  mode: Mode,
  workers: number,
  cores: number,
  progress: Progress,
): Promise<{ seconds: number; cpu: number; correct: boolean }> {
  progress.begin(`  ${mode.padEnd(10)}`, workload.steps);
  const tick = (): void => progress.tick();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let result: number;
  let childCpu = 0;
  if (mode === 'linear') result = workload.linear(tick);
  else if (mode === 'async') result = await workload.asyncTasks(tick);
  else {
    // As in the seed, the pool is made inside the timing.
    const pool =
      mode === 'threads'
        ? new ThreadPoolExecutor({ maxWorkers: workers })
        : new ProcessPoolExecutor({ maxWorkers: workers });
    try {
      result = await workload.pooled(pool, tick);
      if (mode === 'processes') childCpu = childrenCpuSeconds();
    } finally {
      await pool.shutdown();
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  const cpuSeconds = (used.user + used.system) / 1e6 + childCpu;
  return { seconds, cpu: cpuSeconds / (seconds * cores), correct: result === workload.expected };
}

function gcdWorkload(repeat: number): Workload {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < repeat; i++) {
    for (const [x, y] of PAIRS) {
      a.push(x);
      b.push(y);
    }
  }
  const expected = a.reduce((sum, x, i) => sum + gcd(x, b[i]!), 0);
  return {
    name: 'gcd',
    title: "seeds/000 #4: gcd of the seed's 4 pairs, by counting down",
    size: `${a.length} calls = the seed's numbers x ${repeat}`,
    steps: a.length,
    expected,
    linear: (tick) => {
      let sum = 0;
      for (let i = 0; i < a.length; i++) {
        sum += gcd(a[i]!, b[i]!);
        tick();
      }
      return sum;
    },
    asyncTasks: async (tick) => {
      const all = a.map(async (x, i) => {
        await Promise.resolve();
        const g = gcd(x, b[i]!);
        tick();
        return g;
      });
      return (await Promise.all(all)).reduce((s, g) => s + g, 0);
    },
    pooled: async (pool, tick) => {
      let sum = 0;
      for await (const g of pool.map(work.gcd, a, b)) {
        sum += g;
        tick();
      }
      return sum;
    },
  };
}

function primesWorkload(primes: number, workers: number): Workload {
  const [from, to] = primeRanges(primes, workers);
  return {
    name: 'primes',
    title: 'seeds/003 gen_prime: the first primes, by trial division',
    size: `gen_prime(${primes}); pools: the same numbers in ${from.length} ranges`,
    steps: from.length,
    expected: primes,
    linear: (tick) => {
      const last = genPrime(primes);
      tick();
      // Linear gen_prime returns the last prime; count as found if it is the expected one.
      return last === to[to.length - 1]! - 1 ? primes : -1;
    },
    asyncTasks: async (tick) => {
      const all = from.map(async (lo, i) => {
        await Promise.resolve();
        const n = countPrimes(lo, to[i]!);
        tick();
        return n;
      });
      return (await Promise.all(all)).reduce((s, n) => s + n, 0);
    },
    pooled: async (pool, tick) => {
      let sum = 0;
      for await (const n of pool.map(work.countPrimes, from, to)) {
        sum += n;
        tick();
      }
      return sum;
    },
  };
}

/**
 * gen_prime's candidates 2..p(n) (p(n) the n-th prime, found with a sieve)
 * split into ranges of about equal trial-division work, 16 per worker.
 */
export function primeRanges(n: number, workers: number): [number[], number[]] {
  const bound = n < 6 ? 15 : Math.ceil(n * (Math.log(n) + Math.log(Math.log(n))));
  const composite = new Uint8Array(bound + 1);
  let count = 0;
  let last = 2;
  for (let i = 2; i <= bound && count < n; i++) {
    if (composite[i] === 1) continue;
    count++;
    last = i;
    for (let j = i * i; j <= bound; j += i) composite[j] = 1;
  }
  const end = last + 1;
  // Work to reach x grows like x^1.5: cut where the cumulative work is even.
  const pieces = 16 * workers;
  const from: number[] = [];
  const to: number[] = [];
  let lo = 2;
  for (let k = 1; k <= pieces; k++) {
    const hi = k === pieces ? end : Math.max(lo + 1, Math.round(end * (k / pieces) ** (2 / 3)));
    if (hi <= lo) continue;
    from.push(lo);
    to.push(Math.min(hi, end));
    lo = hi;
    if (lo >= end) break;
  }
  return [from, to];
}

// CPU seconds used so far by this process's child processes (Linux /proc; 0 elsewhere).
function childrenCpuSeconds(): number {
  try {
    const pids = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    let ticks = 0;
    for (const pid of pids) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / 100;
  } catch {
    return 0;
  }
}
