// In-thread structured concurrency (weft/asyncio) against what people use
// today: Promise.all, p-limit 7 and p-queue 9.
//
//   a. a TaskGroup of 10,000 trivial tasks vs Promise.all of the same (ns/task)
//   b. a Semaphore limiting 100,000 trivial tasks to 16 at a time vs p-limit
//      and p-queue with concurrency 16 (ns/task)
//   c. asyncio Queue put/get pairs vs p-queue's add (ns/item)
//
// A trivial task is an async function that awaits once and returns a number:
// the cost measured is the machinery's, not the work's.

import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { Queue, Semaphore, TaskGroup } from '../src/asyncio/index.js';
import type { Task } from '../src/asyncio/index.js';
import {
  runSuite,
  type BenchCase,
  type BenchOptions,
  type Measurement,
  type SuiteResult,
} from './harness.js';

interface Plan {
  readonly rounds: number;
  readonly warmup: number;
  /** Time per case per round. */
  readonly roundMs: number;
}

const FULL: Plan = { rounds: 15, warmup: 3, roundMs: 200 };
const QUICK: Plan = { rounds: 2, warmup: 1, roundMs: 20 };

const GROUP_TASKS = 10_000;
const LIMITED_TASKS = 100_000;
const LIMIT = 16;
const QUEUE_ITEMS = 10_000;

const TITLE = {
  group: `asyncio a: TaskGroup of ${GROUP_TASKS.toLocaleString('en')} trivial tasks vs Promise.all`,
  limit: `asyncio b: ${LIMITED_TASKS.toLocaleString('en')} trivial tasks, at most ${LIMIT} at a time`,
  queue: 'asyncio c: Queue put/get pairs vs p-queue add, one item at a time',
} as const;

export async function run(options: BenchOptions): Promise<void> {
  const plan = options.quick ? QUICK : FULL;
  const suites: [string, (plan: Plan) => Promise<SuiteResult>][] = [
    [TITLE.group, taskGroup],
    [TITLE.limit, limited],
    [TITLE.queue, queuePairs],
  ];
  for (const [title, suite] of suites) {
    if (options.selects(title)) options.report(await suite(plan));
  }
}

/** The trivial task: one await, a number back. */
async function trivial(): Promise<number> {
  await RESOLVED;
  return 1;
}

const RESOLVED = Promise.resolve();

/** Runs `once` (which does `n` operations) until `roundMs` has passed; ns per operation. */
async function nsPer(
  n: number,
  roundMs: number,
  once: () => Promise<number>,
  unit: string,
  check?: (result: number) => boolean,
): Promise<Measurement> {
  let ops = 0;
  let ok = true;
  const t0 = performance.now();
  let t: number;
  do {
    const result = await once();
    if (check !== undefined && !check(result)) ok = false;
    ops += n;
  } while ((t = performance.now()) - t0 < roundMs);
  return {
    value: ((t - t0) * 1e6) / ops,
    unit,
    ...(check === undefined ? {} : { checks: { correct: ok } }),
  };
}

// ---------------------------------------------------------------------------
// a. TaskGroup vs Promise.all

