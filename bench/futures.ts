// Executors: weft's ThreadPoolExecutor (and ProcessPoolExecutor where it
// applies) against piscina, tinypool, poolifier and workerpool, every pool
// with exactly 2 workers, and ~25 lines of bare worker_threads posting each
// task straight to the least-busy worker (the floor a pool adds overhead to).
//
//   a. tiny tasks (x => x + 1), N submitted at once (tasks/s)
//   b. tiny tasks, at most 64 in flight (tasks/s)
//   c. sequential round trip: submit, await, repeat (µs per task)
//   d. seeds/000 #4 at its own scale: 400 gcd tasks (jobs/s; vs linear = speedup)
//   e. pool start to first result, in a fresh process without a TS loader (ms)

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import { FixedThreadPool } from 'poolifier';
import workerpool from 'workerpool';
import { ProcessPoolExecutor, ThreadPoolExecutor, tasks } from '../src/futures/index.js';
import { BarePool } from './fixtures/futures-bare.js';
import { gcd as gcdLinear } from './fixtures/futures-tasks.js';
import {
  runSuite,
  type BenchCase,
  type BenchOptions,
  type Measurement,
  type SuiteResult,
} from './harness.js';

const WORKERS = 2;
const peerFile = new URL('./fixtures/futures-peer-worker.mjs', import.meta.url);
const weftTasks = tasks<typeof import('./fixtures/futures-tasks.js')>(
  new URL('./fixtures/futures-tasks.ts', import.meta.url),
);

interface Plan {
  /** Rounds for the 100k-task suites (a, b): the slow peers take seconds per run. */
  readonly bulkRounds: number;
  readonly rounds: number;
  readonly warmup: number;
  readonly burst: number;
  readonly window: number;
  readonly sequential: number;
  readonly startRounds: number;
}

const FULL: Plan = {
  bulkRounds: 5,
  rounds: 10,
  warmup: 2,
  burst: 100_000,
  window: 100_000,
  sequential: 2_000,
  startRounds: 5,
};
const QUICK: Plan = {
  bulkRounds: 2,
  rounds: 2,
  warmup: 1,
  burst: 5_000,
  window: 5_000,
  sequential: 200,
  startRounds: 1,
};

const TITLE = {
  burst: 'futures a: tiny tasks (x => x + 1) submitted at once, 2 workers',
  window: 'futures b: tiny tasks, at most 64 in flight, 2 workers',
  sequential: 'futures c: sequential round trip (submit, await, repeat), 2 workers',
  gcd: 'futures d: seeds/000 #4 gcd job at its own scale (400 tasks), 2 workers',
  start: 'futures e: pool start to first result, fresh process, no TS loader',
} as const;

/** One pool under test: how to run the tiny task and the gcd task, and how to close it. */
interface Subject {
  readonly name: string;
  start(): void;
  inc(x: number): PromiseLike<unknown>;
  gcd(a: number, b: number): PromiseLike<unknown>;
  close(): Promise<unknown>;
}

