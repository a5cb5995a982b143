// Executors: weft's ThreadPoolExecutor (and ProcessPoolExecutor where it
// applies) against piscina, tinypool, poolifier and workerpool, every pool
// with exactly 2 workers, and ~25 lines of bare worker_threads posting each
// task straight to the least-busy worker (the floor a pool adds overhead to).
//
//   a. tiny tasks (x => x + 1), N submitted at once (tasks/s)
//   b. tiny tasks, at most 64 in flight (tasks/s)
//   c. sequential round trip: submit, await, repeat (µs per task)
//   d. seeds/000 #4 at its own scale: 400 gcd tasks (jobs/s; vs linear = speedup)
//   d2. the same job 10x heavier: 4000 gcd tasks (issue #4's goal: >= 1.9x over linear)
//   d3. CPython's ProcessPoolExecutor on suite d's job next to weft's pools (needs python3)
//   e. pool start to first result, in a fresh process without a TS loader (ms)
//   f. process pools, 2 child processes: weft ProcessPoolExecutor vs tinypool
//      (runtime 'child_process') vs poolifier FixedClusterPool (node:cluster),
//      shapes a, b and c as three tables
//
// Notes:
// - Each suite runs only what `--filter` selects; pools start in a case's
//   setup and are warmed (64 tasks) before round 1, never inside the timing.
// - d3 keeps one `python3` alive for the whole suite (bench/fixtures/futures-python.ts):
//   its ProcessPoolExecutor is created and warmed once, CPython times each job
//   itself, and its rounds interleave with the Node cases' like any other case.
// - The f peers' children talk over IPC with JSON (their default), weft's
//   with V8 serialization. poolifier's cluster worker is a .cjs file and its
//   children start without the bench's tsx `--import` (see
//   bench/fixtures/futures-poolifier-cluster-worker.cjs for why); tinypool's
//   and weft's children inherit it, which costs start time only.
// - A pool's close() gets 30 s, then counts as a teardown error, so one stuck
//   pool cannot stall the run; WEFT_BENCH_DEBUG=1 prints each close time.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import { FixedClusterPool, FixedThreadPool } from 'poolifier';
import workerpool from 'workerpool';
import { ProcessPoolExecutor, ThreadPoolExecutor, tasks } from '../src/futures/index.js';
import { BarePool } from './fixtures/futures-bare.js';
import { CPythonGcd, hasPython } from './fixtures/futures-python.js';
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
  /** Suite d2 (a linear job takes ~2 s). */
  readonly heavyRounds: number;
  readonly heavyWarmup: number;
  /** Suite d3 (CPython's linear job takes ~2.6 s). */
  readonly pythonRounds: number;
  readonly pythonWarmup: number;
  /** Suite f: tasks per run of its burst and windowed shapes, and of its sequential one. */
  readonly processBulk: number;
  readonly processSequential: number;
}

const FULL: Plan = {
  bulkRounds: 5,
  rounds: 10,
  warmup: 2,
  burst: 100_000,
  window: 100_000,
  sequential: 2_000,
  startRounds: 5,
  heavyRounds: 5,
  heavyWarmup: 1,
  pythonRounds: 3,
  pythonWarmup: 1,
  processBulk: 20_000,
  processSequential: 1_000,
};
const QUICK: Plan = {
  bulkRounds: 2,
  rounds: 2,
  warmup: 1,
  burst: 5_000,
  window: 5_000,
  sequential: 200,
  startRounds: 1,
  heavyRounds: 1,
  heavyWarmup: 0,
  pythonRounds: 1,
  pythonWarmup: 0,
  processBulk: 2_000,
  processSequential: 100,
};

const TITLE = {
  burst: 'futures a: tiny tasks (x => x + 1) submitted at once, 2 workers',
  window: 'futures b: tiny tasks, at most 64 in flight, 2 workers',
  sequential: 'futures c: sequential round trip (submit, await, repeat), 2 workers',
  gcd: 'futures d: seeds/000 #4 gcd job at its own scale (400 tasks), 2 workers',
  heavy: 'futures d2: the gcd job 10x heavier (4000 tasks), 2 workers',
  python: "futures d3: CPython's ProcessPoolExecutor next to weft, gcd job (400 tasks), 2 workers",
  start: 'futures e: pool start to first result, fresh process, no TS loader',
  processBurst: 'futures f: process pools (2 child processes): tiny tasks submitted at once',
  processWindow: 'futures f: process pools (2 child processes): tiny tasks, at most 64 in flight',
  processSequential: 'futures f: process pools (2 child processes): sequential round trip',
} as const;

