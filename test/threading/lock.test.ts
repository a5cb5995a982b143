// Lock: CPython's BaseLockTests (suites.ts) and LockTests, plus stress.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Event, Lock } from '../../src/threading/index.js';
import { SharedArray } from '../../src/shared/index.js';
import {
  acquireIn,
  acquireWithin,
  assertWaited,
  baseLockSuite,
  DEADLINE,
  FORMS,
  fx,
  settle,
  stateError,
  Threads,
  track,
} from './suites.js';

baseLockSuite('Lock', () => new Lock());

describe('Lock (LockTests)', () => {
  test('releasing an unlocked lock throws StateError ERR_LOCK_NOT_HELD', () => {
    const lock = new Lock();
    assert.throws(() => lock.release(), stateError('ERR_LOCK_NOT_HELD'));
    lock.acquireSync();
    lock.release();
    assert.throws(() => lock.release(), stateError('ERR_LOCK_NOT_HELD'));
    assert.equal(lock.locked(), false);
  });

  for (const form of FORMS) {
    test(`${form}: not re-entrant: the holder's own try-acquire fails and a timed acquire times out`, async () => {
      const lock = new Lock();
      assert.equal(await acquireIn(lock, form), true);
      assert.equal(await acquireIn(lock, form, { blocking: false }), false);
      const start = performance.now();
      assert.equal(await acquireIn(lock, form, { timeout: 20 }), false);
      assertWaited(start, 20);
      lock.release();
    });

    test(`${form}: test_state_after_timeout: after a timed-out acquire, release() leaves it free`, async () => {
      const lock = new Lock();
      assert.equal(await acquireIn(lock, form), true);
      assert.equal(await acquireIn(lock, form, { timeout: 10 }), false);
      lock.release();
      assert.equal(lock.locked(), false);
      assert.equal(await acquireIn(lock, form, { blocking: false }), true);
      lock.release();
    });
  }

  test('async: test_reacquire + test_different_thread: the holder’s second acquire waits until another thread releases the lock', async (t) => {
    const lock = new Lock();
    const threads = new Threads(t);
    const go = new Event();
    threads.onCleanup(() => go.set());
    assert.equal(await lock.acquire(), true);
    threads.start({ target: fx.releaseWhen, args: [lock, go] });
    const second = track(acquireWithin(lock));
    await settle();
    assert.equal(second.settled, false, 'the second acquire waits');
    go.set();
    assert.equal(await second.promise, true, 'the release in the other thread let it through');
    await threads.joinAll();
    assert.equal(lock.locked(), true);
    lock.release();
    assert.equal(lock.locked(), false);
  });

  test('sync: test_reacquire + test_different_thread: the holder’s acquireSync blocks until another thread releases the lock', async (t) => {
    const lock = new Lock();
    const threads = new Threads(t);
    assert.equal(lock.acquireSync(), true);
    // The thread releases the lock this thread took; this thread blocks until then.
    threads.start({ target: (l: Lock) => l.release(), args: [lock] });
    const start = performance.now();
    assert.equal(lock.acquireSync({ timeout: DEADLINE }), true);
    // Returning at its own timeout would also give true (it re-checks then).
    assert.ok(performance.now() - start < DEADLINE, 'woken by the release');
    await threads.joinAll();
    assert.equal(lock.locked(), true);
    lock.release();
    assert.equal(lock.locked(), false);
  });

  test('async: aborting one of two waiters in this thread never swallows the wake-up meant for the other', async () => {
    const lock = new Lock();
    lock.acquireSync();
    const controller = new AbortController();
    const reason = new Error('stop');
    const first = lock.acquire({ signal: controller.signal });
    const second = track(acquireWithin(lock));
    controller.abort(reason);
    await assert.rejects(first, (e) => e === reason);
    assert.equal(second.settled, false);
    lock.release();
    assert.equal(await second.promise, true);
    lock.release();
    assert.equal(lock.locked(), false);
  });
});

describe('Lock stress', () => {
  for (const form of FORMS) {
    test(`${form}: 4 threads × 50,000 locked increments are exact`, async (t) => {
      const lock = new Lock();
      const counter = new SharedArray('i', 1);
      const threads = new Threads(t);
      for (let i = 0; i < 4; i++) {
        threads.start({ target: fx.lockedIncrements, args: [lock, counter, form, 50_000] });
      }
      await threads.joinAll();
      assert.equal(counter.get(0), 200_000);
      assert.equal(lock.locked(), false);
    });
  }
});