function subjects(withProcess: boolean): Subject[] {
  let weft: ThreadPoolExecutor;
  let weftProc: ProcessPoolExecutor;
  let pis: Piscina;
  let tiny: Tinypool;
  let poo: FixedThreadPool<number | [number, number], number>;
  let wp: ReturnType<typeof workerpool.pool>;
  let bare: BarePool;
  const list: Subject[] = [
    {
      name: 'weft ThreadPoolExecutor',
      start: () => (weft = new ThreadPoolExecutor({ maxWorkers: WORKERS })),
      inc: (x) => weft.submit(weftTasks.inc, x),
      gcd: (a, b) => weft.submit(weftTasks.gcd, a, b),
      close: () => weft.shutdown(),
    },
    {
      name: 'piscina',
      start: () =>
        (pis = new Piscina({ filename: peerFile.href, minThreads: WORKERS, maxThreads: WORKERS })),
      inc: (x) => pis.run(x, { name: 'inc' }),
      gcd: (a, b) => pis.run([a, b], { name: 'gcd' }),
      close: () => pis.destroy(),
    },
    {
      name: 'tinypool',
      start: () =>
        (tiny = new Tinypool({
          filename: peerFile.href,
          minThreads: WORKERS,
          maxThreads: WORKERS,
        })),
      inc: (x) => tiny.run(x, { name: 'inc' }) as Promise<unknown>,
      gcd: (a, b) => tiny.run([a, b], { name: 'gcd' }) as Promise<unknown>,
      close: () => tiny.destroy(),
    },
    {
      name: 'poolifier',
      start: () =>
        (poo = new FixedThreadPool(
          WORKERS,
          fileURLToPath(new URL('./fixtures/futures-poolifier-worker.mjs', import.meta.url)),
        )),
      inc: (x) => poo.execute(x, 'inc'),
      gcd: (a, b) => poo.execute([a, b], 'gcd'),
      close: () => poo.destroy(),
    },
    {
      name: 'workerpool',
      start: () =>
        (wp = workerpool.pool(
          fileURLToPath(new URL('./fixtures/futures-workerpool-worker.mjs', import.meta.url)),
          { minWorkers: WORKERS, maxWorkers: WORKERS, workerType: 'thread' },
        )),
      inc: (x) => wp.exec('inc', [x]),
      gcd: (a, b) => wp.exec('gcd', [a, b]),
      close: async () => {
        await wp.terminate();
      },
    },
    {
      name: 'bare worker_threads',
      start: () => (bare = new BarePool(WORKERS)),
      inc: (x) => bare.run('inc', x),
      gcd: (a, b) => bare.run('gcd', [a, b]),
      close: () => bare.destroy(),
    },
  ];
  if (withProcess) {
    list.splice(1, 0, {
      name: 'weft ProcessPoolExecutor',
      start: () => (weftProc = new ProcessPoolExecutor({ maxWorkers: WORKERS })),
      inc: (x) => weftProc.submit(weftTasks.inc, x),
      gcd: (a, b) => weftProc.submit(weftTasks.gcd, a, b),
      close: () => weftProc.shutdown(),
    });
  }
  return list;
}

function asCase(s: Subject, run: (s: Subject) => Promise<Measurement>): BenchCase {
  return {
    name: s.name,
    setup: async () => {
      s.start();
      // Both workers up and the task modules loaded before round 1.
      await Promise.all(Array.from({ length: 64 }, (_, i) => s.inc(i)));
    },
    run: () => run(s),
    teardown: async () => {
      await s.close();
    },
  };
}

async function burst(plan: Plan): Promise<SuiteResult> {
  const n = plan.burst;
  const cases = subjects(true).map((s) =>
    asCase(s, async () => {
      const t0 = performance.now();
      const all = new Array<PromiseLike<unknown>>(n);
      for (let i = 0; i < n; i++) all[i] = s.inc(i);
      const results = await Promise.all(all);
      const ms = performance.now() - t0;
      return {
        value: (n / ms) * 1000,
        unit: 'tasks/s',
        checks: { correct: results[n - 1] === n },
      };
    }),
  );
  return runSuite({
    title: TITLE.burst,
    cases,
    rounds: plan.bulkRounds,
    warmup: 1,
    compareTo: ['poolifier', 'piscina', 'bare worker_threads'],
    notes: [
      `${n} tasks submitted in one loop, then \`await Promise.all(...)\`; value = tasks / elapsed`,
      'every pool: 2 workers, default options; weft: pool.submit(tasks(url).inc, x)',
    ],
  });
}

async function windowed(plan: Plan): Promise<SuiteResult> {
  const n = plan.window;
  const cases = subjects(true).map((s) =>
    asCase(
      s,
      () =>
        new Promise<Measurement>((resolve) => {
          let next = 0;
          let done = 0;
          const t0 = performance.now();
          const onDone = (): void => {
            if (++done === n) {
              resolve({ value: (n / (performance.now() - t0)) * 1000, unit: 'tasks/s' });
            } else if (next < n) {
              void s.inc(next++).then(onDone);
            }
          };
          for (; next < 64; next++) void s.inc(next).then(onDone);
        }),
    ),
  );
  return runSuite({
    title: TITLE.window,
    cases,
    rounds: plan.bulkRounds,
    warmup: 1,
    compareTo: ['poolifier', 'piscina', 'bare worker_threads'],
    notes: [`${n} tasks, a new one submitted as each finishes, 64 in flight`],
  });
}

async function sequential(plan: Plan): Promise<SuiteResult> {
  const n = plan.sequential;
  const cases = subjects(false).map((s) =>
    asCase(s, async () => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await s.inc(i);
      return { value: ((performance.now() - t0) * 1000) / n, unit: 'µs/task' };
    }),
  );
  return runSuite({
    title: TITLE.sequential,
    cases,
    rounds: plan.rounds,
    warmup: plan.warmup,
    compareTo: ['piscina', 'poolifier'],
    notes: [`${n} tasks, each awaited before the next is submitted; lower is better`],
  });
}