/** One pool under test: how to run the tiny task and the gcd task, and how to close it. */
interface Subject {
  readonly name: string;
  start(): void;
  inc(x: number): PromiseLike<unknown>;
  gcd(a: number, b: number): PromiseLike<unknown>;
  close(): Promise<unknown>;
}

/** tinypool over the shared peer worker file, in threads or child processes. */
function tinypool(name: string, runtime: 'worker_threads' | 'child_process'): Subject {
  let tiny: Tinypool;
  return {
    name,
    start: () =>
      (tiny = new Tinypool({
        runtime,
        filename: peerFile.href,
        minThreads: WORKERS,
        maxThreads: WORKERS,
      })),
    inc: (x) => tiny.run(x, { name: 'inc' }) as Promise<unknown>,
    gcd: (a, b) => tiny.run([a, b], { name: 'gcd' }) as Promise<unknown>,
    close: () => tiny.destroy(),
  };
}

function weftProcess(): Subject {
  let pool: ProcessPoolExecutor;
  return {
    name: 'weft ProcessPoolExecutor',
    start: () => (pool = new ProcessPoolExecutor({ maxWorkers: WORKERS })),
    inc: (x) => pool.submit(weftTasks.inc, x),
    gcd: (a, b) => pool.submit(weftTasks.gcd, a, b),
    close: () => pool.shutdown(),
  };
}

function subjects(withProcess: boolean): Subject[] {
  let weft: ThreadPoolExecutor;
  let pis: Piscina;
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
    tinypool('tinypool', 'worker_threads'),
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
  if (withProcess) list.splice(1, 0, weftProcess());
  return list;
}

/** Suite f: pools of 2 child processes. */
function processSubjects(): Subject[] {
  let poo: FixedClusterPool<number | [number, number], number>;
  return [
    weftProcess(),
    tinypool('tinypool child_process', 'child_process'),
    {
      name: 'poolifier cluster',
      start: () =>
        (poo = new FixedClusterPool(
          WORKERS,
          fileURLToPath(
            new URL('./fixtures/futures-poolifier-cluster-worker.cjs', import.meta.url),
          ),
          // Without the bench's tsx `--import`: see the worker file.
          { settings: { execArgv: [] } },
        )),
      inc: (x) => poo.execute(x, 'inc'),
      gcd: (a, b) => poo.execute([a, b], 'gcd'),
      close: () => poo.destroy(),
    },
  ];
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
      // A pool whose close hangs must not hang the run (the table still prints).
      let timer: NodeJS.Timeout | undefined;
      const t0 = performance.now();
      try {
        await Promise.race([
          s.close(),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`close() still pending after ${CLOSE_TIMEOUT_MS} ms`)),
              CLOSE_TIMEOUT_MS,
            );
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
      if (process.env['WEFT_BENCH_DEBUG'] !== undefined) {
        process.stderr.write(`  ${s.name}: closed in ${(performance.now() - t0).toFixed(0)} ms\n`);
      }
    },
  };
}

const CLOSE_TIMEOUT_MS = 30_000;

/** One table of a task shape (a, b, c, and their process-pool twins in f). */
interface ShapeSpec {
  readonly title: string;
  readonly subjects: readonly Subject[];
  /** Tasks per run. */
  readonly n: number;
  readonly rounds: number;
  readonly warmup: number;
  readonly compareTo: readonly string[];
  /** Printed after the shape's own note. */
  readonly notes?: readonly string[];
}

async function burst(spec: ShapeSpec): Promise<SuiteResult> {
  const { n } = spec;
  const cases = spec.subjects.map((s) =>
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
    title: spec.title,
    cases,
    rounds: spec.rounds,
    warmup: spec.warmup,
    compareTo: spec.compareTo,
    notes: [
      `${n} tasks submitted in one loop, then \`await Promise.all(...)\`; value = tasks / elapsed`,
      ...(spec.notes ?? []),
    ],
  });
}

async function windowed(spec: ShapeSpec): Promise<SuiteResult> {
  const { n } = spec;
  const cases = spec.subjects.map((s) =>
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
    title: spec.title,
    cases,
    rounds: spec.rounds,
    warmup: spec.warmup,
    compareTo: spec.compareTo,
    notes: [
      `${n} tasks, a new one submitted as each finishes, 64 in flight`,
      ...(spec.notes ?? []),
    ],
  });
}

