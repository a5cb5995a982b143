// The in-thread Lock, Semaphore, BoundedSemaphore, Event and Condition,
// after CPython's lock_tests.py and test_asyncio/test_locks.py (tasks of one
// thread stand in for threads), plus cancellation safety: an aborted or
// timed-out acquire or wait never holds, leaks or loses anything.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import {
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  Semaphore,
  sleep,
  StateError,
  TimeoutError,
} from '../../src/asyncio/index.js';
import { assertWaited, checkNoLeaksAfterEach, settle, track } from './helpers.js';

checkNoLeaksAfterEach();

const code = (c: string) => (e: unknown) => e instanceof StateError && e.code === c;

/** Acquire/release contract shared by Lock and Semaphore(1) (lock_tests.BaseLockTests). */
function lockContract(name: string, make: () => Lock | Semaphore): void {
  describe(`${name}: lock contract`, () => {
    test('acquire then release; blocking: false fails while held', async () => {
      const lock = make();
      assert.equal(await lock.acquire(), true);
      assert.equal(await lock.acquire({ blocking: false }), false);
      lock.release();
      assert.equal(await lock.acquire({ blocking: false }), true);
      lock.release();
    });

    test('contended: waiters block until release, then get it first-come first-served', async () => {
      const lock = make();
      await lock.acquire();
      const order: number[] = [];
      const waiters = [0, 1, 2, 3, 4].map((i) =>
        lock.acquire().then(() => {
          order.push(i);
          lock.release();
        }),
      );
      await settle();
      assert.deepEqual(order, []);
      lock.release();
      await Promise.all(waiters);
      assert.deepEqual(order, [0, 1, 2, 3, 4]);
    });

    test('hold(): released at the end of the block, also on throw', async () => {
      const lock = make();
      {
        await using _held = await lock.hold();
        assert.equal(await lock.acquire({ blocking: false }), false);
      }
      assert.equal(await lock.acquire({ blocking: false }), true);
      lock.release();
      await assert.rejects(async () => {
        await using _held = await lock.hold();
        throw new Error('inside');
      }, /inside/);
      assert.equal(await lock.acquire({ blocking: false }), true);
      lock.release();
    });

    test('timeouts: RangeErrors for bad ones; a contended acquire gives up no sooner than its timeout', async () => {
      const lock = make();
      await assert.rejects(lock.acquire({ blocking: false, timeout: 1 }), RangeError);
      await assert.rejects(lock.acquire({ timeout: -100 }), RangeError);
      assert.equal(await lock.acquire({ timeout: 5000 }), true);
      const start = performance.now();
      assert.equal(await lock.acquire({ timeout: 20 }), false);
      assertWaited(start, 20);
      await assert.rejects(lock.hold({ timeout: 5 }), TimeoutError);
      // test_state_after_timeout
      lock.release();
      assert.equal(await lock.acquire({ blocking: false }), true);
      lock.release();
    });

    test('cancellation: an aborted acquire rejects with the reason and takes nothing', async () => {
      const lock = make();
      await lock.acquire();
      const controller = new AbortController();
      const reason = new Error('stop');
      const aborted = lock.acquire({ signal: controller.signal });
      const next = lock.acquire();
      controller.abort(reason);
      await assert.rejects(aborted, (e) => e === reason);
      lock.release();
      assert.equal(await next, true, 'the waiter behind the aborted one gets it');
      lock.release();
      assert.equal(await lock.acquire({ blocking: false }), true);
      lock.release();
      await assert.rejects(
        lock
          .acquire({ signal: AbortSignal.abort(reason) })
          .then(() => lock.acquire({ signal: AbortSignal.abort(reason) })),
        (e) => e === reason,
      );
      lock.release();
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    });

    test('cancellation: a grant that precedes the abort stands', async () => {
      const lock = make();
      await lock.acquire();
      const controller = new AbortController();
      const waiting = lock.acquire({ signal: controller.signal });
      lock.release(); // handed over to the waiter
      controller.abort();
      assert.equal(await waiting, true);
      assert.equal(await lock.acquire({ blocking: false }), false);
      lock.release();
    });
  });
}

lockContract('Lock', () => new Lock());
lockContract('Semaphore(1)', () => new Semaphore());
lockContract('BoundedSemaphore(1)', () => new BoundedSemaphore());

describe('Lock', () => {
  test('locked(), release of an unlocked lock, any task may release, toString', async () => {
    const lock = new Lock();
    assert.equal(lock.locked(), false);
    assert.equal(String(lock), '<Lock [unlocked]>');
    assert.throws(() => lock.release(), code('ERR_LOCK_NOT_HELD'));
    await lock.acquire();
    assert.equal(lock.locked(), true);
    const waiter = lock.acquire();
    assert.equal(String(lock), '<Lock [locked, waiters:1]>');
    await Promise.resolve().then(() => lock.release()); // another task releases it
    await waiter;
    lock.release();
    assert.equal(lock.locked(), false);
  });
});