async function taskGroup(plan: Plan): Promise<SuiteResult> {
  const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
  const sumResults = (tasks: readonly Task<number>[]): number => {
    let total = 0;
    for (const t of tasks) total += t.result();
    return total;
  };
  const cases: BenchCase[] = [
    {
      name: 'Promise.all',
      run: ({ roundMs }) =>
        nsPer(
          GROUP_TASKS,
          roundMs,
          async () => {
            const promises: Promise<number>[] = [];
            for (let i = 0; i < GROUP_TASKS; i++) promises.push(trivial());
            return sum(await Promise.all(promises));
          },
          'ns/task',
          (r) => r === GROUP_TASKS,
        ),
    },
    {
      name: 'weft TaskGroup',
      run: ({ roundMs }) =>
        nsPer(
          GROUP_TASKS,
          roundMs,
          async () => {
            const tasks: Task<number>[] = [];
            {
              await using tg = new TaskGroup();
              for (let i = 0; i < GROUP_TASKS; i++) tasks.push(tg.create(trivial));
            }
            return sumResults(tasks);
          },
          'ns/task',
          (r) => r === GROUP_TASKS,
        ),
    },
    {
      name: 'weft TaskGroup.run',
      run: ({ roundMs }) =>
        nsPer(
          GROUP_TASKS,
          roundMs,
          async () => {
            const tasks = await TaskGroup.run((tg) => {
              const list: Task<number>[] = [];
              for (let i = 0; i < GROUP_TASKS; i++) list.push(tg.create(trivial));
              return list;
            });
            return sumResults(tasks);
          },
          'ns/task',
          (r) => r === GROUP_TASKS,
        ),
    },
  ];
  return runSuite({
    title: TITLE.group,
    cases,
    rounds: plan.rounds,
    warmup: plan.warmup,
    roundMs: plan.roundMs,
    baseline: 'weft TaskGroup',
    compareTo: ['Promise.all'],
    notes: [
      'Promise.all: await Promise.all(10,000 x trivial())',
      'weft TaskGroup: { await using tg = new TaskGroup(); 10,000 x tasks.push(tg.create(trivial)) } (abort signal, failure bookkeeping, Task handles)',
      'weft TaskGroup.run: the same through TaskGroup.run(body)',
      'trivial: async () => { await resolved; return 1 }, results summed from the array / the Tasks; goal: TaskGroup within 1.3x of Promise.all',
    ],
  });
}

// ---------------------------------------------------------------------------
// b. Semaphore vs p-limit vs p-queue

async function limited(plan: Plan): Promise<SuiteResult> {
  // Every case runs the same body, which records the concurrency it sees.
  let active = 0;
  let maxActive = 0;
  const body = async (): Promise<number> => {
    if (++active > maxActive) maxActive = active;
    const r = await trivial();
    active--;
    return r;
  };
  const measure = (roundMs: number, once: () => Promise<number>): Promise<Measurement> => {
    maxActive = 0;
    return nsPer(LIMITED_TASKS, roundMs, once, 'ns/task').then((m) => ({
      ...m,
      checks: { [`at most ${LIMIT}`]: maxActive <= LIMIT && maxActive > 0 },
    }));
  };
  const all = async (make: () => Promise<number>): Promise<number> => {
    const promises: Promise<number>[] = [];
    for (let i = 0; i < LIMITED_TASKS; i++) promises.push(make());
    return (await Promise.all(promises)).length;
  };

  const sem = new Semaphore(LIMIT);
  const limit = pLimit(LIMIT);
  const queue = new PQueue({ concurrency: LIMIT });

  const cases: BenchCase[] = [
    {
      name: 'weft Semaphore',
      run: ({ roundMs }) =>
        measure(roundMs, () =>
          all(async () => {
            await sem.acquire();
            try {
              return await body();
            } finally {
              sem.release();
            }
          }),
        ),
    },
    {
      name: 'weft Semaphore hold()',
      run: ({ roundMs }) =>
        measure(roundMs, () =>
          all(async () => {
            await using _slot = await sem.hold();
            return await body();
          }),
        ),
    },
    {
      name: 'p-limit',
      run: ({ roundMs }) => measure(roundMs, () => all(() => limit(body))),
    },
    {
      name: 'p-queue',
      run: ({ roundMs }) => measure(roundMs, () => all(() => queue.add(body))),
    },
  ];
  return runSuite({
    title: TITLE.limit,
    cases,
    rounds: plan.rounds,
    warmup: plan.warmup,
    roundMs: plan.roundMs,
    baseline: 'weft Semaphore',
    compareTo: ['p-limit', 'p-queue'],
    notes: [
      'weft Semaphore: 100,000 x (await sem.acquire(); try { await body() } finally { sem.release() }), then Promise.all',
      'weft Semaphore hold(): the same with { await using _ = await sem.hold(); await body() } (Node 20 has no native `using`: the loader compiles it to helper calls, most of the difference)',
      'p-limit@7: Promise.all(100,000 x limit(body)); p-queue@9: Promise.all(100,000 x queue.add(body)), concurrency 16',
      `at most ${LIMIT}: the body never saw more than ${LIMIT} tasks inside at once (and saw some)`,
      'goal: weft Semaphore at least as fast as p-limit and p-queue (ratio <= 1)',
    ],
  });
}