async function sequential(spec: ShapeSpec): Promise<SuiteResult> {
  const { n } = spec;
  const cases = spec.subjects.map((s) =>
    asCase(s, async () => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await s.inc(i);
      return { value: ((performance.now() - t0) * 1000) / n, unit: 'µs/task' };
    }),
  );
  return runSuite({
    title: spec.title,
    cases,
    rounds: spec.rounds,
    warmup: spec.warmup,
    compareTo: spec.compareTo,
    notes: [
      `${n} tasks, each awaited before the next is submitted; lower is better`,
      ...(spec.notes ?? []),
    ],
  });
}

/** seeds/000 #4: numbers = [(1231312, 434344), (2013123, 111110), (34423323, 123123), (234345, 345345)] * repeat */
function seedPairs(repeat: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < repeat; i++) {
    pairs.push([1231312, 434344], [2013123, 111110], [34423323, 123123], [234345, 345345]);
  }
  return pairs;
}

const LINEAR = 'linear (main thread)';

/** One table of the gcd job: linear on the main thread against pools (d, d2, d3). */
interface GcdSpec {
  readonly title: string;
  /** The seed's `numbers * 100` is 100. */
  readonly repeat: number;
  readonly rounds: number;
  readonly warmup: number;
  /** Names of `subjects(true)` to run; all of them when omitted. */
  readonly pools?: readonly string[];
  /** Further cases, given the job's pairs and its expected sum. */
  readonly more?: (pairs: readonly [number, number][], sum: number) => readonly BenchCase[];
  readonly compareTo: readonly string[];
  readonly notes: readonly string[];
}

async function gcdJob(spec: GcdSpec): Promise<SuiteResult> {
  const pairs = seedPairs(spec.repeat);
  const expected = pairs.reduce((sum, [a, b]) => sum + gcdLinear(a, b), 0);
  const linear: BenchCase = {
    name: LINEAR,
    run: () => {
      const t0 = performance.now();
      let sum = 0;
      for (const [a, b] of pairs) sum += gcdLinear(a, b);
      const ms = performance.now() - t0;
      return {
        value: 1000 / ms,
        unit: 'jobs/s',
        checks: { correct: sum === expected },
        extras: { ms },
      };
    },
  };
  const chosen = subjects(true).filter(
    (s) => spec.pools === undefined || spec.pools.includes(s.name),
  );
  const pools = chosen.map((s) =>
    asCase(s, async () => {
      const t0 = performance.now();
      const results = await Promise.all(pairs.map(([a, b]) => s.gcd(a, b)));
      const ms = performance.now() - t0;
      const sum = (results as number[]).reduce((x, y) => x + y, 0);
      return {
        value: 1000 / ms,
        unit: 'jobs/s',
        checks: { correct: sum === expected },
        extras: { ms },
      };
    }),
  );
  return runSuite({
    title: spec.title,
    cases: [linear, ...pools, ...(spec.more?.(pairs, expected) ?? [])],
    rounds: spec.rounds,
    warmup: spec.warmup,
    baseline: LINEAR,
    compareTo: spec.compareTo,
    notes: spec.notes,
  });
}

