// Synchronization primitives: weft's Lock, Event and Condition against a raw
// futex lock, raw Atomics, MessageChannel and the npm packages people use
// today (multithreading, async-mutex, @esfx/async-mutex).
//
//   a. uncontended acquireSync()+release() on the main thread (ns/op)
//   b. uncontended `await acquire()` + release() (ns/op)
//   c. two workers incrementing one plain counter under the lock (increments/s)
//   d. main <-> worker wake-up round trip (µs per round trip)

import { once } from 'node:events';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { Mutex as AsyncMutex } from 'async-mutex';
import { AsyncMutex as EsfxAsyncMutex } from '@esfx/async-mutex';
// Must come before 'multithreading' (Node 20 has no global navigator).
import './fixtures/navigator-shim.js';
import { Mutex as MtMutex } from 'multithreading';
import { pack } from '../src/internal/codec.js';
import { Condition, Event, Lock } from '../src/threading/index.js';
import { futexLock, futexUnlock } from './fixtures/futex.js';
import {
  Counter,
  LOADED,
  Pong,
  waitAtLeast,
  type CounterCommand,
  type CounterKind,
  type CounterReply,
  type PongCommand,
  type PongReply,
  type PongVariant,
} from './fixtures/protocol.js';
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
  /** Time per case per round for the single-thread micro-benchmarks. */
  readonly microMs: number;
  /** Target time per case per round for the contended counter. */
  readonly counterMs: number;
  /** Time per case per round for ping-pong. */
  readonly pongMs: number;
  /**
   * Rounds for ping-pong: more, shorter rounds, because this VM's wake-up
   * latency flips between ~8 and ~70 µs within seconds, and only cases run
   * in the same round compare fairly.
   */
  readonly pongRounds: number;
}

const FULL: Plan = {
  rounds: 20,
  warmup: 3,
  microMs: 100,
  counterMs: 300,
  pongMs: 100,
  pongRounds: 40,
};
const QUICK: Plan = {
  rounds: 3,
  warmup: 1,
  microMs: 10,
  counterMs: 30,
  pongMs: 20,
  pongRounds: 3,
};

const TITLE = {
  sync: 'sync a: uncontended acquireSync()+release(), main thread',
  async: 'sync b: uncontended `await acquire()` + release(), main thread',
  counter: 'sync c: contended counter, 2 workers x (lock; c = c + 1; unlock)',
  pingPong: 'sync d: wake-up round trip main <-> worker',
} as const;

// A worker that stops answering fails the case after this long instead of hanging.
const STALL_MS = 30_000;

export async function run(options: BenchOptions): Promise<void> {
  const plan = options.quick ? QUICK : FULL;
  const suites: [string, (plan: Plan) => Promise<SuiteResult>][] = [
    [TITLE.sync, uncontendedSync],
    [TITLE.async, uncontendedAsync],
    [TITLE.counter, contendedCounter],
    [TITLE.pingPong, pingPong],
  ];
  for (const [title, suite] of suites) {
    if (options.selects(title)) options.report(await suite(plan));
  }
}

// ---------------------------------------------------------------------------
// Timing helpers. Each case passes its own batch function with the operation
// written inline, so the hot loop's call sites stay monomorphic; the helper's
// one indirect call per batch is negligible.

const BATCH = 1000;

function nsPerOp(roundMs: number, batch: () => void): Measurement {
  let ops = 0;
  const t0 = performance.now();
  let t: number;
  do {
    batch();
    ops += BATCH;
  } while ((t = performance.now()) - t0 < roundMs);
  return { value: ((t - t0) * 1e6) / ops, unit: 'ns/op' };
}

async function nsPerOpAsync(roundMs: number, batch: () => Promise<void>): Promise<Measurement> {
  let ops = 0;
  const t0 = performance.now();
  let t: number;
  do {
    await batch();
    ops += BATCH;
  } while ((t = performance.now()) - t0 < roundMs);
  return { value: ((t - t0) * 1e6) / ops, unit: 'ns/op' };
}