// ---------------------------------------------------------------------------
// c. Queue put/get pairs vs p-queue add

async function queuePairs(plan: Plan): Promise<SuiteResult> {
  const q = new Queue<number>();
  const bounded = new Queue<number>({ maxsize: LIMIT });
  const pq = new PQueue({ concurrency: 1 });
  const identity = (i: number) => (): number => i;

  const cases: BenchCase[] = [
    {
      name: 'weft Queue put/get',
      run: ({ roundMs }) =>
        nsPer(
          QUEUE_ITEMS,
          roundMs,
          async () => {
            let sum = 0;
            for (let i = 0; i < QUEUE_ITEMS; i++) {
              await q.put(i);
              sum += await q.get();
            }
            return sum;
          },
          'ns/item',
          (r) => r === (QUEUE_ITEMS * (QUEUE_ITEMS - 1)) / 2,
        ),
    },
    {
      name: 'weft Queue producer/consumer',
      run: ({ roundMs }) =>
        nsPer(
          QUEUE_ITEMS,
          roundMs,
          async () => {
            const producer = async (): Promise<void> => {
              for (let i = 0; i < QUEUE_ITEMS; i++) await bounded.put(i);
            };
            const consumer = async (): Promise<number> => {
              let sum = 0;
              for (let i = 0; i < QUEUE_ITEMS; i++) sum += await bounded.get();
              return sum;
            };
            const [, sum] = await Promise.all([producer(), consumer()]);
            return sum;
          },
          'ns/item',
          (r) => r === (QUEUE_ITEMS * (QUEUE_ITEMS - 1)) / 2,
        ),
    },
    {
      name: 'p-queue add',
      run: ({ roundMs }) =>
        nsPer(
          QUEUE_ITEMS,
          roundMs,
          async () => {
            let sum = 0;
            for (let i = 0; i < QUEUE_ITEMS; i++) sum += await pq.add(identity(i));
            return sum;
          },
          'ns/item',
          (r) => r === (QUEUE_ITEMS * (QUEUE_ITEMS - 1)) / 2,
        ),
    },
    {
      name: 'p-queue add, all at once',
      run: ({ roundMs }) =>
        nsPer(
          QUEUE_ITEMS,
          roundMs,
          async () => {
            const promises: Promise<number>[] = [];
            for (let i = 0; i < QUEUE_ITEMS; i++) promises.push(pq.add(identity(i)));
            return (await Promise.all(promises)).reduce((a, b) => a + b, 0);
          },
          'ns/item',
          (r) => r === (QUEUE_ITEMS * (QUEUE_ITEMS - 1)) / 2,
        ),
    },
  ];
  return runSuite({
    title: TITLE.queue,
    cases,
    rounds: plan.rounds,
    warmup: plan.warmup,
    roundMs: plan.roundMs,
    baseline: 'weft Queue put/get',
    compareTo: ['p-queue add'],
    notes: [
      'weft Queue put/get: for each item, await q.put(i); await q.get() (unbounded asyncio Queue)',
      `weft Queue producer/consumer: one task puts, another gets, Queue({ maxsize: ${LIMIT} })`,
      'p-queue add: for each item, await queue.add(() => i) (p-queue@9, concurrency 1)',
      'p-queue add, all at once: Promise.all of 10,000 queue.add(() => i)',
      'goal: weft Queue at least as fast as p-queue (ratio <= 1)',
    ],
  });
}