/** Suite d3's CPython cases: both share one `python3` (and its warm pool). */
function cpythonCases(pairs: readonly [number, number][], expected: number): BenchCase[] {
  let py: Promise<CPythonGcd> | undefined;
  const started = (): Promise<CPythonGcd> => (py ??= CPythonGcd.start(WORKERS, pairs));
  const modes = [
    ['CPython linear', 'linear'],
    ['CPython ProcessPoolExecutor', 'processes'],
  ] as const;
  return modes.map(([name, mode]) => ({
    name,
    setup: async () => {
      await started();
    },
    run: async () => {
      const { seconds, result } = await (await started()).run(mode);
      return {
        value: 1 / seconds,
        unit: 'jobs/s',
        checks: { correct: result === expected },
        extras: { ms: seconds * 1000 },
      };
    },
    teardown: async () => {
      // The first teardown closes it; a failed start has nothing to close.
      const p = py;
      py = undefined;
      await p?.then(
        (it) => it.close(),
        () => undefined,
      );
    },
  }));
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
  // Suite f's three tables share these.
  const proc = {
    rounds: plan.bulkRounds,
    warmup: 1,
    compareTo: ['tinypool child_process', 'poolifier cluster'],
    notes: [
      "pools of 2 child processes: weft ProcessPoolExecutor, tinypool { runtime: 'child_process' }, " +
        'poolifier FixedClusterPool (node:cluster, a .cjs ClusterWorker)',
    ],
  };
  const smaller =
    "fewer tasks than suites a/b: tinypool's child_process runtime ran ~7k tasks/s " +
    'when this suite was written, so 100k would take ~15 s per round';
  const suites: [string, () => Promise<SuiteResult>][] = [
    [
      TITLE.burst,
      () =>
        burst({
          title: TITLE.burst,
          subjects: subjects(true),
          n: plan.burst,
          rounds: plan.bulkRounds,
          warmup: 1,
          compareTo: ['poolifier', 'piscina', 'bare worker_threads'],
          notes: ['every pool: 2 workers, default options; weft: pool.submit(tasks(url).inc, x)'],
        }),
    ],
    [
      TITLE.window,
      () =>
        windowed({
          title: TITLE.window,
          subjects: subjects(true),
          n: plan.window,
          rounds: plan.bulkRounds,
          warmup: 1,
          compareTo: ['poolifier', 'piscina', 'bare worker_threads'],
        }),
    ],
    [
      TITLE.sequential,
      () =>
        sequential({
          title: TITLE.sequential,
          subjects: subjects(false),
          n: plan.sequential,
          rounds: plan.rounds,
          warmup: plan.warmup,
          compareTo: ['piscina', 'poolifier'],
        }),
    ],
    [
      TITLE.gcd,
      () =>
        gcdJob({
          title: TITLE.gcd,
          repeat: 100,
          rounds: plan.rounds,
          warmup: Math.max(plan.warmup, 2),
          compareTo: ['bare worker_threads'],
          notes: [
            'one job = the seed\'s 400 gcd calls (its `numbers * 100`); "vs linear" is the speedup over the main thread',
            'CPython 3 on this kind of machine (issue figures): linear 2.60 s, ThreadPoolExecutor 0.95x, ProcessPoolExecutor 1.78x; suite d3 measures it',
          ],
        }),
    ],
    [
      TITLE.heavy,
      () =>
        gcdJob({
          title: TITLE.heavy,
          repeat: 1000,
          rounds: plan.heavyRounds,
          warmup: plan.heavyWarmup,
          pools: [
            'weft ThreadPoolExecutor',
            'weft ProcessPoolExecutor',
            'bare worker_threads',
            'poolifier',
            'piscina',
          ],
          compareTo: ['bare worker_threads'],
          notes: [
            "one job = the seed's pairs x 1000 (its `numbers * 100`, times 10): 4000 gcd calls, one task each",
            'issue #4\'s goal: "vs linear" (the speedup over the main thread) at least 1.9x with 2 workers',
          ],
        }),
    ],
    [
      TITLE.python,
      () => {
        const python = hasPython();
        return gcdJob({
          title: TITLE.python,
          repeat: 100,
          rounds: plan.pythonRounds,
          warmup: plan.pythonWarmup,
          pools: ['weft ThreadPoolExecutor', 'weft ProcessPoolExecutor'],
          ...(python ? { more: cpythonCases } : {}),
          compareTo: python ? ['CPython linear'] : [],
          notes: python
            ? [
                'one job = suite d\'s 400 gcd calls; read CPython ProcessPoolExecutor "vs CPython linear" ' +
                  'next to the weft pools\' "vs linear (main thread)"',
                'CPython: one python3 for the suite, ProcessPoolExecutor(max_workers=2) created and warmed before round 1, ' +
                  'job = sum(pool.map(gcd, a, b)) (chunksize 1, as `weft bench --python`), timed by time.perf_counter',
              ]
            : ['python3 not found: the CPython cases are skipped'],
        });
      },
    ],
    [TITLE.start, () => start(plan)],
    [
      TITLE.processBurst,
      () =>
        burst({
          ...proc,
          title: TITLE.processBurst,
          subjects: processSubjects(),
          n: plan.processBulk,
          notes: [...proc.notes, smaller],
        }),
    ],
    [
      TITLE.processWindow,
      () =>
        windowed({
          ...proc,
          title: TITLE.processWindow,
          subjects: processSubjects(),
          n: plan.processBulk,
          notes: [...proc.notes, smaller],
        }),
    ],
    [
      TITLE.processSequential,
      () =>
        sequential({
          ...proc,
          title: TITLE.processSequential,
          subjects: processSubjects(),
          n: plan.processSequential,
          rounds: plan.rounds,
          warmup: plan.warmup,
        }),
    ],
  ];
  for (const [title, suite] of suites) {
    if (options.selects(title)) options.report(await suite());
  }
}