describe('Semaphore', () => {
  test('constructor: default 1; negative and non-integer values are rejected', async () => {
    assert.equal(new Semaphore().value, 1);
    assert.throws(() => new Semaphore(-1), RangeError);
    assert.throws(() => new Semaphore(1.5), TypeError);
    const sem = new Semaphore(0);
    assert.equal(sem.locked(), true);
    assert.equal(await sem.acquire({ blocking: false }), false);
  });

  test('test_try_acquire: Semaphore(2) gives two permits, then none until a release', async () => {
    const sem = new Semaphore(2);
    assert.equal(await sem.acquire({ blocking: false }), true);
    assert.equal(await sem.acquire({ blocking: false }), true);
    assert.equal(await sem.acquire({ blocking: false }), false);
    sem.release();
    assert.equal(await sem.acquire({ blocking: false }), true);
  });

  test('test_acquire_contended: exactly as many waiters pass as permits are released', async () => {
    const sem = new Semaphore(7);
    await sem.acquire();
    let passed = 0;
    const tasks = Array.from({ length: 10 }, async () => {
      for (let i = 0; i < 2; i++) {
        assert.equal(await sem.acquire(), true);
        passed++;
      }
    });
    await settle();
    assert.equal(passed, 6);
    for (let i = 0; i < 7; i++) sem.release();
    await settle();
    assert.equal(passed, 13);
    sem.release(6); // test_multirelease
    await settle();
    assert.equal(passed, 19);
    assert.equal(await sem.acquire({ blocking: false }), false);
    sem.release();
    await Promise.all(tasks);
    assert.equal(passed, 20);
    assert.equal(sem.value, 0);
  });

  test('release(n) past the initial value raises the count; toString shows it', () => {
    const sem = new Semaphore(3);
    assert.equal(String(sem), '<Semaphore [value=3]>');
    sem.release(2);
    assert.equal(sem.value, 5);
    assert.throws(() => sem.release(0), RangeError);
  });

  test('BoundedSemaphore: release past the initial value throws ERR_SEMAPHORE_OVERRELEASED', async () => {
    const sem = new BoundedSemaphore(3);
    assert.equal(String(sem), '<BoundedSemaphore [value=3/3]>');
    assert.throws(() => sem.release(), code('ERR_SEMAPHORE_OVERRELEASED'));
    await sem.acquire();
    await sem.acquire();
    assert.throws(() => sem.release(3), code('ERR_SEMAPHORE_OVERRELEASED'));
    sem.release(2);
    assert.equal(sem.value, 3);
  });

  test('cancellation stress: aborted and timed-out acquires never leak a permit', async () => {
    const sem = new Semaphore(3);
    let active = 0;
    let maxActive = 0;
    const attempts = Array.from({ length: 300 }, async (_, i) => {
      const controller = new AbortController();
      const acquiring = sem.acquire(
        i % 3 === 0 ? { signal: controller.signal } : i % 3 === 1 ? { timeout: i % 7 } : undefined,
      );
      if (i % 3 === 0 && i % 2 === 0) queueMicrotask(() => controller.abort());
      let ok: boolean;
      try {
        ok = await acquiring;
      } catch {
        return;
      }
      if (!ok) return;
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(i % 2);
      active--;
      sem.release();
    });
    await Promise.all(attempts);
    assert.equal(sem.value, 3, 'every permit came back');
    assert.ok(maxActive <= 3);
  });
});

describe('Event', () => {
  test('isSet/set/clear are idempotent; toString', () => {
    const ev = new Event();
    assert.equal(ev.isSet(), false);
    ev.set();
    ev.set();
    assert.equal(ev.isSet(), true);
    assert.equal(String(ev), '<Event [set]>');
    ev.clear();
    ev.clear();
    assert.equal(ev.isSet(), false);
  });

  test('set() wakes every waiter, which returns true; later waits return at once', async () => {
    const ev = new Event();
    for (let round = 0; round < 2; round++) {
      const waiters = Array.from({ length: 5 }, () => track(ev.wait()));
      await settle();
      assert.ok(waiters.every((w) => !w.settled));
      ev.set();
      assert.deepEqual(await Promise.all(waiters.map((w) => w.promise)), [
        true,
        true,
        true,
        true,
        true,
      ]);
      assert.equal(await ev.wait(), true);
      ev.clear();
    }
  });

  test('gh-57711: waiters woken by set() return true even if clear() follows at once', async () => {
    const ev = new Event();
    const waiters = [ev.wait(), ev.wait({ timeout: 1000 })];
    ev.set();
    ev.clear();
    assert.deepEqual(await Promise.all(waiters), [true, true]);
  });

  test('timeouts: 0 checks once; a timed wait returns false no sooner than its timeout', async () => {
    const ev = new Event();
    assert.equal(await ev.wait({ timeout: 0 }), false);
    const start = performance.now();
    assert.equal(await ev.wait({ timeout: 20 }), false);
    assertWaited(start, 20);
    await assert.rejects(ev.wait({ timeout: -1 }), RangeError);
    ev.set();
    assert.equal(await ev.wait({ timeout: 0 }), true);
  });

  test('an aborted wait rejects and leaves no listener; the others are still woken', async () => {
    const ev = new Event();
    const controller = new AbortController();
    const aborted = ev.wait({ signal: controller.signal });
    const other = ev.wait();
    controller.abort(new Error('stop'));
    await assert.rejects(aborted, { message: 'stop' });
    ev.set();
    assert.equal(await other, true);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });
});

