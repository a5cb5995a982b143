// The executor contract (CPython test_concurrent_futures, where it applies),
// run against every executor by test/futures/*-pool.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BrokenExecutorError,
  CancelledError,
  StateError,
  TimeoutError,
  WorkerExitError,
  tasks,
  wait,
  type PoolOptions,
  type StrayErrorSource,
} from '../../src/futures/index.js';
import type { ThreadPoolExecutor, ProcessPoolExecutor } from '../../src/futures/index.js';
import { assertRejectsAtCall } from '../helpers/rejects.js';

export const work = tasks<typeof import('../fixtures/futures-work.js')>(
  new URL('../fixtures/futures-work.ts', import.meta.url),
);

export type Pool = ThreadPoolExecutor | ProcessPoolExecutor;

export interface Subject {
  readonly name: string;
  readonly make: (options?: PoolOptions) => Pool;
  /** Thread pools: a task in a worker's inbox is still pending; shareables and transfers work. */
  readonly threads: boolean;
}

/** Long enough that only a hang reaches it. */
export const LONG = { timeout: 60_000 };

/** File handshakes with `work.block` (they work across threads and processes). */
export class Gate {
  readonly dir = mkdtempSync(join(tmpdir(), 'weft-futures-'));
  async started(name: string): Promise<void> {
    const file = join(this.dir, `${name}.started`);
    const deadline = performance.now() + 60_000;
    while (!existsSync(file)) {
      if (performance.now() > deadline) throw new Error(`${name} never started`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  release(name: string): void {
    writeFileSync(join(this.dir, `${name}.go`), '');
  }
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function executorSuite(subject: Subject): void {
  const { make, threads } = subject;
  let pool: Pool;
  // One worker, shared by the tests that need a known order but no special options.
  let one: Pool;
  const extra: Pool[] = [];
  const gate = new Gate();
  // A pool of one worker for tests that need a known queue.
  const fresh = (options: PoolOptions = {}): Pool => {
    const p = make({ maxWorkers: 1, ...options });
    extra.push(p);
    return p;
  };

  before(() => {
    pool = make({ maxWorkers: 2 });
    one = make({ maxWorkers: 1, gracePeriod: 300 });
  });
  after(async () => {
    await Promise.all([pool, one, ...extra].map((p) => p.terminate()));
    gate.dispose();
  });

  test('submit runs a task reference and a self-contained function', async () => {
    assert.equal(await pool.submit(work.add, 2, 3), 5);
    assert.equal(await pool.submit((a: number, b: number) => a * b, 6, 7), 42);
    assert.equal(await pool.submit(work.gcd, 1231312, 434344), 8);
    assert.deepEqual(await pool.submit(work.echo, { a: [1, 2], m: new Map([[1, 2]]) }), {
      a: [1, 2],
      m: new Map([[1, 2]]),
    });
  });

  test('many tasks finishing together: none missed, each result right', async () => {
    const futures = Array.from({ length: 2000 }, (_, i) => pool.submit(work.inc, i));
    const { done, notDone } = await wait(futures, LONG);
    assert.equal(done.size, 2000);
    assert.equal(notDone.size, 0);
    assert.deepEqual(
      await Promise.all(futures),
      futures.map((_, i) => i + 1),
    );
  });

  test('map yields in input order over zipped iterables (shortest wins), with chunksize too', async () => {
    const out: number[] = [];
    for await (const g of pool.map(work.gcd, [12, 30, 7, 99], [8, 45, 5])) out.push(g);
    assert.deepEqual(out, [4, 15, 1]);
    const xs = Array.from({ length: 1000 }, (_, i) => i);
    for (const chunksize of [1, 7, 1000]) {
      const ys: number[] = [];
      for await (const y of pool.map(work.inc, xs, { chunksize })) ys.push(y);
      assert.deepEqual(
        ys,
        xs.map((x) => x + 1),
      );
    }
  });

  test('map takes async iterables', async () => {
    async function* numbers(): AsyncGenerator<number> {
      for (let i = 0; i < 50; i++) yield await Promise.resolve(i);
    }
    const ys: number[] = [];
    for await (const y of pool.map(work.add, numbers(), numbers())) ys.push(y);
    assert.deepEqual(
      ys,
      Array.from({ length: 50 }, (_, i) => 2 * i),
    );
  });

  test('map reads its input lazily: at most buffersize ahead, starting before iteration', async () => {
    let pulled = 0;
    function* input(): Generator<number> {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield i;
      }
    }
    const results = pool.map(work.inc, input(), { buffersize: 3 });
    assert.equal(pulled, 3);
    const first = await results.next();
    assert.deepEqual(first, { value: 1, done: false });
    assert.ok(pulled <= 4, `pulled ${pulled}`);
    let n = 1;
    for await (const _ of results) n++;
    assert.equal(n, 100);
  });

  test('map raises an error at its position, after the earlier results', async () => {
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const v of pool.map(work.echo, [1, 2, 'boom', 4])) {
          if (v === 'boom') await pool.submit(work.fail, 'boom');
          seen.push(v as number);
        }
      })(),
      (e: Error) => e.message === 'boom',
    );
    assert.deepEqual(seen, [1, 2]);
    const chunked: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const v of pool.map(work.gcd, [12, 30, 'x' as never, 8], [8, 45, 1, 4], {
          chunksize: 4,
        })) {
          chunked.push(v);
        }
      })().then(() => pool.submit(work.failWith, 'after')),
      (e: unknown) => e === 'after',
    );
    assert.deepEqual(chunked, [4, 15, 1, 4]);
  });

  test('map timeout counts from the call: earlier results, then TimeoutError; the rest is cancelled', async () => {
    const p = one;
    await p.submit(work.inc, 0);
    const start = performance.now();
    const seen: unknown[] = [];
    const dirs = Array.from({ length: 5 }, () => gate.dir);
    const names = ['', '', 'map-timeout', '', ''];
    await assert.rejects(
      (async () => {
        for await (const v of p.map(work.blockIf, dirs, names, [1, 2, 3, 4, 5], {
          timeout: 1000,
        })) {
          seen.push(v);
        }
      })(),
      TimeoutError,
    );
    assert.ok(performance.now() - start >= 999);
    assert.deepEqual(seen, [1, 2]);
    gate.release('map-timeout');
  });

  test('a task error arrives as itself: class name, message, code, own properties, worker stack', async () => {
    const error = (await pool.submit(work.fail, 'it failed').catch((e: unknown) => e)) as Error & {
      code: string;
      extra: unknown;
      fn?: unknown;
    };
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'CodedError');
    assert.equal(error.message, 'it failed');
    assert.equal(error.code, 'E_CODED');
    assert.deepEqual(error.extra, { n: 1 });
    assert.equal(error.fn, undefined, 'a function property does not clone and is left out');
    assert.match(error.stack!, /^CodedError: it failed/);
    assert.match(error.stack!, /futures-work\.ts/);
    await assert.rejects(pool.submit(work.failRange), RangeError);
    await assert.rejects(pool.submit(work.failAsync, 'later'), {
      name: 'CodedError',
      message: 'later',
    });
  });

  test('thrown non-errors arrive as the same values (also falsy ones)', async () => {
    for (const value of [0, null, undefined, '', 'text', { plain: true }]) {
      await assert.rejects(pool.submit(work.failWith, value), (e: unknown) => {
        assert.deepEqual(e, value);
        return true;
      });
    }
  });

  test('a result that cannot be cloned fails that task with a TypeError; the others are fine', async () => {
    const [bad, good] = [pool.submit(work.returnsFunction), pool.submit(work.inc, 1)];
    await assert.rejects(bad, { name: 'TypeError', code: 'ERR_NOT_CLONEABLE' });
    assert.equal(await good, 2);
  });

  test('arguments that cannot be cloned fail only that task', async () => {
    const bad = pool.submit(work.echo, () => 1);
    const good = pool.submit(work.inc, 1);
    await assert.rejects(bad, { name: 'TypeError', code: 'ERR_NOT_CLONEABLE' });
    assert.equal(await good, 2);
  });

  test('cancel: a queued task is cancelled; a running one is not', async () => {
    const p = fresh();
    const running = p.submit(work.block, gate.dir, 'cancel-1');
    const queued = Array.from({ length: 5 }, (_, i) => p.submit(work.inc, i));
    await gate.started('cancel-1');
    assert.equal(running.running(), true);
    assert.equal(running.cancel(), false);
    const last = queued[4]!;
    assert.equal(last.cancel(), true);
    assert.equal(last.cancelled(), true);
    assert.equal(last.done(), true);
    await assert.rejects(last, CancelledError);
    gate.release('cancel-1');
    assert.equal(await running, 'cancel-1');
    assert.deepEqual(await Promise.all(queued.slice(0, 4)), [1, 2, 3, 4]);
  });

  if (threads) {
    test('a task waiting in a worker inbox is still pending and can be cancelled', async () => {
      const p = fresh();
      const running = p.submit(work.block, gate.dir, 'inbox-1');
      const next = p.submit(work.inc, 1);
      await gate.started('inbox-1');
      assert.equal(next.running(), false);
      assert.equal(next.cancel(), true);
      gate.release('inbox-1');
      await running;
      assert.equal(await p.submit(work.inc, 2), 3);
      assert.equal(next.cancelled(), true);
    });
  }

  test('shutdown waits for every task; submit afterwards throws ERR_EXECUTOR_SHUTDOWN', async () => {
    const p = fresh({ maxWorkers: 2 });
    const futures = Array.from({ length: 50 }, (_, i) => p.submit(work.sleep, 1, i));
    const closing = p.shutdown();
    assert.equal(p.shutdown(), closing, 'idempotent: the same promise');
    await closing;
    assert.ok(futures.every((f) => f.done() && !f.cancelled()));
    assert.throws(
      () => p.submit(work.inc, 1),
      (e: StateError) => e.code === 'ERR_EXECUTOR_SHUTDOWN',
    );
    await p.shutdown();
  });

  test('shutdown never throws at the call: bad options reject', async () => {
    const p = fresh({ maxWorkers: 1 });
    await assertRejectsAtCall(
      'shutdown(false)',
      () => p.shutdown(false as never),
      TypeError,
      'ERR_INVALID_ARG_TYPE',
    );
    await assertRejectsAtCall(
      'shutdown({ wait: 1 })',
      () => p.shutdown({ wait: 1 as never }),
      TypeError,
      'ERR_INVALID_ARG_TYPE',
    );
    await p.shutdown();
  });

  test('shutdown({ cancelFutures }) cancels what has not started; the rest completes', async () => {
    const p = fresh();
    const first = p.submit(work.block, gate.dir, 'cancel-futures');
    const rest = Array.from({ length: 20 }, (_, i) => p.submit(work.inc, i));
    await gate.started('cancel-futures');
    const closing = p.shutdown({ cancelFutures: true });
    gate.release('cancel-futures');
    await closing;
    assert.equal(await first, 'cancel-futures');
    const cancelled = rest.filter((f) => f.cancelled()).length;
    assert.ok(cancelled >= (threads ? 20 : 18), `cancelled ${cancelled}`);
    for (const f of rest) if (!f.cancelled()) assert.equal(typeof (await f), 'number');
  });

  test('shutdown({ wait: false }) returns at once; queued work still runs', async () => {
    const p = fresh();
    const futures = Array.from({ length: 10 }, (_, i) => p.submit(work.sleep, 5, i));
    await p.shutdown({ wait: false });
    assert.deepEqual(
      await Promise.all(futures),
      Array.from({ length: 10 }, (_, i) => i),
    );
  });

  test('await using shuts the pool down', async () => {
    let escaped: Pool;
    {
      await using p = make({ maxWorkers: 1 });
      escaped = p;
      assert.equal(await p.submit(work.inc, 1), 2);
    }
    assert.throws(() => escaped.submit(work.inc, 1), StateError);
  });

  test('initializer runs first in each worker, with initargs', async () => {
    const p = fresh({ maxWorkers: 1, initializer: work.init, initargs: [{ ready: 1 }] });
    assert.deepEqual(await p.submit(work.getInitialized), { ready: 1 });
  });

  test('a failing initializer breaks the pool: pending futures and later submits fail', async () => {
    const p = fresh({ maxWorkers: 1, initializer: work.initFail });
    const pending = [p.submit(work.inc, 1), p.submit(work.inc, 2)];
    for (const f of pending) {
      await assert.rejects(f, (e: BrokenExecutorError) => {
        assert.ok(e instanceof BrokenExecutorError);
        assert.equal(e.code, 'ERR_EXECUTOR_BROKEN');
        assert.equal((e.cause as Error).name, 'CodedError');
        return true;
      });
    }
    assert.throws(() => p.submit(work.inc, 3), BrokenExecutorError);
    await p.shutdown();
  });

  test('a task calling process.exit fails alone; tasks queued to that worker still run', async () => {
    const p = one;
    const dying = p.submit(work.exitNow, 3);
    const behind = Array.from({ length: 5 }, (_, i) => p.submit(work.inc, i));
    await assert.rejects(dying, (e: WorkerExitError) => {
      assert.ok(e instanceof WorkerExitError);
      assert.equal(e.code, 'ERR_WORKER_EXITED');
      assert.equal(e.exitCode, 3);
      return true;
    });
    assert.deepEqual(await Promise.all(behind), [1, 2, 3, 4, 5]);
    assert.equal(await p.submit(work.inc, 10), 11);
  });

  // A stray error: one that escaped every task (here, a timer a finished task left behind).
  const strays = (): {
    reports: [unknown, StrayErrorSource][];
    onStrayError: (error: unknown, source: StrayErrorSource) => void;
    reported: (n: number) => Promise<void>;
  } => {
    const reports: [unknown, StrayErrorSource][] = [];
    return {
      reports,
      onStrayError: (error, source) => reports.push([error, source]),
      reported: async (n) => {
        const deadline = performance.now() + 30_000;
        while (reports.length < n && performance.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        assert.equal(reports.length, n, 'stray errors reported');
      },
    };
  };

  test('a stray error in an idle worker is reported as that worker’s, fails no task, and the worker is replaced', async () => {
    const s = strays();
    const p = fresh({ onStrayError: s.onStrayError });
    const ident = await p.submit(work.workerIdent);
    assert.equal(await p.submit(work.leaveThrowingTimer, 20, 'stray'), 'left');
    await s.reported(1);
    const [error, source] = s.reports[0]!;
    assert.equal((error as Error).message, 'stray');
    assert.equal((error as { code?: string }).code, 'E_CODED');
    assert.equal(source.worker, ident);
    assert.equal(source.executor, subject.name);
    assert.notEqual(await p.submit(work.workerIdent), ident, 'a fresh worker');
  });

  test('a stray error while another task runs is not that task’s failure: it finishes with its own result', async () => {
    const s = strays();
    const p = fresh({ onStrayError: s.onStrayError, gracePeriod: 30_000 });
    const ident = await p.submit(work.workerIdent);
    const left = p.submit(work.leaveThrowingTimer, 30, 'stray while busy');
    const running = p.submit(work.sleep, 400, 'own result');
    const queued = p.submit(work.workerIdent);
    assert.equal(await left, 'left');
    assert.equal(await running, 'own result');
    await s.reported(1);
    assert.equal((s.reports[0]![0] as Error).message, 'stray while busy');
    assert.equal(s.reports[0]![1].worker, ident);
    // Queued behind the running task: threads move it to a fresh worker, a child runs its inbox first.
    const ran = await queued;
    if (threads) assert.notEqual(ran, ident);
    assert.notEqual(await p.submit(work.workerIdent), ident, 'the broken worker takes no new task');
  });

  test('a task still running in a worker broken by a stray error ends after gracePeriod: ERR_WORKER_KILLED', async () => {
    const s = strays();
    const p = fresh({ onStrayError: s.onStrayError, gracePeriod: 100 });
    // crashLater's own timer throws, and its promise never settles.
    await assert.rejects(p.submit(work.crashLater), (e: WorkerExitError) => {
      assert.ok(e instanceof WorkerExitError);
      assert.equal(e.code, 'ERR_WORKER_KILLED');
      return true;
    });
    await s.reported(1);
    assert.ok(s.reports[0]![0] instanceof TypeError);
    assert.equal(await p.submit(work.inc, 1), 2);
  });

  test('a timeout counts from when the task starts; the task sees its signal abort', async () => {
    const p = one;
    const first = p.submit(work.sleep, 100, 'first');
    const start = performance.now();
    const timed = p.submitWith(work.awaitAbort, [], { timeout: 50 });
    await assert.rejects(
      timed,
      (e: TimeoutError) => e instanceof TimeoutError && e.code === 'ERR_TIMEOUT',
    );
    assert.ok(performance.now() - start >= 149, 'waited for the task before it plus its timeout');
    assert.equal(await first, 'first');
    assert.equal(await p.submit(work.inc, 1), 2);
  });

  test('a signal cancels a pending task outright and fails a running one with its reason', async () => {
    const p = fresh();
    const blocker = p.submit(work.block, gate.dir, 'signal-1');
    const controller = new AbortController();
    const queued = Array.from({ length: 4 }, () =>
      p.submitWith(work.inc, [1], { signal: controller.signal }),
    );
    await gate.started('signal-1');
    controller.abort(new Error('stop'));
    const last = queued[3]!;
    assert.equal(last.cancelled(), true);
    gate.release('signal-1');
    await blocker;
    const running = new AbortController();
    const waiting = p.submitWith(work.awaitAbort, [], { signal: running.signal });
    setTimeout(() => running.abort(new Error('now')), 20);
    await assert.rejects(waiting, { message: 'now' });
    assert.throws(() => p.submitWith(work.inc, [1], { signal: AbortSignal.abort() }));
  });

  test('a task that ignores cancellation past the grace period has its worker replaced; others are unharmed', async () => {
    const p = one;
    const stuck = p.submitWith(work.spin, [60_000], { timeout: 20 });
    const behind = Array.from({ length: 3 }, (_, i) => p.submit(work.inc, i));
    await assert.rejects(stuck, TimeoutError);
    assert.deepEqual(await Promise.all(behind), [1, 2, 3]);
  });

  test('maxQueue: submit fails fast with ERR_EXECUTOR_QUEUE_FULL; map waits for room', async () => {
    const p = fresh({ maxQueue: 2 });
    const blocker = p.submit(work.block, gate.dir, 'max-queue');
    const queued = [p.submit(work.inc, 1), p.submit(work.inc, 2)];
    assert.throws(
      () => p.submit(work.inc, 3),
      (e: StateError) => e.code === 'ERR_EXECUTOR_QUEUE_FULL',
    );
    gate.release('max-queue');
    await Promise.all([blocker, ...queued]);
    const ys: number[] = [];
    for await (const y of p.map(
      work.inc,
      Array.from({ length: 30 }, (_, i) => i),
    ))
      ys.push(y);
    assert.equal(ys.length, 30);
  });

  test('never more than maxWorkers workers; sequential work reuses one', async () => {
    const p = fresh({ maxWorkers: 2 });
    const ids = await Promise.all(Array.from({ length: 40 }, () => p.submit(work.pid)));
    assert.ok(new Set(ids).size <= 2);
    if (threads) {
      const names = await Promise.all(Array.from({ length: 40 }, () => p.submit(work.threadName)));
      assert.ok(new Set(names).size <= 2);
    }
    const q = fresh({ maxWorkers: 4 });
    const seen = new Set<unknown>();
    for (let i = 0; i < 5; i++) seen.add(await q.submit(threads ? work.threadName : work.pid));
    assert.equal(seen.size, 1);
  });

  test('idleTimeout: an idle worker exits and a new one starts on demand', async () => {
    const p = fresh({ idleTimeout: 10 });
    const a = await p.submit(threads ? work.threadName : work.pid);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const b = await p.submit(threads ? work.threadName : work.pid);
    assert.notEqual(a, b);
  });

  test('option validation', () => {
    assert.throws(() => make({ maxWorkers: 0 }), RangeError);
    assert.throws(() => make({ maxWorkers: -1 }), RangeError);
    assert.throws(() => make({ maxWorkers: 1.5 }), TypeError);
    assert.throws(() => make({ idleTimeout: -1 }), RangeError);
    assert.throws(() => make({ initargs: 'x' as never }), TypeError);
    assert.throws(() => (pool.submit as (task: unknown) => unknown)(42), TypeError);
    const capture = 5;
    assert.throws(
      () => pool.submit(() => capture),
      (e: TypeError & { code?: string }) => e.code === 'ERR_INLINE_CAPTURE',
    );
  });
}
