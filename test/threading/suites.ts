// Contract suites shared by lock.test.ts, rlock.test.ts and semaphore.test.ts,
// after CPython's Lib/test/lock_tests.py (BaseLockTests, BaseSemaphoreTests),
// and the helpers they use. Every behaviour runs in both forms: the promise
// form (`acquire`, `hold`) and the blocking form (`acquireSync`, `holdSync`).
// The other party of a cross-thread guarantee is a real Thread running a task
// from test/fixtures/locks.ts.
//
// Rules kept here: threads are coordinated through Events and shared counters
// polled until a generous deadline (never a sleep whose length decides the
// outcome); timeouts are asserted as lower bounds only; every thread a test
// starts is joined when the test ends, and unblocked first if it failed.

import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Event, StateError, tasks, Thread, TimeoutError } from '../../src/threading/index.js';
import type {
  AcquireOptions,
  AcquireSyncOptions,
  Guard,
  Lock,
  RLock,
  Semaphore,
  Target,
  ThreadOptions,
} from '../../src/threading/index.js';
import { SharedArray } from '../../src/shared/index.js';
import type { Form } from '../fixtures/locks.js';
import { promiseOf } from '../helpers/rejects.js';
import { ACQUIRED, BY_PHASE, FAILED, PHASE, SEM_FAILED, STARTED } from '../fixtures/locks.js';

export type { Form };

/** Longest any step may take before the test fails instead of hanging. */
export const DEADLINE = 20_000;

/** Task references to test/fixtures/locks.ts. */
export const fx = tasks<typeof import('../fixtures/locks.js')>(
  new URL('../fixtures/locks.ts', import.meta.url),
);

export const FORMS: readonly Form[] = ['async', 'sync'];

/** Either lock; both satisfy this suite's contract. */
export type AnyLock = Lock | RLock;
type Acquirable = Lock | RLock | Semaphore;

/**
 * The threads of one test: started through it, joined (with a deadline) when
 * the test ends. `onCleanup` actions run first, newest first, to unblock
 * threads a failed test left waiting.
 */
export class Threads {
  readonly #threads: Thread[] = [];
  readonly #cleanups: (() => void)[] = [];

  constructor(t: TestContext) {
    t.after(() => this.#cleanup());
  }

  start<T extends Target>(options: ThreadOptions<T>): Thread<T> {
    const thread = new Thread(options);
    thread.start();
    this.#threads.push(thread);
    return thread;
  }

  onCleanup(fn: () => void): void {
    this.#cleanups.push(fn);
  }

  /** Joins every thread started so far; fails if one is still running at the deadline. */
  async joinAll(): Promise<void> {
    for (const thread of this.#threads) {
      assert.equal(await thread.join({ timeout: DEADLINE }), true, `${thread.name} did not finish`);
    }
  }

  async #cleanup(): Promise<void> {
    for (const fn of this.#cleanups.reverse()) {
      try {
        fn();
      } catch {
        // Cleanup is best effort: the test already reported what went wrong.
      }
    }
    await this.joinAll();
  }
}

/** Polls `condition` until it holds, failing after `timeout` ms. */
export async function until(condition: () => boolean, what: string, timeout = DEADLINE) {
  const end = performance.now() + timeout;
  while (!condition()) {
    if (performance.now() > end) assert.fail(`timed out waiting until ${what}`);
    await delay(1);
  }
}

/**
 * Gives threads a moment to reach their waits before asserting that nothing
 * happened yet (CPython's wait_threads_blocked). A check made after it can
 * only miss a bug, never fail a correct primitive.
 */
export function settle(ms = 20): Promise<void> {
  return delay(ms);
}