describe('Condition', () => {
  test('uses a new Lock by default, or the given one; acquire/release/hold go to it', async () => {
    const lock = new Lock();
    const cond = new Condition(lock);
    assert.equal(cond.lock, lock);
    await cond.acquire();
    assert.equal(lock.locked(), true);
    assert.equal(await cond.acquire({ blocking: false }), false);
    cond.release();
    {
      await using _ = await cond.hold();
      assert.equal(cond.locked(), true);
    }
    assert.equal(cond.locked(), false);
    assert.ok(new Condition().lock instanceof Lock);
    assert.throws(() => new Condition({} as never), /`lock`/);
  });

  test('wait and notify without the lock throw ERR_CONDITION_NOT_OWNED', async () => {
    const cond = new Condition();
    await assert.rejects(cond.wait(), code('ERR_CONDITION_NOT_OWNED'));
    assert.throws(() => cond.notify(), code('ERR_CONDITION_NOT_OWNED'));
    assert.throws(() => cond.notifyAll(), code('ERR_CONDITION_NOT_OWNED'));
  });

  test('notify(n) wakes exactly n waiters, first come first served, once the notifier releases', async () => {
    const cond = new Condition();
    const woken: number[] = [];
    const waiters = Array.from({ length: 5 }, async (_, i) => {
      await using _held = await cond.hold();
      const notified = await cond.wait();
      assert.equal(notified, true);
      assert.equal(cond.locked(), true, 'wait returns holding the lock');
      woken.push(i);
    });
    await settle();
    {
      await using _ = await cond.hold();
      cond.notify(3);
      await settle();
      assert.deepEqual(woken, [], 'woken waiters need the lock first');
    }
    await settle();
    assert.deepEqual(woken, [0, 1, 2]);
    {
      await using _ = await cond.hold();
      cond.notifyAll();
    }
    await Promise.all(waiters);
    assert.deepEqual(woken, [0, 1, 2, 3, 4]);
  });

  test('a timed wait returns false no sooner than its timeout, holding the lock', async () => {
    const cond = new Condition();
    await using _ = await cond.hold();
    const start = performance.now();
    assert.equal(await cond.wait({ timeout: 20 }), false);
    assertWaited(start, 20);
    assert.equal(cond.locked(), true);
  });

  test('waitFor returns once the predicate holds, or its falsy value on timeout', async () => {
    const cond = new Condition();
    let state = 0;
    const waiter = (async () => {
      await using _ = await cond.hold();
      return await cond.waitFor(() => state === 4);
    })();
    for (let i = 0; i < 4; i++) {
      await sleep(1);
      await using _ = await cond.hold();
      state++;
      cond.notify();
    }
    assert.equal(await waiter, true);
    await using _ = await cond.hold();
    const start = performance.now();
    assert.equal(await cond.waitFor(() => state === 99, { timeout: 15 }), false);
    assertWaited(start, 15);
  });

  test('an aborted wait re-acquires the lock before rejecting; no notification is lost', async () => {
    const cond = new Condition();
    const controller = new AbortController();
    let lockedAtReject = false;
    const aborted = (async () => {
      await using _ = await cond.hold();
      try {
        await cond.wait({ signal: controller.signal });
      } catch (e) {
        lockedAtReject = cond.locked();
        throw e;
      }
    })();
    const other = (async () => {
      await using _ = await cond.hold();
      return await cond.wait();
    })();
    await settle();
    controller.abort(new Error('stop'));
    await assert.rejects(aborted, { message: 'stop' });
    assert.equal(lockedAtReject, true);
    {
      await using _ = await cond.hold();
      cond.notify(1); // goes to the waiter still there
    }
    assert.equal(await other, true);
  });

  test('a waiter notified and then aborted still returns true', async () => {
    const cond = new Condition();
    const controller = new AbortController();
    const waiter = (async () => {
      await using _ = await cond.hold();
      return await cond.wait({ signal: controller.signal });
    })();
    await settle();
    {
      await using _ = await cond.hold();
      cond.notify();
      controller.abort();
    }
    assert.equal(await waiter, true);
  });
});
