// RLock: CPython's BaseLockTests (suites.ts) and RLockTests, withLock scopes,
// owner death, plus stress.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Event, RLock } from '../../src/threading/index.js';
import { SharedArray } from '../../src/shared/index.js';
import {
  acquireIn,
  baseLockSuite,
  DEADLINE,
  FORMS,
  fx,
  holdIn,
  settle,
  stateError,
  Threads,
  timeoutError,
  track,
  until,
} from './suites.js';
import { withLockIncrements } from '../fixtures/locks.js';

const notOwned = stateError('ERR_RLOCK_NOT_OWNED');

baseLockSuite('RLock', () => new RLock(), {
  async whileHeldElsewhere(rlock) {
    // test_different_thread / test__is_owned / test_recursion_count, seen from a non-owner.
    assert.equal(rlock.isOwned(), false);
    assert.equal(rlock.recursionCount(), 0);
    assert.equal(rlock.ownerDied, false);
    assert.throws(() => rlock.release(), notOwned);
    assert.throws(() => rlock._releaseSave(), notOwned);
    assert.equal(rlock.locked(), true, 'a rejected release changes nothing');
    await assert.rejects(
      rlock.withLock(() => assert.fail('ran without the lock'), { timeout: 20 }),
      timeoutError,
    );
    await assert.rejects(
      rlock.withLock(() => assert.fail('ran without the lock'), { blocking: false }),
      timeoutError,
    );
  },
});

describe('RLock (RLockTests)', () => {
  for (const form of FORMS) {
    test(`${form}: test_reacquire: the owner nests acquire/acquire/release/acquire/release/release`, async () => {
      const rlock = new RLock();
      assert.equal(await acquireIn(rlock, form), true);
      assert.equal(await acquireIn(rlock, form), true);
      rlock.release();
      assert.equal(await acquireIn(rlock, form, { blocking: false }), true);
      assert.equal(rlock.locked(), true);
      rlock.release();
      assert.equal(rlock.locked(), true);
      rlock.release();
      assert.equal(rlock.locked(), false);
    });

    test(`${form}: test_recursion_count and test__is_owned: 0 → 1 → 3 → 2 → 0`, async () => {
      const rlock = new RLock();
      assert.equal(rlock.recursionCount(), 0);
      assert.equal(rlock.isOwned(), false);
      await acquireIn(rlock, form);
      assert.equal(rlock.recursionCount(), 1);
      assert.equal(rlock.isOwned(), true);
      await acquireIn(rlock, form);
      await acquireIn(rlock, form, { timeout: 0 });
      assert.equal(rlock.recursionCount(), 3);
      assert.match(String(rlock), /^<locked RLock .*count=3/);
      rlock.release();
      assert.equal(rlock.recursionCount(), 2);
      assert.equal(rlock.isOwned(), true);
      rlock.release();
      rlock.release();
      assert.equal(rlock.recursionCount(), 0);
      assert.equal(rlock.isOwned(), false);
      assert.match(String(rlock), /^<unlocked RLock/);
    });

    test(`${form}: nested guards re-enter and release one level each`, async () => {
      const rlock = new RLock();
      const outer = await holdIn(rlock, form);
      {
        using _inner = await holdIn(rlock, form);
        assert.equal(rlock.recursionCount(), 2);
      }
      assert.equal(rlock.recursionCount(), 1);
      outer.release();
      outer.release();
      assert.equal(rlock.locked(), false);
    });
  }

  test('test_release_unacquired / test_release_save_unacquired: release() when not owned throws StateError ERR_RLOCK_NOT_OWNED, also after a balanced nest', () => {
    const rlock = new RLock();
    assert.throws(() => rlock.release(), notOwned);
    assert.throws(() => rlock._releaseSave(), notOwned);
    rlock.acquireSync();
    rlock.acquireSync();
    rlock.release();
    rlock.acquireSync();
    rlock.release();
    rlock.release();
    assert.throws(() => rlock.release(), notOwned);
    assert.throws(() => rlock._releaseSave(), notOwned);
    assert.equal(rlock.locked(), false);
  });

  test('test_different_thread: a thread that does not own it sees isOwned() false, count 0, and cannot release or take it', async (t) => {
    const rlock = new RLock();
    const threads = new Threads(t);
    rlock.acquireSync();
    rlock.acquireSync();
    threads.onCleanup(() => {
      while (rlock.isOwned()) rlock.release();
    });
    const out = new SharedArray('i', 6);
    threads.start({ target: fx.probeRLock, args: [rlock, out] });
    await threads.joinAll();
    assert.deepEqual(
      [...out],
      [0, 0, 1, 1, 0, 0],
      '[isOwned, recursionCount, locked, release → ERR_RLOCK_NOT_OWNED, try, trySync]',
    );
    assert.equal(rlock.recursionCount(), 2, "the owner's count is untouched");
    rlock.release();
    rlock.release();
    assert.equal(rlock.locked(), false);
  });
});