/** Records when a promise settles, to assert that it is still pending. */
export function track<T>(promise: Promise<T>): {
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

/** Asserts that at least `ms` passed since `start` (1 ms of clock slack). */
export function assertWaited(start: number, ms: number): void {
  const waited = performance.now() - start;
  assert.ok(
    waited >= ms - 1,
    `returned after ${waited.toFixed(1)} ms, before its ${ms} ms timeout`,
  );
}

/**
 * An async acquire with no timeout of its own (a timed-out acquire re-checks
 * and would succeed late, hiding a lost wake-up): resolves true once acquired,
 * false if it was not acquired within `ms`, in which case its wait is aborted.
 */
export function acquireWithin(target: Acquirable, ms = DEADLINE): Promise<boolean> {
  const giveUp = new AbortController();
  const timer = setTimeout(() => giveUp.abort(), ms);
  return target.acquire({ signal: giveUp.signal }).then(
    (ok) => {
      clearTimeout(timer);
      return ok;
    },
    (e: unknown) => {
      clearTimeout(timer);
      if (giveUp.signal.aborted) return false;
      throw e;
    },
  );
}

/** Acquires in the given form: the Sync form blocks this thread. */
export async function acquireIn(
  target: Acquirable,
  form: Form,
  options?: AcquireSyncOptions,
): Promise<boolean> {
  return form === 'sync' ? target.acquireSync(options) : target.acquire(options);
}

/** `hold` or `holdSync`. */
export async function holdIn(
  target: Acquirable,
  form: Form,
  options?: AcquireSyncOptions,
): Promise<Guard> {
  return form === 'sync' ? target.holdSync(options) : target.hold(options);
}

/**
 * Asserts that calling `fn` fails with `cls`: a Sync form must throw; the
 * async form must return a rejected promise, never throw at the call.
 */
export async function assertInvalid(
  form: Form,
  fn: () => unknown,
  cls: new (...args: never[]) => Error,
  what: string,
): Promise<void> {
  if (form === 'sync') {
    assert.throws(fn, cls, what);
    return;
  }
  // The rule of every promise-returning method: it never throws at the call;
  // a bad argument rejects the promise it returns.
  await assert.rejects(promiseOf(what, fn), cls, what);
}

/** A predicate for assert.throws/rejects: a StateError with `code`. */
export function stateError(code: string): (e: unknown) => boolean {
  return (e) => e instanceof StateError && e.code === code;
}

/** A predicate for assert.throws/rejects: weft's TimeoutError (ERR_TIMEOUT). */
export function timeoutError(e: unknown): boolean {
  return e instanceof TimeoutError && e.code === 'ERR_TIMEOUT';
}

// Invalid acquire options, as Python's test_timeout has them, and what they throw.
const INVALID: readonly [AcquireOptions, new (...args: never[]) => Error][] = [
  [{ timeout: -1 }, RangeError],
  [{ timeout: -100 }, RangeError],
  [{ timeout: -Infinity }, RangeError],
  [{ blocking: false, timeout: 1 }, RangeError],
  [{ blocking: false, timeout: 0 }, RangeError],
  [{ timeout: NaN }, TypeError],
  [{ timeout: '10' as never }, TypeError],
  [{ blocking: 'no' as never }, TypeError],
];

/**
 * Checks that every invalid option throws the right error in `form`, for
 * `acquire*` and `hold*`, and that none of them takes the lock or a permit:
 * `isFree` must still hold after each.
 */
export async function checkInvalidOptions(
  target: Acquirable,
  form: Form,
  isFree: () => boolean,
): Promise<void> {
  for (const [options, cls] of INVALID) {
    const what = `${form} ${JSON.stringify(options)} (${String(options.timeout)})`;
    const acquire =
      form === 'sync' ? () => target.acquireSync(options) : () => target.acquire(options);
    await assertInvalid(form, acquire, cls, `acquire ${what}`);
    assert.ok(isFree(), `acquire ${what} must not take it`);
    const hold = form === 'sync' ? () => target.holdSync(options) : () => target.hold(options);
    await assertInvalid(form, hold, cls, `hold ${what}`);
    assert.ok(isFree(), `hold ${what} must not take it`);
  }
}

/** Options for {@link baseLockSuite}. */
export interface BaseLockSuiteOptions<L extends AnyLock> {
  /** Extra checks run while another thread holds the lock (e.g. RLock ownership). */
  readonly whileHeldElsewhere?: (lock: L) => void | Promise<void>;
}

/**
 * CPython's BaseLockTests, for any lock: run by lock.test.ts for Lock and by
 * rlock.test.ts for RLock.
 */
export function baseLockSuite<L extends AnyLock>(
  name: string,
  factory: () => L,
  options: BaseLockSuiteOptions<L> = {},
): void {
  describe(`${name} (BaseLockTests)`, () => {
    test('async: a signal that is not an AbortSignal is a TypeError even when the lock is free, and takes nothing', async () => {
      const lock = factory();
      for (const signal of [{}, 'x', new AbortController()]) {
        await assertInvalid(
          'async',
          () => lock.acquire({ signal: signal as never }),
          TypeError,
          'acquire',
        );
        assert.equal(lock.locked(), false, 'an acquire that threw must not take the lock');
        await assertInvalid(
          'async',
          () => lock.hold({ signal: signal as never }),
          TypeError,
          'hold',
        );
        assert.equal(lock.locked(), false, 'a hold that threw must not take the lock');
      }
    });

    test('constructor, acquire → release in both forms, locked(), toString', async () => {
      const lock = factory();
      assert.equal(lock.locked(), false);
      assert.match(String(lock), /^<unlocked /);
      assert.equal(lock.acquireSync(), true);
      assert.equal(lock.locked(), true);
      assert.match(String(lock), /^<locked /);
      lock.release();
      assert.equal(lock.locked(), false);
      assert.equal(await lock.acquire(), true);
      assert.equal(lock.locked(), true);
      lock.release();
      assert.equal(lock.locked(), false);
      // test_acquire_destroy: a lock dropped while held is just garbage.
      factory().acquireSync();
    });

    for (const form of FORMS) {
      test(`${form}: try-acquire (blocking: false) and timeout 0 take a free lock`, async () => {
        const lock = factory();
        assert.equal(await acquireIn(lock, form, { blocking: false }), true);
        lock.release();
        assert.equal(await acquireIn(lock, form, { timeout: 0 }), true);
        lock.release();
        assert.equal(lock.locked(), false);
      });

      test(`${form}: invalid options throw (negative → RangeError, NaN → TypeError, timeout with blocking: false → RangeError) and leave the lock free`, async () => {
        const lock = factory();
        await checkInvalidOptions(lock, form, () => !lock.locked());
        // Large and infinite timeouts are fine (TIMEOUT_MAX is ok in Python).
        for (const timeout of [Infinity, 2 ** 31 - 1, 1e100, 5]) {
          assert.equal(await acquireIn(lock, form, { timeout }), true, `timeout ${timeout}`);
          lock.release();
        }
        assert.equal(await acquireIn(lock, form, { blocking: true }), true);
        lock.release();
        assert.equal(lock.locked(), false);
      });

      test(`${form}: the guard releases on normal exit and on throw (test_with)`, async () => {
        const lock = factory();
        if (form === 'sync') {
          {
            using held = lock.holdSync();
            assert.ok(held);
            assert.equal(lock.locked(), true);
          }
          assert.equal(lock.locked(), false);
          const boom = new Error('boom');
          assert.throws(
            () => {
              using _held = lock.holdSync();
              throw boom;
            },
            (e) => e === boom,
          );
        } else {
          {
            await using held = await lock.hold();
            assert.ok(held);
            assert.equal(lock.locked(), true);
          }
          assert.equal(lock.locked(), false);
          const boom = new Error('boom');
          await assert.rejects(
            async () => {
              await using _held = await lock.hold();
              throw boom;
            },
            (e) => e === boom,
          );
        }
        assert.equal(lock.locked(), false);
        // Releasing a guard twice (explicitly, then by disposal) releases once.
        const held = await holdIn(lock, form);
        held.release();
        held.release();
        held[Symbol.dispose]();
        await held[Symbol.asyncDispose]();
        assert.equal(lock.locked(), false);
        assert.equal(await acquireIn(lock, form, { blocking: false }), true);
        lock.release();
      });
    }

    describe('while another thread holds it', () => {
      const lock = factory();
      const held = new Event();
      const release = new Event();
      let holder: Thread | undefined;

      before(async () => {
        holder = new Thread({ target: fx.holdUntil, args: [lock, held, release], name: 'holder' });
        holder.start();
        assert.equal(await held.wait({ timeout: DEADLINE }), true, 'the holder took the lock');
      });

      after(async () => {
        release.set();
        assert.equal(await holder?.join({ timeout: DEADLINE }), true, 'the holder finished');
      });

      for (const form of FORMS) {
        test(`${form}: try-acquire returns false at once (test_try_acquire_contended)`, async () => {
          assert.equal(await acquireIn(lock, form, { blocking: false }), false);
          assert.equal(await acquireIn(lock, form, { timeout: 0 }), false);
          assert.equal(lock.locked(), true);
        });

        test(`${form}: a contended acquire with a timeout returns false after at least the timeout`, async () => {
          for (const timeout of [1, 50]) {
            const start = performance.now();
            assert.equal(await acquireIn(lock, form, { timeout }), false);
            assertWaited(start, timeout);
          }
          assert.equal(lock.locked(), true);
        });

        test(`${form}: hold throws TimeoutError (ERR_TIMEOUT) after at least the timeout`, async () => {
          const start = performance.now();
          await assert.rejects(holdIn(lock, form, { timeout: 30 }), timeoutError);
          assertWaited(start, 30);
          await assert.rejects(holdIn(lock, form, { blocking: false }), timeoutError);
          await assert.rejects(holdIn(lock, form, { timeout: 0 }), timeoutError);
          assert.equal(lock.locked(), true);
        });

        test(`${form}: invalid options still throw while it is held`, async () => {
          await checkInvalidOptions(lock, form, () => true);
        });
      }

      test('async: an already-aborted signal rejects with signal.reason without waiting', async () => {
        const controller = new AbortController();
        const reason = new Error('stop');
        controller.abort(reason);
        await assert.rejects(lock.acquire({ signal: controller.signal }), (e) => e === reason);
        await assert.rejects(lock.hold({ signal: controller.signal }), (e) => e === reason);
        assert.equal(lock.locked(), true);
      });

      test('async: aborting a waiting acquire rejects with signal.reason and leaves the lock as it was', async () => {
        for (const reason of [new Error('stop'), undefined]) {
          const controller = new AbortController();
          const pending = track(lock.acquire({ signal: controller.signal }));
          await settle(5);
          assert.equal(pending.settled, false, 'the acquire waits while another thread holds it');
          controller.abort(reason);
          const expected: unknown = controller.signal.reason;
          if (reason === undefined) assert.equal((expected as Error).name, 'AbortError');
          await assert.rejects(pending.promise, (e) => e === expected);
        }
        const controller = new AbortController();
        const waiting = lock.hold({ signal: controller.signal, timeout: DEADLINE });
        controller.abort('why');
        await assert.rejects(waiting, (e) => e === 'why');
        // Still held by the other thread, and not by us.
        assert.equal(lock.locked(), true);
        assert.equal(await lock.acquire({ blocking: false }), false);
      });

      test('async: a signal that is not an AbortSignal is a TypeError', async () => {
        await assertInvalid(
          'async',
          () => lock.acquire({ signal: {} as never }),
          TypeError,
          'acquire',
        );
        await assertInvalid('async', () => lock.hold({ signal: 'x' as never }), TypeError, 'hold');
        assert.equal(lock.locked(), true);
      });

      if (options.whileHeldElsewhere) {
        const check = options.whileHeldElsewhere;
        test(`${name}-specific checks while another thread holds it`, () => check(lock));
      }

      test('once the holder releases, no timed-out or aborted waiter kept it', async () => {
        release.set();
        assert.equal(await holder?.join({ timeout: DEADLINE }), true);
        await settle(5);
        assert.equal(lock.locked(), false);
        assert.equal(lock.acquireSync({ blocking: false }), true);
        lock.release();
        assert.equal(await lock.acquire({ blocking: false }), true);
        lock.release();
      });
    });

    test('test_acquire_contended: waiters in 3 threads (both forms) block while it is held; one release lets them all through', async (t) => {
      const lock = factory();
      const threads = new Threads(t);
      const counters = new SharedArray('i', 3);
      const a = counters.array;
      assert.equal(lock.acquireSync(), true);
      threads.onCleanup(() => lock.locked() && lock.release());
      const waiters = [
        ['sync', 1],
        ['sync', 1],
        ['async', 3],
      ] as const;
      for (const [form, n] of waiters) {
        threads.start({ target: fx.contend, args: [lock, counters, form, n] });
      }
      await until(() => Atomics.load(a, STARTED) === 5, 'all 5 waiters started');
      await settle();
      assert.equal(Atomics.load(a, ACQUIRED), 0, 'nobody got in while the lock was held');
      assert.equal(lock.locked(), true);
      lock.release();
      await until(() => Atomics.load(a, ACQUIRED) === 5, 'all 5 waiters acquired and released');
      await threads.joinAll();
      assert.equal(Atomics.load(a, FAILED), 0);
      assert.equal(lock.locked(), false);
    });

    test('aborting one of two async waiters (in another thread) never swallows the wake-up meant for the other', async (t) => {
      const lock = factory();
      const threads = new Threads(t);
      const aborted = new Event();
      const out = new SharedArray('i', 2);
      assert.equal(lock.acquireSync(), true);
      threads.onCleanup(() => lock.locked() && lock.release());
      threads.start({ target: fx.abortRace, args: [lock, aborted, out, DEADLINE] });
      assert.equal(await aborted.wait({ timeout: DEADLINE }), true);
      lock.release();
      await threads.joinAll();
      assert.deepEqual(
        [...out],
        [1, 1],
        'the aborted waiter rejected with its reason and the other one acquired',
      );
      assert.equal(lock.locked(), false);
    });
  });
}

/** CPython's BaseSemaphoreTests, for Semaphore and BoundedSemaphore (semaphore.test.ts). */
export function semaphoreSuite(name: string, factory: (value?: number) => Semaphore): void {
  describe(`${name} (BaseSemaphoreTests)`, () => {
    test('test_constructor: negative or non-integer values throw; the default value is 1', () => {
      for (const value of [-1, -Number.MAX_SAFE_INTEGER, 2 ** 31]) {
        assert.throws(() => factory(value), RangeError, `value ${value}`);
      }
      for (const value of [1.5, NaN, '1', null]) {
        assert.throws(() => factory(value as never), TypeError, `value ${String(value)}`);
      }
      assert.equal(factory().value, 1);
      assert.equal(factory(0).value, 0);
      assert.equal(factory(7).value, 7);
    });

    for (const form of FORMS) {
      test(`${form}: test_acquire: values 1 and 2`, async () => {
        const one = factory(1);
        assert.equal(await acquireIn(one, form), true);
        assert.equal(one.value, 0);
        one.release();
        assert.equal(one.value, 1);
        const two = factory(2);
        assert.equal(await acquireIn(two, form), true);
        assert.equal(await acquireIn(two, form), true);
        assert.equal(two.value, 0);
        two.release();
        two.release();
        assert.equal(two.value, 2);
        // test_acquire_destroy: dropped while acquired.
        factory(2).acquireSync();
      });

      test(`${form}: test_try_acquire: Semaphore(2) gives two permits, then false until a release`, async () => {
        const sem = factory(2);
        assert.equal(await acquireIn(sem, form, { blocking: false }), true);
        assert.equal(await acquireIn(sem, form, { blocking: false }), true);
        assert.equal(await acquireIn(sem, form, { blocking: false }), false);
        assert.equal(await acquireIn(sem, form, { timeout: 0 }), false);
        sem.release();
        assert.equal(await acquireIn(sem, form, { blocking: false }), true);
        assert.equal(sem.value, 0);
      });

      test(`${form}: test_acquire_timeout: invalid options throw and take nothing; a timed-out acquire returns false after at least the timeout`, async () => {
        const sem = factory(2);
        await checkInvalidOptions(sem, form, () => sem.value === 2);
        assert.equal(await acquireIn(sem, form, { timeout: 5 }), true);
        assert.equal(await acquireIn(sem, form, { timeout: 5 }), true);
        let start = performance.now();
        assert.equal(await acquireIn(sem, form, { timeout: 5 }), false);
        assertWaited(start, 5);
        sem.release();
        assert.equal(await acquireIn(sem, form, { timeout: 5 }), true);
        start = performance.now();
        assert.equal(await acquireIn(sem, form, { timeout: 50 }), false);
        assertWaited(start, 50);
        assert.equal(sem.value, 0);
        await checkInvalidOptions(sem, form, () => sem.value === 0);
      });

      test(`${form}: test_default_value: a second acquire of Semaphore() waits until a release`, async () => {
        const sem = factory();
        assert.equal(await acquireIn(sem, form), true);
        if (form === 'sync') {
          const start = performance.now();
          assert.equal(sem.acquireSync({ timeout: 20 }), false);
          assertWaited(start, 20);
          sem.release();
          assert.equal(sem.acquireSync({ timeout: DEADLINE }), true);
        } else {
          const pending = track(acquireWithin(sem));
          await settle(5);
          assert.equal(pending.settled, false);
          sem.release();
          assert.equal(await pending.promise, true);
        }
        assert.equal(sem.value, 0);
      });

      test(`${form}: test_with: guards take one permit each and give both back on throw; hold times out with TimeoutError`, async () => {
        const sem = factory(2);
        const boom = new Error('boom');
        if (form === 'sync') {
          assert.throws(
            () => {
              using _a = sem.holdSync();
              assert.equal(sem.value, 1);
              {
                using _b = sem.holdSync();
                assert.equal(sem.value, 0);
                assert.equal(sem.acquireSync({ blocking: false }), false);
                throw boom;
              }
            },
            (e) => e === boom,
          );
        } else {
          await assert.rejects(
            async () => {
              await using _a = await sem.hold();
              assert.equal(sem.value, 1);
              {
                await using _b = await sem.hold();
                assert.equal(sem.value, 0);
                assert.equal(await sem.acquire({ blocking: false }), false);
                throw boom;
              }
            },
            (e) => e === boom,
          );
        }
        assert.equal(sem.value, 2);
        const empty = factory(0);
        const start = performance.now();
        await assert.rejects(holdIn(empty, form, { timeout: 30 }), timeoutError);
        assertWaited(start, 30);
        await assert.rejects(holdIn(empty, form, { blocking: false }), timeoutError);
        assert.equal(empty.value, 0);
      });
    }

    test('release(n) validates n and adds n permits', () => {
      const sem = factory(3);
      for (let i = 0; i < 3; i++) sem.acquireSync();
      for (const n of [0, -1]) assert.throws(() => sem.release(n), RangeError, `n ${n}`);
      for (const n of [1.5, NaN, '1']) {
        assert.throws(() => sem.release(n as never), TypeError, `n ${String(n)}`);
      }
      assert.equal(sem.value, 0);
      sem.release(2);
      assert.equal(sem.value, 2);
      sem.release();
      assert.equal(sem.value, 3);
      assert.match(String(sem), /value=3/);
    });

    test('async: abort rejects with signal.reason and leaves the count unchanged; it never swallows a wake-up meant for another waiter', async () => {
      const sem = factory(1);
      sem.acquireSync();
      const controller = new AbortController();
      const reason = new Error('stop');
      const first = sem.acquire({ signal: controller.signal });
      const second = track(acquireWithin(sem));
      controller.abort(reason);
      await assert.rejects(first, (e) => e === reason);
      assert.equal(sem.value, 0);
      await assert.rejects(sem.acquire({ signal: controller.signal }), (e) => e === reason);
      await assert.rejects(sem.hold({ signal: controller.signal }), (e) => e === reason);
      assert.equal(second.settled, false);
      sem.release();
      assert.equal(await second.promise, true, 'the other waiter got the released permit');
      assert.equal(sem.value, 0);
      // An aborted waiter took nothing: the permit released now stays.
      const third = sem.acquire({ signal: controller.signal });
      await assert.rejects(third, (e) => e === reason);
      sem.release();
      await settle(5);
      assert.equal(sem.value, 1);
      await assertInvalid(
        'async',
        () => factory(0).acquire({ signal: 1 as never }),
        TypeError,
        'signal',
      );
    });

    test('async: a signal that is not an AbortSignal is a TypeError even when a permit is free, and takes nothing', async () => {
      const sem = factory(1);
      for (const signal of [{}, 'x', new AbortController()]) {
        await assertInvalid(
          'async',
          () => sem.acquire({ signal: signal as never }),
          TypeError,
          'acquire',
        );
        assert.equal(sem.value, 1, 'an acquire that threw must not take a permit');
        await assertInvalid(
          'async',
          () => sem.hold({ signal: signal as never }),
          TypeError,
          'hold',
        );
        assert.equal(sem.value, 1, 'a hold that threw must not take a permit');
      }
    });

    test('aborting one of two async waiters (in another thread) never swallows the permit released for the other', async (t) => {
      const sem = factory(1);
      sem.acquireSync();
      const threads = new Threads(t);
      const aborted = new Event();
      const out = new SharedArray('i', 2);
      threads.onCleanup(() => sem.value === 0 && sem.release());
      threads.start({ target: fx.abortRace, args: [sem, aborted, out, DEADLINE] });
      assert.equal(await aborted.wait({ timeout: DEADLINE }), true);
      sem.release();
      await threads.joinAll();
      assert.deepEqual([...out], [1, 1]);
      assert.equal(sem.value, 1, 'the waiter that acquired released its permit');
    });

    for (const multi of [false, true]) {
      const title = multi
        ? 'test_multirelease: release(7) then release(6) wake exactly that many of 10 waiters in 2 threads'
        : 'test_acquire_contended: Semaphore(7) with 1 taken and 10 waiters × 2 acquires in 2 threads (both forms): exactly 6, then 7, then 6 get through';
      test(title, async (t) => {
        const sem = factory(7);
        assert.equal(sem.acquireSync(), true);
        const threads = new Threads(t);
        const log = new SharedArray('i', 6);
        const a = log.array;
        const got = (): number =>
          [0, 1, 2, 3].reduce((n, p) => n + Atomics.load(a, BY_PHASE + p), 0);
        const byPhase = (): number[] => [0, 1, 2, 3].map((p) => Atomics.load(a, BY_PHASE + p));
        threads.onCleanup(() => {
          // Let every waiter finish: at most 20 acquisitions are outstanding.
          for (let i = 0; i < 20; i++) {
            try {
              sem.release();
            } catch {
              return;
            }
          }
        });
        threads.start({ target: fx.semaphoreWaiters, args: [sem, log, 'sync', 1] });
        threads.start({ target: fx.semaphoreWaiters, args: [sem, log, 'async', 9] });

        await until(() => got() >= 6, '6 acquisitions');
        await settle();
        assert.deepEqual(byPhase(), [6, 0, 0, 0], 'phase 0: the 6 free permits, no more');
        assert.equal(sem.value, 0);

        Atomics.store(a, PHASE, 1);
        if (multi) sem.release(7);
        else for (let i = 0; i < 7; i++) sem.release();
        await until(() => got() >= 13, '13 acquisitions');
        await settle();
        assert.deepEqual(byPhase(), [6, 7, 0, 0], 'phase 1: exactly the 7 released');

        Atomics.store(a, PHASE, 2);
        if (multi) sem.release(6);
        else for (let i = 0; i < 6; i++) sem.release();
        await until(() => got() >= 19, '19 acquisitions');
        await settle();
        assert.deepEqual(byPhase(), [6, 7, 6, 0], 'phase 2: exactly the 6 released');
        assert.equal(sem.acquireSync({ blocking: false }), false);
        assert.equal(await sem.acquire({ blocking: false }), false);

        Atomics.store(a, PHASE, 3);
        sem.release();
        await threads.joinAll();
        assert.deepEqual(byPhase(), [6, 7, 6, 1]);
        assert.equal(Atomics.load(a, SEM_FAILED), 0, 'every acquire returned true');
        assert.equal(sem.value, 0);
      });
    }

    test('test_try_acquire_contended: Semaphore(4) with 1 taken; 10 try-acquires racing from 2 threads (both forms): exactly 3 succeed', async (t) => {
      const sem = factory(4);
      assert.equal(sem.acquireSync(), true);
      const threads = new Threads(t);
      const go = new Event();
      threads.onCleanup(() => go.set());
      const results = new SharedArray('i', 2);
      threads.start({ target: fx.tryMany, args: [sem, results, 'sync', 5, go] });
      threads.start({ target: fx.tryMany, args: [sem, results, 'async', 5, go] });
      go.set();
      await threads.joinAll();
      assert.deepEqual([...results], [3, 7]);
      assert.equal(sem.value, 0);
    });

    test('test_default_value across threads: a waiter in another thread gets the permit a release from here returns', async (t) => {
      const sem = factory();
      assert.equal(sem.acquireSync(), true);
      const threads = new Threads(t);
      const counters = new SharedArray('i', 3);
      const a = counters.array;
      threads.onCleanup(() => sem.value === 0 && sem.release());
      threads.start({ target: fx.contend, args: [sem, counters, 'sync', 1] });
      await until(() => Atomics.load(a, STARTED) === 1, 'the waiter started');
      await settle();
      assert.equal(Atomics.load(a, ACQUIRED), 0, 'the waiter is blocked');
      sem.release();
      await until(() => Atomics.load(a, ACQUIRED) === 1, 'the waiter acquired');
      await threads.joinAll();
      assert.equal(Atomics.load(a, FAILED), 0);
      assert.equal(sem.value, 1, 'the waiter released its permit');
    });
  });
}