// seeds/000 #4: numbers = [(1231312, 434344), (2013123, 111110), (34423323, 123123), (234345, 345345)] * 100
const PAIRS: [number, number][] = [];
for (let i = 0; i < 100; i++) {
  PAIRS.push([1231312, 434344], [2013123, 111110], [34423323, 123123], [234345, 345345]);
}
const GCD_SUM = PAIRS.reduce((sum, [a, b]) => sum + gcdLinear(a, b), 0);

async function gcdJob(plan: Plan): Promise<SuiteResult> {
  const linear: BenchCase = {
    name: 'linear (main thread)',
    run: () => {
      const t0 = performance.now();
      let sum = 0;
      for (const [a, b] of PAIRS) sum += gcdLinear(a, b);
      const ms = performance.now() - t0;
      return {
        value: 1000 / ms,
        unit: 'jobs/s',
        checks: { correct: sum === GCD_SUM },
        extras: { ms },
      };
    },
  };
  const pools = subjects(true).map((s) =>
    asCase(s, async () => {
      const t0 = performance.now();
      const results = await Promise.all(PAIRS.map(([a, b]) => s.gcd(a, b)));
      const ms = performance.now() - t0;
      const sum = (results as number[]).reduce((x, y) => x + y, 0);
      return {
        value: 1000 / ms,
        unit: 'jobs/s',
        checks: { correct: sum === GCD_SUM },
        extras: { ms },
      };
    }),
  );
  return runSuite({
    title: TITLE.gcd,
    cases: [linear, ...pools],
    rounds: plan.rounds,
    warmup: Math.max(plan.warmup, 2),
    baseline: 'linear (main thread)',
    compareTo: ['bare worker_threads'],
    notes: [
      'one job = the seed\'s 400 gcd calls (its `numbers * 100`); "vs linear" is the speedup over the main thread',
      'CPython 3 on this kind of machine (issue figures): linear 2.60 s, ThreadPoolExecutor 0.95x, ProcessPoolExecutor 1.78x',
    ],
  });
}

const START = fileURLToPath(new URL('./fixtures/futures-start.mjs', import.meta.url));

async function start(plan: Plan): Promise<SuiteResult> {
  const libs: [string, string][] = [
    ['weft ThreadPoolExecutor', 'weft'],
    ['weft ProcessPoolExecutor', 'weft-process'],
    ['piscina', 'piscina'],
    ['tinypool', 'tinypool'],
    ['poolifier', 'poolifier'],
    ['workerpool', 'workerpool'],
    ['bare worker_threads', 'bare'],
  ];
  const cases: BenchCase[] = libs.map(([name, lib]) => ({
    name,
    run: () => {
      const r = spawnSync(process.execPath, [START, lib], { encoding: 'utf8', timeout: 60_000 });
      if (r.status !== 0) {
        const last = r.stderr.trim().split('\n').pop() ?? '';
        throw new Error(
          `${lib} exited with ${r.status ?? r.signal}${last === '' ? '' : `: ${last}`}`,
        );
      }
      const { ms, rssMb } = JSON.parse(r.stdout) as { ms: number; rssMb: number };
      return { value: ms, unit: 'ms', extras: { 'MB/worker': rssMb } };
    },
  }));
  return runSuite({
    title: TITLE.start,
    cases,
    rounds: plan.startRounds,
    warmup: 1,
    compareTo: ['poolifier', 'piscina'],
    notes: [
      'a fresh `node bench/fixtures/futures-start.mjs LIB` per run, without tsx; weft from dist/ (run `npm run build` first)',
      'ms from `new Pool()` to the first result; MB/worker = RSS growth / 2 after both workers ran (children: their own RSS)',
    ],
  });
}

export async function run(options: BenchOptions): Promise<void> {
  const plan = options.quick ? QUICK : FULL;
  const suites: [string, (plan: Plan) => Promise<SuiteResult>][] = [
    [TITLE.burst, burst],
    [TITLE.window, windowed],
    [TITLE.sequential, sequential],
    [TITLE.gcd, gcdJob],
    [TITLE.start, start],
  ];
  for (const [title, suite] of suites) {
    if (options.selects(title)) options.report(await suite(plan));
  }
}