describe('RLock.withLock', () => {
  test('runs fn holding the lock, returns its value, and releases also when fn throws', async () => {
    const rlock = new RLock();
    assert.equal(
      await rlock.withLock(() => {
        assert.equal(rlock.isOwned(), true);
        assert.equal(rlock.recursionCount(), 1);
        return 42;
      }),
      42,
    );
    assert.equal(rlock.locked(), false);
    assert.equal(
      await rlock.withLock(async () => {
        await settle(1);
        return rlock.isOwned();
      }),
      true,
    );
    assert.equal(rlock.locked(), false);
    const boom = new Error('boom');
    await assert.rejects(
      rlock.withLock(async () => {
        await settle(1);
        throw boom;
      }),
      (e) => e === boom,
    );
    assert.equal(rlock.locked(), false);
    assert.throws(() => rlock.withLock('nope' as never), TypeError);
    assert.equal(rlock.locked(), false);
    assert.equal(rlock.isOwned(), false, 'the scope does not leak into the caller');
  });

  test('nested withLock, acquire and hold inside fn re-enter (also concurrently within the scope)', async () => {
    const rlock = new RLock();
    const depths = await rlock.withLock(async () => {
      const inner = await rlock.withLock(async () => {
        await settle(1);
        return rlock.recursionCount();
      });
      assert.equal(await rlock.acquire({ blocking: false }), true);
      const viaAcquire = rlock.recursionCount();
      rlock.release();
      await using _held = await rlock.hold({ timeout: 0 });
      const both = await Promise.all([
        rlock.withLock(() => rlock.recursionCount()),
        rlock.withLock(async () => {
          await settle(1);
          return rlock.isOwned();
        }),
      ]);
      return [inner, viaAcquire, ...both];
    });
    // Last: outer + hold + both concurrent nested scopes = 4 levels.
    assert.deepEqual(depths, [2, 2, 4, true]);
    assert.equal(rlock.locked(), false);
  });

  test('two unrelated async tasks of one thread exclude each other', async () => {
    const rlock = new RLock();
    const log: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const a = rlock.withLock(async () => {
      log.push('A in');
      await gate;
      log.push('A out');
      return 'a';
    });
    const b = track(
      rlock.withLock(async () => {
        log.push('B in');
        await settle(1);
        log.push('B out');
        return 'b';
      }),
    );
    await settle();
    assert.deepEqual(log, ['A in'], 'B waits while A holds the lock');
    assert.equal(b.settled, false);
    // Plain code of this thread is yet another scope: it does not own the lock either.
    assert.equal(rlock.isOwned(), false);
    assert.equal(await rlock.acquire({ blocking: false }), false);
    assert.throws(() => rlock.release(), notOwned);
    await assert.rejects(
      rlock.withLock(() => 'c', { timeout: 10 }),
      timeoutError,
    );
    open();
    assert.equal(await a, 'a');
    assert.equal(await b.promise, 'b');
    assert.deepEqual(log, ['A in', 'A out', 'B in', 'B out']);
    assert.equal(rlock.locked(), false);
  });

  test('withLock re-enters a lock the thread already owns through a plain acquire', async () => {
    const rlock = new RLock();
    rlock.acquireSync();
    assert.equal(await rlock.withLock(() => rlock.recursionCount()), 2);
    assert.equal(rlock.recursionCount(), 1);
    rlock.release();
    assert.equal(rlock.locked(), false);
  });

  test('stress: 4 async tasks here and 4 in each of 2 threads, each doing withLock increments with an await between read and write, are exact', async (t) => {
    const rlock = new RLock();
    const counter = new SharedArray('i', 1);
    const threads = new Threads(t);
    const rounds = 300;
    for (let i = 0; i < 2; i++) {
      threads.start({ target: fx.withLockIncrements, args: [rlock, counter, 4, rounds] });
    }
    await withLockIncrements(rlock, counter, 4, rounds);
    await threads.joinAll();
    assert.equal(counter.get(0), 12 * rounds);
    assert.equal(rlock.locked(), false);
  });
});

describe('RLock owner death', () => {
  for (const form of FORMS) {
    test(`${form}: when the owner thread exits holding it, a waiter takes it over within a deadline and ownerDied is true`, async (t) => {
      const rlock = new RLock();
      const held = new Event();
      const threads = new Threads(t);
      const warnings: Error[] = [];
      const onWarning = (w: Error): void => void warnings.push(w);
      process.on('warning', onWarning);
      t.after(() => process.off('warning', onWarning));
      threads.start({ target: fx.holdAndExit, args: [rlock, held] });
      assert.equal(await held.wait({ timeout: DEADLINE }), true);
      assert.equal(await acquireIn(rlock, form, { timeout: DEADLINE }), true);
      assert.equal(rlock.ownerDied, true);
      assert.equal(rlock.isOwned(), true);
      assert.equal(rlock.recursionCount(), 1, 'the dead owner’s depth is not inherited');
      // Re-entry keeps the flag until the final release.
      rlock.acquireSync();
      rlock.release();
      assert.equal(rlock.ownerDied, true);
      rlock.release();
      assert.equal(rlock.locked(), false);
      assert.equal(rlock.ownerDied, false);
      await threads.joinAll();
      await until(() => warnings.length > 0, 'the WEFT_OWNER_DIED warning');
      assert.ok(warnings.some((w) => (w as { code?: string }).code === 'WEFT_OWNER_DIED'));
      // The lock works normally afterwards.
      assert.equal(await acquireIn(rlock, form, { blocking: false }), true);
      assert.equal(rlock.ownerDied, false);
      rlock.release();
    });
  }
});

describe('RLock stress', () => {
  test('4 threads (2 sync, 2 async) × 50,000 increments, each under a re-entered (depth 2) RLock, are exact', async (t) => {
    const rlock = new RLock();
    const counter = new SharedArray('i', 1);
    const threads = new Threads(t);
    for (const form of ['sync', 'async', 'sync', 'async'] as const) {
      threads.start({ target: fx.lockedIncrements, args: [rlock, counter, form, 50_000, 2] });
    }
    await threads.joinAll();
    assert.equal(counter.get(0), 200_000);
    assert.equal(rlock.locked(), false);
  });
});