// ---------------------------------------------------------------------------
// a. Uncontended blocking acquire + release on the main thread.

async function uncontendedSync(plan: Plan): Promise<SuiteResult> {
  const raw = new Int32Array(new SharedArrayBuffer(8));
  const floor = new Int32Array(new SharedArrayBuffer(8));
  const mt = new MtMutex();
  const lock = new Lock();

  const cases: BenchCase[] = [
    {
      name: 'weft Lock',
      run: ({ roundMs }) =>
        nsPerOp(roundMs, () => {
          for (let i = 0; i < BATCH; i++) {
            lock.acquireSync();
            lock.release();
          }
        }),
    },
    {
      name: 'raw futex',
      run: ({ roundMs }) =>
        nsPerOp(roundMs, () => {
          for (let i = 0; i < BATCH; i++) {
            futexLock(raw, 0);
            futexUnlock(raw, 0);
          }
        }),
    },
    {
      name: 'multithreading',
      run: ({ roundMs }) =>
        nsPerOp(roundMs, () => {
          for (let i = 0; i < BATCH; i++) mt.blockingLock().dispose();
        }),
    },
    {
      name: 'floor CAS+store',
      run: ({ roundMs }) =>
        nsPerOp(roundMs, () => {
          for (let i = 0; i < BATCH; i++) {
            Atomics.compareExchange(floor, 0, 0, 1);
            Atomics.store(floor, 0, 0);
          }
        }),
    },
  ];
  return runSuite({
    title: TITLE.sync,
    cases,
    rounds: plan.rounds,
    warmup: plan.warmup,
    roundMs: plan.microMs,
    baseline: 'weft Lock',
    compareTo: ['raw futex', 'floor CAS+store'],
    notes: [
      'weft Lock: lock.acquireSync(); lock.release()',
      'raw futex: 3-state futex lock written in the benchmark (CAS 0->1; exchange(2)+wait; exchange(0)==2 -> notify)',
      'multithreading: Mutex.blockingLock() + guard.dispose() (multithreading@0.3.52)',
    ],
  });
}

// ---------------------------------------------------------------------------
// b. Uncontended async acquire + release on the main thread.

async function uncontendedAsync(plan: Plan): Promise<SuiteResult> {
  const am = new AsyncMutex();
  const esfx = new EsfxAsyncMutex();
  const mt = new MtMutex();
  const resolved = Promise.resolve();
  const lock = new Lock();

  const cases: BenchCase[] = [
    {
      name: 'weft Lock',
      run: ({ roundMs }) =>
        nsPerOpAsync(roundMs, async () => {
          for (let i = 0; i < BATCH; i++) {
            await lock.acquire();
            lock.release();
          }
        }),
    },
    {
      name: 'async-mutex',
      run: ({ roundMs }) =>
        nsPerOpAsync(roundMs, async () => {
          for (let i = 0; i < BATCH; i++) {
            const release = await am.acquire();
            release();
          }
        }),
    },
    {
      name: '@esfx/async-mutex',
      run: ({ roundMs }) =>
        nsPerOpAsync(roundMs, async () => {
          for (let i = 0; i < BATCH; i++) {
            await esfx.lock();
            esfx.unlock();
          }
        }),
    },
    {
      name: 'multithreading',
      run: ({ roundMs }) =>
        nsPerOpAsync(roundMs, async () => {
          for (let i = 0; i < BATCH; i++) (await mt.lock()).dispose();
        }),
    },
    {
      name: 'floor await',
      run: ({ roundMs }) =>
        nsPerOpAsync(roundMs, async () => {
          for (let i = 0; i < BATCH; i++) await resolved;
        }),
    },
  ];
  return runSuite({
    title: TITLE.async,
    cases,
    rounds: plan.rounds,
    warmup: plan.warmup,
    roundMs: plan.microMs,
    baseline: 'weft Lock',
    compareTo: ['async-mutex', 'floor await'],
    notes: [
      'weft Lock: await lock.acquire(); lock.release()',
      'async-mutex@0.5: acquire() -> releaser(); @esfx/async-mutex@1.0: lock()/unlock() (both single-thread only)',
      'multithreading: (await Mutex.lock()).dispose(); floor: `await` of an already resolved promise',
    ],
  });
}

