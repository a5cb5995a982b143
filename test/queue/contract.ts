// The queue contract: every applicable behaviour of CPython's
// Lib/test/test_queue.py (BaseQueueTestMixin, 3.13), in one thread, through
// the async API only (put/get/putNowait/getNowait/taskDone/join/shutdown/
// qsize/empty/full/maxsize/for await). It runs against weft/asyncio's queues
// (test/asyncio/queue.test.ts) and weft/queue's cross-thread ones, so it
// assumes nothing about either: items are compared with deepEqual (a
// cross-thread queue copies them), errors are checked by `code`, "still
// waiting" is checked after a pause (which can only hide a bug, never fail a
// correct queue), and timeouts are asserted as lower bounds.
//
// Python's threads become concurrent async tasks: a "blocked" put or get is a
// pending promise.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick, setTimeout as pause } from 'node:timers/promises';
import { inspect } from 'node:util';
import { assertRejectsAtCall } from '../helpers/rejects.js';

/** The options the contract passes to put and get. */
export interface ContractWaitOptions {
  readonly block?: boolean;
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

/** The async queue API the contract exercises. */
export interface ContractQueue<T> extends AsyncIterable<T> {
  put(item: T, options?: ContractWaitOptions): Promise<void>;
  putNowait(item: T): void;
  get(options?: ContractWaitOptions): Promise<T>;
  getNowait(): T;
  qsize(): number;
  empty(): boolean;
  full(): boolean;
  maxsize: number;
  taskDone(): void;
  join(options?: ContractWaitOptions): Promise<unknown>;
  shutdown(options?: { readonly immediate?: boolean }): void;
}

/** A queue class: `new Queue({ maxsize })`. */
export type ContractQueueClass = new (options?: {
  readonly maxsize?: number;
}) => ContractQueue<unknown>;

/** The three classes under test. */
export interface QueueClasses {
  readonly Queue: ContractQueueClass;
  readonly LifoQueue: ContractQueueClass;
  readonly PriorityQueue: ContractQueueClass;
}

/** CPython's QUEUE_SIZE. */
const QUEUE_SIZE = 5;
/** How long a call must stay pending to count as blocked. */
const BLOCKED_MS = 20;
/** A wait that should end: the test fails instead of hanging. */
const DEADLINE = 10_000;

const EMPTY = { code: 'ERR_QUEUE_EMPTY', name: 'QueueEmpty' };
const FULL = { code: 'ERR_QUEUE_FULL', name: 'QueueFull' };
const SHUT_DOWN = { code: 'ERR_QUEUE_SHUT_DOWN', name: 'QueueShutDown' };
const TOO_MANY = { code: 'ERR_TASK_DONE_TOO_MANY' };

/** Tracks whether a promise has settled, without letting it reject unhandled. */
function track<T>(promise: Promise<T>): {
  readonly settled: boolean;
  readonly promise: Promise<T>;
} {
  const state = { settled: false, promise };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

/** Asserts `promise` is still pending after a pause. */
async function assertBlocked(state: { readonly settled: boolean }, what: string): Promise<void> {
  await pause(BLOCKED_MS);
  assert.equal(state.settled, false, `${what} should still be waiting`);
}

/** Awaits `promise`, failing after DEADLINE instead of hanging. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish`)), DEADLINE);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts that at least `ms` passed since `start` (1 ms of clock slack). */
function assertWaited(start: number, ms: number): void {
  const waited = performance.now() - start;
  assert.ok(
    waited >= ms - 1,
    `returned after ${waited.toFixed(1)} ms, before its ${ms} ms timeout`,
  );
}

/**
 * Registers the contract's tests for three queue classes.
 *
 * @param name - Label of the implementation, e.g. "asyncio".
 */
export function queueContract(name: string, make: QueueClasses): void {
  const kinds = [
    ['Queue', make.Queue, [111, 333, 222]],
    ['LifoQueue', make.LifoQueue, [222, 333, 111]],
    ['PriorityQueue', make.PriorityQueue, [111, 222, 333]],
  ] as const;

  for (const [kind, Q, order] of kinds) {
    describe(`${name} ${kind}: queue contract`, () => {
      // test_basic, run twice on one instance as CPython does.
      test('basic: order, empty/full, Full/Empty on block: false and timeout, blocking put and get', async () => {
        const q = new Q({ maxsize: QUEUE_SIZE });
        for (let round = 0; round < 2; round++) {
          assert.equal(q.qsize(), 0);
          assert.equal(q.empty(), true);
          assert.equal(q.full(), false);
          await q.put(111);
          await q.put(333);
          await q.put(222);
          assert.deepEqual([await q.get(), await q.get(), await q.get()], order);
          for (let i = 0; i < QUEUE_SIZE - 1; i++) {
            await q.put(i);
            assert.ok(q.qsize() > 0);
          }
          assert.equal(q.full(), false);
          const last = 2 * QUEUE_SIZE;
          const full = 3 * 2 * QUEUE_SIZE;
          await q.put(last);
          assert.equal(q.full(), true);
          assert.equal(q.empty(), false);
          await assert.rejects(q.put(full, { block: false }), FULL);
          await assert.rejects(q.put(full, { timeout: 10 }), FULL);
          // A blocking put waits until a get makes room (twice: plain, then with a timeout).
          for (const options of [undefined, { block: true, timeout: 10_000 }]) {
            const put = track(q.put(full, options));
            await assertBlocked(put, 'put on a full queue');
            await q.get();
            await within(put.promise, 'put after a get');
          }
          for (let i = 0; i < QUEUE_SIZE; i++) await q.get();
          assert.equal(q.qsize(), 0);
          await assert.rejects(q.get({ block: false }), EMPTY);
          await assert.rejects(q.get({ timeout: 10 }), EMPTY);
          // A blocking get waits until a put.
          for (const options of [undefined, { block: true, timeout: 10_000 }]) {
            const get = track(q.get(options));
            await assertBlocked(get, 'get on an empty queue');
            // As CPython does, also into the PriorityQueue that held numbers: it is empty now.
            await q.put('empty');
            assert.deepEqual(await within(get.promise, 'get after a put'), 'empty');
          }
        }
      });

      // test_negative_timeout_raises_exception / test_nowait
      test('nowait: putNowait up to maxsize then QueueFull, getNowait until QueueEmpty', () => {
        const q = new Q({ maxsize: QUEUE_SIZE });
        for (let i = 0; i < QUEUE_SIZE; i++) q.putNowait(i);
        assert.throws(() => q.putNowait(QUEUE_SIZE), FULL);
        const got: unknown[] = [];
        for (let i = 0; i < QUEUE_SIZE; i++) got.push(q.getNowait());
        assert.deepEqual(
          [...got].sort((a, b) => Number(a) - Number(b)),
          [0, 1, 2, 3, 4],
        );
        assert.throws(() => q.getNowait(), EMPTY);
        assert.equal(q.empty(), true);
      });

      test('bad options: negative timeouts and a timeout with block: false are RangeErrors', async () => {
        const q = new Q({ maxsize: 1 });
        await assert.rejects(async () => q.put(1, { timeout: -1 }), RangeError);
        await assert.rejects(async () => q.get({ timeout: -1 }), RangeError);
        await assert.rejects(async () => q.put(1, { block: false, timeout: 1 }), RangeError);
        await assert.rejects(async () => q.get({ block: false, timeout: 1 }), RangeError);
        assert.equal(q.qsize(), 0);
      });

      // test_shrinking_queue (issue 10110)
      test('maxsize can be lowered at run time: putNowait then throws QueueFull', async () => {
        const q = new Q({ maxsize: 3 });
        await q.put(1);
        await q.put(2);
        await q.put(3);
        assert.throws(() => q.putNowait(4), FULL);
        assert.equal(q.qsize(), 3);
        q.maxsize = 2; // shrink the queue
        assert.throws(() => q.putNowait(4), FULL);
      });

      test('maxsize: 0 is unbounded (the default), a negative one is a RangeError', () => {
        assert.equal(new Q().maxsize, 0);
        assert.equal(new Q({ maxsize: 3 }).maxsize, 3);
        const q = new Q({ maxsize: 0 });
        for (let i = 0; i < 1000; i++) q.putNowait(i);
        assert.equal(q.full(), false);
        assert.equal(q.qsize(), 1000);
        assert.throws(() => new Q({ maxsize: -1 }), RangeError);
      });

      test('timeouts: a timed get or put gives up no sooner than its timeout', async () => {
        const q = new Q({ maxsize: 1 });
        let start = performance.now();
        await assert.rejects(q.get({ timeout: 30 }), EMPTY);
        assertWaited(start, 30);
        q.putNowait(1);
        start = performance.now();
        await assert.rejects(q.put(2, { timeout: 30 }), FULL);
        assertWaited(start, 30);
        assert.equal(q.qsize(), 1);
        assert.deepEqual(q.getNowait(), 1);
      });

      // test_queue_task_done
      test('taskDone with nothing outstanding throws ERR_TASK_DONE_TOO_MANY', () => {
        const q = new Q();
        assert.throws(() => q.taskDone(), TOO_MANY);
      });

      // test_queue_join
      test('join returns only after every item is marked done; twice; then taskDone throws', async () => {
        const q = new Q();
        let processed = 0;
        const consumer = async (): Promise<void> => {
          for (;;) {
            const item = await q.get();
            if (item === -1) {
              q.taskDone();
              return;
            }
            await tick();
            processed++;
            q.taskDone();
          }
        };
        const consumers = [consumer(), consumer()];
        for (let round = 0; round < 2; round++) {
          const base = processed;
          for (let i = 0; i < 100; i++) await q.put(i);
          await within(q.join(), 'join');
          assert.equal(processed - base, 100, 'join returned before every taskDone');
        }
        await q.put(-1);
        await q.put(-1);
        await within(Promise.all(consumers), 'consumers');
        await within(q.join(), 'join');
        assert.throws(() => q.taskDone(), TOO_MANY);
      });

      // Python does not promise which waiter goes first (threads race for
      // the lock); it does promise that every item is delivered exactly once.
      test('waiting gets each receive a different item; none is lost or duplicated', async () => {
        const q = new Q();
        const gets = [q.get(), q.get(), q.get()];
        await pause(BLOCKED_MS);
        q.putNowait(1);
        q.putNowait(2);
        q.putNowait(3);
        const got = await within(Promise.all(gets), 'gets');
        assert.deepEqual([...got].sort(), [1, 2, 3]);
        assert.equal(q.qsize(), 0);
      });

      test('waiting puts each add their own item once room is made; none is lost or duplicated', async () => {
        const q = new Q({ maxsize: 1 });
        q.putNowait(0);
        const puts = [q.put(1), q.put(2), q.put(3)];
        await pause(BLOCKED_MS);
        const got: unknown[] = [];
        for (let i = 0; i < 4; i++) got.push(await within(q.get(), 'get'));
        await within(Promise.all(puts), 'puts');
        assert.equal(got[0], 0);
        assert.deepEqual([...got].sort(), [0, 1, 2, 3]);
        assert.equal(q.qsize(), 0);
      });

      test('for await yields every item, then ends once the queue is shut down and empty', async () => {
        const q = new Q({ maxsize: 2 });
        const received: unknown[] = [];
        const consumer = (async () => {
          for await (const item of q) received.push(item);
        })();
        for (let i = 0; i < 10; i++) await q.put(i);
        q.shutdown();
        await within(consumer, 'for await loop');
        assert.equal(received.length, 10);
        assert.deepEqual(
          [...received].sort((a, b) => Number(a) - Number(b)),
          [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        );
      });

      test('an aborted get rejects with the reason and loses no item', async () => {
        const q = new Q();
        const controller = new AbortController();
        const reason = new Error('stop');
        const get = q.get({ signal: controller.signal });
        await pause(BLOCKED_MS);
        controller.abort(reason);
        await assert.rejects(get, (e) => e === reason);
        await q.put(1);
        assert.equal(q.qsize(), 1, 'the aborted get took the item');
        assert.deepEqual(await q.get({ timeout: 1000 }), 1);
        await assert.rejects(q.get({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
      });

      test('an aborted put adds nothing', async () => {
        const q = new Q({ maxsize: 1 });
        q.putNowait(1);
        const controller = new AbortController();
        const put = q.put(2, { signal: controller.signal });
        await pause(BLOCKED_MS);
        controller.abort(new Error('stop'));
        await assert.rejects(put, { message: 'stop' });
        assert.deepEqual(q.getNowait(), 1);
        assert.throws(() => q.getNowait(), EMPTY);
      });

      // test_shutdown_empty / _nonempty / _immediate
      test('shutdown: put throws, queued items are still returned, then get throws', async () => {
        const q = new Q({ maxsize: 4 });
        q.shutdown();
        await assert.rejects(q.put(1), SHUT_DOWN);
        await assert.rejects(q.get(), SHUT_DOWN);

        const r = new Q({ maxsize: 4 });
        await r.put('data');
        r.shutdown();
        await assert.rejects(r.put('x'), SHUT_DOWN);
        assert.deepEqual(await r.get(), 'data');
        await assert.rejects(r.get(), SHUT_DOWN);

        const s = new Q({ maxsize: 4 });
        await s.put('data');
        s.shutdown({ immediate: true });
        await assert.rejects(s.get(), SHUT_DOWN);
        assert.equal(s.qsize(), 0);
      });

      // test_shutdown_allowed_transitions
      test('shutdown: graceful, then immediate, then graceful again are all allowed', () => {
        const q = new Q();
        q.shutdown();
        q.shutdown({ immediate: true });
        q.shutdown({ immediate: false });
        assert.throws(() => q.putNowait(1), SHUT_DOWN);
      });

      // test_shutdown_all_methods_in_one_thread
      test('shutdown (graceful): every method in one task', async () => {
        const q = new Q({ maxsize: 2 });
        await q.put('L');
        q.putNowait('O');
        q.shutdown();
        await assert.rejects(q.put('E'), SHUT_DOWN);
        assert.throws(() => q.putNowait('W'), SHUT_DOWN);
        assert.ok(['L', 'O'].includes((await q.get()) as string));
        q.taskDone();
        assert.ok(['L', 'O'].includes((await q.get()) as string));
        q.taskDone();
        await within(q.join(), 'join');
        await assert.rejects(q.get(), SHUT_DOWN);
        assert.throws(() => q.getNowait(), SHUT_DOWN);
        await assert.rejects(q.get({ block: true, timeout: 1000 }), SHUT_DOWN);
      });

      // test_shutdown_immediate_all_methods_in_one_thread
      test('shutdown (immediate): every method in one task', async () => {
        const q = new Q({ maxsize: 2 });
        await q.put('L');
        q.putNowait('O');
        q.shutdown({ immediate: true });
        await assert.rejects(q.put('E'), SHUT_DOWN);
        assert.throws(() => q.putNowait('W'), SHUT_DOWN);
        await assert.rejects(q.get(), SHUT_DOWN);
        assert.throws(() => q.getNowait(), SHUT_DOWN);
        assert.throws(() => q.taskDone(), TOO_MANY);
        await within(q.join(), 'join');
      });

      // test_shutdown_get / test_shutdown_immediate_get
      test('shutdown: getters still get the queued items, then QueueShutDown', async () => {
        for (const immediate of [false, true]) {
          const q = new Q({ maxsize: 2 });
          await q.put('Y');
          await q.put('D');
          q.shutdown({ immediate });
          const getters = Array.from({ length: immediate ? 2 : 3 }, () =>
            q.get().then(
              () => true,
              (e: unknown) => {
                assert.equal((e as { code?: unknown }).code, SHUT_DOWN.code);
                return false;
              },
            ),
          );
          const results = await within(Promise.all(getters), 'getters');
          assert.deepEqual([...results].sort(), immediate ? [false, false] : [false, true, true]);
        }
      });

      // test_shutdown_put / test_shutdown_immediate_put
      test('shutdown: puts waiting on a full queue reject with QueueShutDown', async () => {
        for (const immediate of [false, true]) {
          const q = new Q({ maxsize: 2 });
          await q.put('Y');
          await q.put('D');
          const puts = [track(q.put('E')), track(q.put('W'))];
          await assertBlocked(puts[0]!, 'put on a full queue');
          q.shutdown({ immediate });
          for (const put of puts) await assert.rejects(within(put.promise, 'put'), SHUT_DOWN);
        }
      });

      // test_shutdown_pending_get
      test('shutdown: a get waiting on an empty queue rejects with QueueShutDown', async () => {
        const q = new Q();
        const get = track(q.get());
        await assertBlocked(get, 'get on an empty queue');
        q.shutdown();
        await assert.rejects(within(get.promise, 'get'), SHUT_DOWN);
      });

      // test_shutdown_join / test_shutdown_immediate_join
      test('shutdown: join is released by immediate shutdown, or by draining after graceful', async () => {
        const a = new Q();
        await a.put('Y');
        await a.put('D');
        const joins = [track(a.join()), track(a.join())];
        await assertBlocked(joins[0]!, 'join');
        a.shutdown({ immediate: true });
        await within(Promise.all(joins.map((j) => j.promise)), 'join after immediate shutdown');

        const b = new Q();
        await b.put('Y');
        await b.put('D');
        const joined = [track(b.join()), track(b.join())];
        b.shutdown();
        await assertBlocked(joined[0]!, 'join after graceful shutdown');
        for (let i = 0; i < 2; i++) {
          await b.get();
          b.taskDone();
        }
        await within(Promise.all(joined.map((j) => j.promise)), 'join after draining');
      });

      // test_shutdown_put_join / test_shutdown_immediate_put_join
      test('shutdown: put rejects and join is released, gracefully or immediately', async () => {
        for (const immediate of [false, true]) {
          const q = new Q({ maxsize: 2 });
          await q.put('Y');
          const join = track(q.join());
          await assertBlocked(join, 'join');
          q.shutdown({ immediate });
          await assert.rejects(q.put('E'), SHUT_DOWN);
          if (immediate) assert.throws(() => q.getNowait(), SHUT_DOWN);
          else {
            assert.deepEqual(await q.get(), 'Y');
            q.taskDone();
          }
          await within(join.promise, 'join');
        }
      });

      // test_shutdown_get_task_done_join
      test('shutdown: getters racing a graceful shutdown still get both items; joiners return', async () => {
        const q = new Q({ maxsize: 2 });
        await q.put('Y');
        await q.put('D');
        assert.equal(q.qsize(), 2);
        const getDone = async (): Promise<void> => {
          await q.get();
          q.taskDone();
        };
        const all = [getDone(), getDone(), q.join(), q.join()];
        q.shutdown();
        await within(Promise.all(all), 'getters and joiners');
      });

      // test_shutdown[_immediate]_all_methods_in_many_threads
      test('shutdown mid-stream with many writers and polling readers', async () => {
        for (const immediate of [false, true]) {
          const q = new Q({ maxsize: 64 });
          const total = 4096;
          let written = 0;
          let writerShutDown = 0;
          let readerShutDown = 0;
          let read = 0;
          const writer = async (): Promise<void> => {
            try {
              while (written < total) {
                await q.put(written++);
                if (written % 8 === 0) await tick();
              }
            } catch (e) {
              assert.equal((e as { code?: unknown }).code, SHUT_DOWN.code);
              writerShutDown++;
            }
          };
          const reader = async (): Promise<void> => {
            for (;;) {
              try {
                await q.get({ block: false });
                read++;
                q.taskDone();
              } catch (e) {
                const code = (e as { code?: unknown }).code;
                if (code === SHUT_DOWN.code) {
                  readerShutDown++;
                  return;
                }
                assert.equal(code, EMPTY.code);
              }
              await tick();
            }
          };
          const writers = Array.from({ length: 4 }, writer);
          const readers = Array.from({ length: 6 }, reader);
          while (written < total / 4) await tick();
          q.shutdown({ immediate });
          await within(Promise.all([...writers, ...readers]), 'writers and readers');
          assert.equal(readerShutDown, 6, 'every reader ends with QueueShutDown');
          assert.ok(writerShutDown >= 1, 'a writer saw QueueShutDown');
          assert.ok(read > 0);
          assert.equal(q.qsize(), 0);
          await within(Promise.all([q.join(), q.join()]), 'join');
        }
      });
    });
  }

  describe(`${name} PriorityQueue: ordering`, () => {
    const drain = (q: ContractQueue<unknown>): unknown[] => {
      const out: unknown[] = [];
      while (!q.empty()) out.push(q.getNowait());
      return out;
    };

    test('numbers, strings and bigints come out lowest first', () => {
      const fill = (items: readonly unknown[]): ContractQueue<unknown> => {
        const q = new make.PriorityQueue();
        for (const x of items) q.putNowait(x);
        return q;
      };
      assert.deepEqual(drain(fill([5, -1, 3.5, 0, 10])), [-1, 0, 3.5, 5, 10]);
      assert.deepEqual(drain(fill(['pear', 'apple', 'fig'])), ['apple', 'fig', 'pear']);
      assert.deepEqual(drain(fill([3n, 1n, 2n])), [1n, 2n, 3n]);
      // The seed's PriorityQueue of input strings: lexicographic, not numeric.
      const seed = ['10', '23', '124', '434', '123', '2123', '3213', '123', '123', '123'];
      assert.deepEqual(drain(fill(seed)), [
        '10',
        '123',
        '123',
        '123',
        '123',
        '124',
        '2123',
        '23',
        '3213',
        '434',
      ]);
    });

    test('[priority, item] pairs: by priority, first-in-first-out among equal priorities', () => {
      const q = new make.PriorityQueue();
      const items = [
        [2, 'b1'],
        [1, 'a1'],
        [2, 'b2'],
        [0, { not: 'comparable' }],
        [1, 'a2'],
        [2, 'b3'],
      ];
      for (const x of items) q.putNowait(x);
      assert.deepEqual(drain(q), [
        [0, { not: 'comparable' }],
        [1, 'a1'],
        [1, 'a2'],
        [2, 'b1'],
        [2, 'b2'],
        [2, 'b3'],
      ]);
    });

    test('an item without a comparable priority is a TypeError that leaves the queue intact', async () => {
      const q = new make.PriorityQueue({ maxsize: 10 });
      q.putNowait(2);
      q.putNowait(1);
      for (const bad of [{}, null, undefined, 'str', [], [{}, 'x']]) {
        await assert.rejects(async () => q.put(bad), TypeError, `put(${inspect(bad)})`);
      }
      assert.equal(q.qsize(), 2);
      q.putNowait(3);
      assert.deepEqual(drain(q), [1, 2, 3]);
    });

    test('array priorities compare element by element; equal ones first-in-first-out; numbers meet bigints', () => {
      const q = new make.PriorityQueue();
      const items = [
        [[2, 'a'], 'x'],
        [[1, 'b'], 'y'],
        [[1, 'a'], 'z1'],
        [[-Infinity, 'z'], 'first'],
        [[1n, 'a'], 'z2'],
        [[1, 'a'], 'z3'],
      ];
      for (const x of items) q.putNowait(x);
      assert.deepEqual(
        drain(q).map((x) => (x as unknown[])[1]),
        ['first', 'z1', 'z2', 'z3', 'y', 'x'],
      );
      for (const x of [2n, 1.5, 1n, 3]) q.putNowait(x);
      assert.deepEqual(drain(q), [1n, 1.5, 2n, 3]);
      q.putNowait([[[1, 2], 'deep'], 'b']);
      q.putNowait([[[1, 1], 'deep'], 'a']);
      assert.deepEqual(
        drain(q).map((x) => (x as unknown[])[1]),
        ['a', 'b'],
      );
    });

    test('one rule for what cannot be ordered: NaN or another shape is a TypeError at the put, the queue unchanged', async () => {
      const code = (c: string) => (e: unknown) =>
        e instanceof TypeError && (e as { code?: unknown }).code === c;
      const q = new make.PriorityQueue({ maxsize: 10 });
      for (const nan of [Number.NaN, [Number.NaN, 'x'], [[1, Number.NaN], 'x']]) {
        assert.throws(() => q.putNowait(nan), code('ERR_INVALID_ARG_VALUE'), inspect(nan));
        await assert.rejects(async () => q.put(nan), code('ERR_INVALID_ARG_VALUE'), inspect(nan));
      }
      assert.throws(() => q.putNowait([true, 'x']), code('ERR_INVALID_ARG_TYPE'));
      q.putNowait([[1, 'a'], 'held']);
      // Every priority held at once has one shape: the same length, and the
      // same kind (number or bigint / string / array) index by index.
      for (const other of [
        1,
        'a',
        [[1, 2], 'x'],
        [[1], 'x'],
        [[1, 'a', 2], 'x'],
        [['a', 'a'], 'x'],
      ]) {
        assert.throws(() => q.putNowait(other), code('ERR_INVALID_ARG_VALUE'), inspect(other));
        await assert.rejects(
          async () => q.put(other),
          code('ERR_INVALID_ARG_VALUE'),
          inspect(other),
        );
      }
      assert.equal(q.qsize(), 1);
      q.putNowait([[0n, 'z'], 'next']);
      assert.deepEqual(drain(q), [
        [[0n, 'z'], 'next'],
        [[1, 'a'], 'held'],
      ]);
      // Empty, the queue takes any shape again (Python: nothing to compare with).
      q.putNowait('str');
      q.putNowait('abc');
      assert.deepEqual(drain(q), ['abc', 'str']);
    });
  });

  describe(`${name}: promise-returning methods reject bad arguments`, () => {
    test('put, get and join never throw at the call: a bad argument rejects', async () => {
      const q = new make.Queue({ maxsize: 1 });
      const pq = new make.PriorityQueue();
      const T = 'ERR_INVALID_ARG_TYPE';
      await assertRejectsAtCall('get(false)', () => q.get(false as never), TypeError, T);
      await assertRejectsAtCall('put(1, false)', () => q.put(1, false as never), TypeError, T);
      await assertRejectsAtCall('join(5)', () => q.join(5 as never), TypeError, T);
      await assertRejectsAtCall(
        'get({ timeout: -1 })',
        () => q.get({ timeout: -1 }),
        RangeError,
        'ERR_OUT_OF_RANGE',
      );
      await assertRejectsAtCall(
        'PriorityQueue put(NaN)',
        () => pq.put(Number.NaN),
        TypeError,
        'ERR_INVALID_ARG_VALUE',
      );
      assert.equal(q.qsize() + pq.qsize(), 0);
    });
  });
}