// ---------------------------------------------------------------------------
// c. Contended counter: two workers, `lock; c = c + 1; unlock`.

async function contendedCounter(plan: Plan): Promise<SuiteResult> {
  const words = new Int32Array(new SharedArrayBuffer(Counter.words * 4));
  const mtLock = new SharedArrayBuffer(4);
  const weft = pack({ lock: new Lock() });
  const workers = await Promise.all(
    [1, 2].map((id) =>
      startWorker('./fixtures/counter-worker.ts', { id, words: words.buffer, mtLock, weft }),
    ),
  );

  const runOnce = async (kind: CounterKind, iters: number): Promise<Measurement> => {
    for (const i of [Counter.value, Counter.ready, Counter.gate, Counter.done, Counter.owner]) {
      Atomics.store(words, i, 0);
    }
    const replies = workers.map((w) => once(w, 'message') as Promise<[CounterReply]>);
    const cmd: CounterCommand = { kind, iters };
    for (const w of workers) w.postMessage(cmd);
    // Block the main thread (it does nothing meanwhile) so the start and
    // end times are not delayed by its event loop.
    waitAtLeast(words, Counter.ready, 2, STALL_MS);
    const t0 = performance.now();
    Atomics.store(words, Counter.gate, 1);
    Atomics.notify(words, Counter.gate);
    waitAtLeast(words, Counter.done, 2, STALL_MS);
    const t1 = performance.now();
    const got = await Promise.all(replies);
    const errors = got.map(([r]) => r.error).filter((e) => e !== undefined);
    if (errors.length > 0) throw new Error(errors.join('; '));
    const total = 2 * iters;
    return {
      value: total / ((t1 - t0) / 1000),
      unit: 'inc/s',
      checks: { exact: Atomics.load(words, Counter.value) === total },
      extras: { handoffs: got.reduce((sum, [r]) => sum + r.handoffs, 0) },
    };
  };

  // Each case sizes its run during warm-up so one run takes about counterMs:
  // the locks differ by ~40x in throughput.
  const counterCase = (name: string, kind: CounterKind, initialIters: number): BenchCase => {
    let iters = initialIters;
    return {
      name,
      run: async ({ warmup, roundMs }) => {
        const m = await runOnce(kind, iters);
        if (warmup) {
          const perWorker = (m.value * roundMs) / 1000 / 2;
          iters = Math.round(Math.min(20_000_000, Math.max(1000, perWorker)));
        }
        return m;
      },
    };
  };

  try {
    return await runSuite({
      title: TITLE.counter,
      cases: [
        counterCase('weft Lock', 'weft', 200_000),
        counterCase('raw futex', 'futex', 200_000),
        counterCase('multithreading', 'multithreading', 5_000),
      ],
      rounds: plan.rounds,
      warmup: Math.max(2, plan.warmup),
      roundMs: plan.counterMs,
      baseline: 'weft Lock',
      compareTo: ['raw futex'],
      notes: [
        'weft Lock: acquireSync()/release(); raw futex as in a; multithreading: blockingLock()/dispose()',
        'inc/s: total increments of both workers / wall time from opening the start gate to both done (higher is better)',
        'exact: the plain (non-atomic) counter ended at exactly 2 x iterations in every round',
        'handoffs: median number of times the lock changed owner in one run',
      ],
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

// ---------------------------------------------------------------------------
// d. Wake-up round trip main <-> worker.

async function pingPong(plan: Plan): Promise<SuiteResult> {
  const words = new Int32Array(new SharedArrayBuffer(Pong.words * 4));
  const { port1, port2 } = new MessageChannel();
  const ping = new Event();
  const pong = new Event();
  // Python's default: a Condition over a new RLock.
  const cond = new Condition();
  const weft = pack({ ping, pong, cond });
  const worker = await startWorker(
    './fixtures/pingpong-worker.ts',
    { words: words.buffer, echo: port2, weft },
    [port2],
  );

  // Starts one run in the worker and returns its completion; the worker sets
  // `ready` just before its loop, so timing starts with the worker waiting.
  const start = (variant: PongVariant): Promise<[PongReply]> => {
    Atomics.store(words, Pong.ready, 0);
    const reply = once(worker, 'message') as Promise<[PongReply]>;
    const cmd: PongCommand = { variant };
    worker.postMessage(cmd);
    waitAtLeast(words, Pong.ready, 1, STALL_MS);
    return reply;
  };
  const finish = async (reply: Promise<[PongReply]>, trips: number, ms: number) => {
    const [r] = await reply;
    if (r.error !== undefined) throw new Error(r.error);
    return { value: (ms * 1000) / trips, unit: 'µs/rt' };
  };
  const stalled = (): never => {
    throw new Error(`No answer from the worker within ${STALL_MS} ms`);
  };

  const resetEvents = (): void => {
    ping.clear();
    pong.clear();
    Atomics.store(words, Pong.stop, 0);
  };
  const stopEvents = (): void => {
    Atomics.store(words, Pong.stop, 1);
    ping.set();
  };

  const cases: BenchCase[] = [
    {
      name: 'weft Event',
      run: ({ roundMs }) => {
        resetEvents();
        const reply = start('event');
        let n = 0;
        const t0 = performance.now();
        let t: number;
        do {
          n++;
          ping.set();
          if (!pong.waitSync({ timeout: STALL_MS })) stalled();
          pong.clear();
        } while ((t = performance.now()) - t0 < roundMs);
        stopEvents();
        return finish(reply, n, t - t0);
      },
    },
    {
      name: 'weft Event async (main)',
      run: async ({ roundMs }) => {
        resetEvents();
        const reply = start('event');
        let n = 0;
        const t0 = performance.now();
        let t: number;
        do {
          n++;
          ping.set();
          if (!(await pong.wait({ timeout: STALL_MS }))) stalled();
          pong.clear();
        } while ((t = performance.now()) - t0 < roundMs);
        stopEvents();
        return finish(reply, n, t - t0);
      },
    },
    {
      name: 'weft Condition',
      run: ({ roundMs }) => {
        Atomics.store(words, Pong.turn, 0);
        const reply = start('condition');
        let n = 0;
        const t0 = performance.now();
        let t: number;
        cond.acquireSync();
        try {
          do {
            n++;
            Atomics.store(words, Pong.turn, 1);
            cond.notify();
            while (Atomics.load(words, Pong.turn) !== 0) {
              if (!cond.waitSync({ timeout: STALL_MS })) stalled();
            }
          } while ((t = performance.now()) - t0 < roundMs);
          Atomics.store(words, Pong.turn, 2);
          cond.notify();
        } finally {
          cond.release();
        }
        return finish(reply, n, t - t0);
      },
    },
    {
      name: 'raw wait/notify',
      run: ({ roundMs }) => {
        Atomics.store(words, Pong.ping, 0);
        Atomics.store(words, Pong.pong, 0);
        const reply = start('atomics');
        let n = 0;
        const t0 = performance.now();
        let t: number;
        do {
          n++;
          Atomics.store(words, Pong.ping, n);
          Atomics.notify(words, Pong.ping, 1);
          while (Atomics.load(words, Pong.pong) !== n) {
            if (Atomics.wait(words, Pong.pong, n - 1, STALL_MS) === 'timed-out') stalled();
          }
        } while ((t = performance.now()) - t0 < roundMs);
        Atomics.store(words, Pong.ping, -1);
        Atomics.notify(words, Pong.ping, 1);
        return finish(reply, n, t - t0);
      },
    },
    {
      name: 'raw waitAsync (main)',
      run: async ({ roundMs }) => {
        Atomics.store(words, Pong.ping, 0);
        Atomics.store(words, Pong.pong, 0);
        const reply = start('atomics');
        let n = 0;
        const t0 = performance.now();
        let t: number;
        do {
          n++;
          Atomics.store(words, Pong.ping, n);
          Atomics.notify(words, Pong.ping, 1);
          while (Atomics.load(words, Pong.pong) !== n) {
            const r = waitAsync(words, Pong.pong, n - 1, STALL_MS);
            if ((r.async ? await r.value : r.value) === 'timed-out') stalled();
          }
        } while ((t = performance.now()) - t0 < roundMs);
        Atomics.store(words, Pong.ping, -1);
        Atomics.notify(words, Pong.ping, 1);
        return finish(reply, n, t - t0);
      },
    },
    {
      name: 'MessageChannel',
      run: async ({ roundMs }) => {
        const reply = start('message');
        let wake: (() => void) | undefined;
        const onEcho = (): void => wake?.();
        port1.on('message', onEcho);
        try {
          let n = 0;
          const t0 = performance.now();
          let t: number;
          do {
            n++;
            const echoed = new Promise<void>((resolve) => (wake = resolve));
            port1.postMessage(n);
            await echoed;
          } while ((t = performance.now()) - t0 < roundMs);
          port1.postMessage('stop');
          return await finish(reply, n, t - t0);
        } finally {
          port1.off('message', onEcho);
          port1.unref();
        }
      },
    },
  ];

  try {
    return await runSuite({
      title: TITLE.pingPong,
      cases,
      rounds: plan.pongRounds,
      warmup: Math.max(2, plan.warmup),
      roundMs: plan.pongMs,
      baseline: 'weft Event',
      compareTo: ['raw wait/notify', 'MessageChannel'],
      notes: [
        'weft Event: ping.set(); pong.waitSync(); pong.clear() <-> ping.waitSync(); ping.clear(); pong.set()',
        'weft Condition (default RLock): turn word under the lock; notify() + waitSync() until the turn flips',
        'µs/rt: wall time / round trips (lower is better); the worker always blocks in a sync wait,',
        '  the main thread blocks too except in the (main) / async rows, which await',
        'raw: Atomics.store+notify, Atomics.wait on a sequence word; MessageChannel: postMessage echo',
      ],
    });
  } finally {
    port1.close();
    await worker.terminate();
  }
}

// ---------------------------------------------------------------------------

// Atomics.waitAsync is in Node 20 but not in the ES2023 lib this project
// compiles against; typed here so the benchmark does not depend on how src/
// declares it.
type WaitAsyncResult =
  | { readonly async: false; readonly value: 'not-equal' | 'timed-out' }
  | { readonly async: true; readonly value: Promise<'ok' | 'timed-out'> };
const waitAsync = (
  Atomics as unknown as {
    waitAsync(i32: Int32Array, index: number, value: number, timeout?: number): WaitAsyncResult;
  }
).waitAsync.bind(Atomics);

async function startWorker(
  file: string,
  workerData: unknown,
  transferList: MessagePort[] = [],
): Promise<Worker> {
  const worker = new Worker(new URL(file, import.meta.url), { workerData, transferList });
  // Each fixture posts LOADED once its module has run, so start-up (30-45 ms,
  // more with the TypeScript loader) is never timed; a fixture that fails to
  // load rejects here ('error').
  const [msg] = (await once(worker, 'message')) as [unknown];
  if (msg !== LOADED) throw new Error(`Unexpected first message from ${file}`);
  return worker;
}
