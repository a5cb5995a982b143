// Condition conformance (CPython lock_tests.ConditionTests) and stress, in
// both forms: `wait` / `waitFor` / `hold` (async) and `waitSync` /
// `waitForSync` / `holdSync` (blocking), across worker threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Condition, Event, Lock, RLock, StateError, tasks } from '../../src/threading/index.js';
import { SharedArray, Value } from '../../src/shared/index.js';
import { BOX, C, HANG } from '../fixtures/sync.js';
import type { Mode } from '../fixtures/sync.js';
import { blockedOn, joinAll, pause, startThreads, until } from '../fixtures/sync-helpers.js';

const fx = tasks<typeof import('../fixtures/sync.js')>(
  new URL('../fixtures/sync.ts', import.meta.url),
);
const work = tasks<typeof import('../fixtures/work.js')>(
  new URL('../fixtures/work.ts', import.meta.url),
);
const MODES: readonly Mode[] = ['sync', 'async'];

type Counts = Record<Mode, SharedArray<'i'>>;

function perMode(): Counts {
  return { sync: new SharedArray('i', C.SIZE), async: new SharedArray('i', C.SIZE) };
}

function total(counts: Counts, slot: number): number {
  return counts.sync.get(slot) + counts.async.get(slot);
}

function byMode(counts: Counts, slot: number): [number, number] {
  return [counts.sync.get(slot), counts.async.get(slot)];
}

/** Alternating modes, so one run covers both forms side by side. */
function mixed(n: number): Mode[] {
  return Array.from({ length: n }, (_, i) => MODES[i % 2]!);
}

const notOwned = (e: unknown): boolean =>
  e instanceof StateError && e.code === 'ERR_CONDITION_NOT_OWNED';

/** Settles to 'pending' if `p` has not settled once pending timers and I/O have had a turn. */
async function state(p: Promise<unknown>): Promise<'pending' | 'settled'> {
  const mark = Symbol('pending');
  const r = await Promise.race([
    p.then(
      () => 'settled' as const,
      () => 'settled' as const,
    ),
    new Promise<symbol>((resolve) => setImmediate(() => resolve(mark))),
  ]);
  return r === mark ? 'pending' : 'settled';
}

test('the default lock is an RLock: acquire re-enters (both forms, and the guards)', async () => {
  const cond = new Condition();
  const lock = cond.lock;
  assert.ok(lock instanceof RLock);
  assert.equal(cond.acquireSync(), true);
  assert.equal(cond.acquireSync({ blocking: false }), true);
  assert.equal(await cond.acquire(), true);
  assert.equal(lock.recursionCount(), 3);
  cond.release();
  cond.release();
  cond.release();
  assert.equal(lock.locked(), false);
  {
    using _outer = cond.holdSync();
    using _inner = cond.holdSync();
    assert.equal(lock.recursionCount(), 2);
  }
  assert.equal(lock.locked(), false);
  {
    await using _outer = await cond.hold();
    await using _inner = await cond.hold();
    assert.equal(lock.recursionCount(), 2);
  }
  assert.equal(lock.locked(), false);
});

for (const kind of ['Lock', 'RLock'] as const) {
  test(`Condition(${kind}) uses that lock; acquire fails while another thread holds it`, async () => {
    const lock = kind === 'Lock' ? new Lock() : new RLock();
    const cond = new Condition(lock);
    assert.equal(cond.lock, lock);
    cond.acquireSync();
    assert.equal(lock.locked(), true);
    cond.release();
    assert.equal(lock.locked(), false);
    {
      using _ = cond.holdSync();
      assert.equal(lock.locked(), true);
    }
    assert.equal(lock.locked(), false);

    const started = new Event();
    const release = new Event();
    const [holder] = startThreads([
      { target: work.holdThenSignal, args: [lock, started, release] as const },
    ]);
    assert.equal(await started.wait({ timeout: HANG }), true);
    assert.equal(cond.acquireSync({ blocking: false }), false);
    assert.equal(await cond.acquire({ blocking: false }), false);
    assert.equal(cond.acquireSync({ timeout: 10 }), false);
    assert.equal(await cond.acquire({ timeout: 10 }), false);
    if (kind === 'RLock') {
      // Held, but by another thread: this thread does not own it.
      assert.throws(() => cond.notify(), notOwned);
      assert.throws(() => cond.waitSync({ timeout: 0 }), notOwned);
    }
    const acquired = cond.acquire();
    release.set();
    assert.equal(await acquired, true);
    cond.release();
    await joinAll([holder!]);
  });
}

test('a lock that is not a Lock or RLock is a TypeError', () => {
  assert.throws(() => new Condition({} as never), TypeError);
  assert.throws(() => new Condition(undefined, { maxWaiters: 0 }), RangeError);
});

for (const kind of ['default RLock', 'Lock'] as const) {
  test(`wait / waitFor / notify without holding the lock throw ERR_CONDITION_NOT_OWNED (${kind})`, async () => {
    const cond = kind === 'Lock' ? new Condition(new Lock()) : new Condition();
    await assert.rejects(cond.wait(), notOwned);
    await assert.rejects(cond.wait({ timeout: 0 }), notOwned);
    assert.throws(() => cond.waitSync(), notOwned);
    await assert.rejects(
      cond.waitFor(() => false),
      notOwned,
    );
    assert.throws(() => cond.waitForSync(() => false), notOwned);
    assert.throws(() => cond.notify(), notOwned);
    assert.throws(() => cond.notify(0), notOwned);
    assert.throws(() => cond.notifyAll(), notOwned);
    assert.equal(cond.lock.locked(), false);
  });
}

test('notify(3) wakes exactly 3 of 5 waiting threads, which return true only once the notifier releases; notify(5) and notifyAll wake the rest (both forms)', async () => {
  const cond = new Condition();
  const counts = perMode();
  const modes = mixed(5);
  // Each thread waits twice (CPython's _check_notify).
  const threads = startThreads(
    modes.map((mode) => ({
      target: fx.conditionWaiter,
      args: [cond, mode, counts[mode], 2] as const,
    })),
  );
  // READY is counted under the lock just before waiting, and waiting is the
  // only way a thread gives the lock up: holding it with READY == 5 means all
  // five are queued.
  await until(() => total(counts, C.READY) === 5, '5 threads are waiting');
  assert.equal(await cond.acquire({ timeout: HANG }), true);
  assert.equal(total(counts, C.READY), 5);
  cond.notify(3);
  await pause(30);
  assert.equal(total(counts, C.WOKEN), 0, 'woken threads must wait for the lock');
  cond.release();

  // The 3 woken threads return true and wait again (READY 5 + 3).
  await until(
    () => total(counts, C.WOKEN) === 3 && total(counts, C.READY) === 8,
    '3 threads woke and wait again',
  );
  await pause(30);
  assert.equal(await cond.acquire({ timeout: HANG }), true);
  assert.equal(total(counts, C.WOKEN), 3, 'exactly 3 woke');
  assert.equal(total(counts, C.TRUE), 3);
  assert.equal(total(counts, C.READY), 8);

  // notify(5): the 2 still in their 1st wait and the 3 in their 2nd.
  cond.notify(5);
  cond.release();
  await until(
    () => total(counts, C.WOKEN) === 8 && total(counts, C.READY) === 10,
    '5 more woke and 2 wait again',
  );
  assert.equal(await cond.acquire({ timeout: HANG }), true);
  assert.equal(total(counts, C.WOKEN), 8);
  cond.notifyAll();
  cond.release();
  await joinAll(threads);
  const n = { sync: modes.filter((m) => m === 'sync').length, async: 0 };
  n.async = modes.length - n.sync;
  assert.deepEqual(byMode(counts, C.TRUE), [2 * n.sync, 2 * n.async]);
  assert.deepEqual(byMode(counts, C.FALSE), [0, 0]);
});

test('notify() with nobody waiting is a no-op; notify(0) wakes nobody', async () => {
  const cond = new Condition(new Lock());
  await cond.acquire();
  cond.notify();
  cond.notifyAll();
  const waiting = cond.wait({ timeout: HANG });
  await cond.acquire();
  cond.notify(0);
  cond.release();
  assert.equal(await state(waiting), 'pending');
  await cond.acquire();
  cond.notify();
  cond.release();
  assert.equal(await waiting, true);
  cond.release();
});

test('a timed wait, un-notified, returns false after at least the timeout, lock re-acquired (main thread, both forms)', async () => {
  const cond = new Condition();
  cond.acquireSync();
  let start = performance.now();
  assert.equal(cond.waitSync({ timeout: 30 }), false);
  assert.ok(performance.now() - start >= 30);
  assert.equal(cond.lock.locked(), true);
  start = performance.now();
  assert.equal(await cond.wait({ timeout: 30 }), false);
  assert.ok(performance.now() - start >= 30);
  assert.equal((cond.lock as RLock).recursionCount(), 1);
  assert.equal(await cond.wait({ timeout: 0 }), false);
  assert.equal(cond.waitSync({ timeout: 0 }), false);
  cond.release();
  assert.equal(cond.lock.locked(), false);
});

test('threads waiting with a timeout, un-notified, each return false after at least the timeout (both forms)', async () => {
  const cond = new Condition();
  const counts = perMode();
  const threads = startThreads(
    MODES.map((mode) => ({
      target: fx.conditionTimedWaiter,
      args: [cond, mode, counts[mode], 100] as const,
    })),
  );
  await joinAll(threads);
  assert.deepEqual(byMode(counts, C.FALSE), [1, 1]);
  assert.deepEqual(byMode(counts, C.LATE_ENOUGH), [1, 1]);
  assert.deepEqual(byMode(counts, C.WRONG), [0, 0], 'the lock was held on return');
});

test('waitFor returns true once the predicate holds, after 4 notify rounds (both forms)', async () => {
  const cond = new Condition();
  const value = new Value('i', 0);
  const counts = perMode();
  const threads = startThreads(
    MODES.map((mode) => ({
      target: fx.conditionWaitFor,
      args: [cond, mode, value, 4, counts[mode]] as const,
    })),
  );
  for (let round = 1; round <= 4; round++) {
    // Both are asleep in wait() (not just about to re-check): each round wakes them.
    await until(() => blockedOn(cond) === 2, `both waiters sleep before round ${round}`);
    assert.equal(await cond.acquire({ timeout: HANG }), true);
    assert.equal(total(counts, C.WOKEN), 0);
    value.value = round;
    cond.notifyAll();
    cond.release();
  }
  await joinAll(threads);
  assert.deepEqual(byMode(counts, C.TRUE), [1, 1]);
  assert.deepEqual(byMode(counts, C.WRONG), [0, 0]);
});

test('waitFor / waitForSync on the main thread: true at once if the predicate holds, the falsy value on timeout', async () => {
  const cond = new Condition();
  await cond.acquire();
  assert.equal(await cond.waitFor(() => 7), 7);
  assert.equal(
    cond.waitForSync(() => 'yes'),
    'yes',
  );
  const start = performance.now();
  assert.equal(await cond.waitFor(() => 0, { timeout: 20 }), 0);
  assert.equal(
    cond.waitForSync(() => null, { timeout: 20 }),
    null,
  );
  assert.ok(performance.now() - start >= 40);
  assert.equal(
    cond.waitForSync(() => false, { timeout: 0 }),
    false,
  );
  cond.release();
  // The predicate is checked first, as in Python: true needs no lock.
  assert.equal(await cond.waitFor(() => true), true);
});

test('waitFor with a never-true predicate returns false after at least the timeout, despite notifies (both forms)', async () => {
  const cond = new Condition();
  const value = new Value('i', 0);
  const counts = perMode();
  const threads = startThreads(
    MODES.map((mode) => ({
      target: fx.conditionWaitFor,
      args: [cond, mode, value, -1, counts[mode], 200] as const,
    })),
  );
  // Up to 3 notify rounds, each while someone sleeps in wait(); a slow thread
  // start may leave fewer, which weakens but never fails the test.
  const done = (): boolean => total(counts, C.WOKEN) === 2;
  for (let round = 1; round <= 3 && !done(); round++) {
    await until(() => done() || blockedOn(cond) > 0, 'a waiter sleeps or both are done');
    assert.equal(await cond.acquire({ timeout: HANG }), true);
    value.value = round;
    cond.notifyAll();
    cond.release();
  }
  await joinAll(threads);
  assert.deepEqual(byMode(counts, C.FALSE), [1, 1]);
  assert.deepEqual(byMode(counts, C.LATE_ENOUGH), [1, 1]);
});

for (const kind of ['default RLock', 'Lock'] as const) {
  test(`abort of an async wait re-acquires the lock first, then rejects with signal.reason (${kind})`, async () => {
    const cond = kind === 'Lock' ? new Condition(new Lock()) : new Condition();
    const controller = new AbortController();
    const reason = new Error('stop');
    cond.acquireSync();
    const waiting = cond.wait({ signal: controller.signal, timeout: HANG });
    // wait() gave the lock up: another thread takes it and holds it.
    const started = new Event();
    const release = new Event();
    const [holder] = startThreads([
      { target: work.holdThenSignal, args: [cond.lock, started, release] as const },
    ]);
    assert.equal(await started.wait({ timeout: HANG }), true);
    controller.abort(reason);
    await pause(20);
    assert.equal(await state(waiting), 'pending', 'must not settle before re-acquiring');
    release.set();
    await assert.rejects(waiting, (e) => e === reason);
    // The lock is ours again.
    if (cond.lock instanceof RLock) assert.equal(cond.lock.isOwned(), true);
    else assert.equal(cond.lock.locked(), true);
    cond.notify(); // allowed: we hold it
    cond.release();
    assert.equal(cond.lock.locked(), false);
    await joinAll([holder!]);
  });
}

test('an already-aborted signal rejects without releasing the lock', async () => {
  const cond = new Condition(new Lock());
  const reason = new Error('early');
  await cond.acquire();
  await assert.rejects(cond.wait({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
  await assert.rejects(
    cond.waitFor(() => false, { signal: AbortSignal.abort(reason) }),
    (e) => e === reason,
  );
  assert.equal(cond.lock.locked(), true);
  cond.release();
});

test('an aborted waiter leaves the queue: the next notify(1) goes to the other waiter', async () => {
  const cond = new Condition(new Lock());
  const controller = new AbortController();
  const reason = new Error('stop');
  await cond.acquire();
  const first = cond.wait({ signal: controller.signal, timeout: HANG });
  await cond.acquire();
  const second = cond.wait({ timeout: HANG });
  controller.abort(reason);
  await assert.rejects(first, (e) => e === reason);
  cond.release(); // the lock the aborted wait re-acquired
  await cond.acquire();
  cond.notify(1);
  cond.release();
  assert.equal(await second, true);
  cond.release();
});

test('a notification racing an abort is passed on to the next waiter, never lost (Lock, async waiters)', async () => {
  const cond = new Condition(new Lock());
  const controller = new AbortController();
  const reason = new Error('stop');
  await cond.acquire();
  const first = cond.wait({ signal: controller.signal, timeout: HANG });
  await cond.acquire();
  const second = cond.wait({ timeout: HANG });
  await cond.acquire();
  cond.notify(1); // goes to `first`...
  controller.abort(reason); // ...which is aborted before it can see it
  cond.release();
  await assert.rejects(first, (e) => e === reason);
  cond.release();
  assert.equal(await second, true, 'the notification reached the second waiter');
  cond.release();
});

test('a notification racing an abort is passed on to a waiting thread (default RLock)', async () => {
  const cond = new Condition();
  const controller = new AbortController();
  const reason = new Error('stop');
  const counts = new SharedArray('i', C.SIZE);
  cond.acquireSync();
  const first = cond.wait({ signal: controller.signal, timeout: HANG });
  const [other] = startThreads([
    { target: fx.conditionWaiter, args: [cond, 'sync', counts, 1] as const },
  ]);
  await until(() => counts.get(C.READY) === 1, 'the thread waits');
  assert.equal(await cond.acquire({ timeout: HANG }), true);
  cond.notify(1); // the main thread's waiter is first in line
  controller.abort(reason);
  cond.release();
  await assert.rejects(first, (e) => e === reason);
  cond.release();
  await joinAll([other!]);
  assert.equal(counts.get(C.TRUE), 1);
});

test('bad arguments: negative timeout RangeError, bad n, bad predicate; too many waiters', async () => {
  const cond = new Condition(undefined, { maxWaiters: 1 });
  cond.acquireSync();
  assert.throws(() => cond.waitSync({ timeout: -1 }), RangeError);
  await assert.rejects(cond.wait({ timeout: -1 }), RangeError);
  assert.throws(() => cond.waitForSync(() => false, { timeout: -1 }), RangeError);
  await assert.rejects(async () => cond.waitFor(() => false, { timeout: -1 }), RangeError);
  await assert.rejects(async () => cond.waitFor('x' as never), TypeError);
  assert.throws(() => cond.waitForSync('x' as never), TypeError);
  assert.throws(() => cond.notify(-1), RangeError);
  assert.throws(() => cond.notify(1.5), TypeError);
  const waiting = cond.wait({ timeout: HANG });
  // The same thread owns the RLock again (wait gave it up): a 2nd waiter is one too many.
  cond.acquireSync();
  await assert.rejects(
    cond.wait(),
    (e) => e instanceof StateError && e.code === 'ERR_TOO_MANY_WAITERS',
  );
  cond.notify();
  cond.release();
  assert.equal(await waiting, true);
  cond.release();
  assert.equal(cond.lock.locked(), false);
});

// Started when the file loads, so the deadline it may run into (while the bug
// below makes it spin until killed) overlaps the other tests.
const slotsProgram = new Promise<{
  killed: boolean;
  code: unknown;
  stdout: string;
  stderr: string;
}>((resolve) => {
  execFile(
    process.execPath,
    ['--import', './scripts/register-tsx.mjs', 'test/fixtures/programs/condition-slots.ts'],
    { encoding: 'utf8', timeout: 10_000 },
    (error, stdout, stderr) =>
      resolve({ killed: error?.killed ?? false, code: error?.code ?? 0, stdout, stderr }),
  );
});

test('wait() with every waiter slot taken, one by a notified waiter that has not left yet, does not spin forever', async () => {
  // In a child process: the bug is a synchronous infinite loop.
  const r = await slotsProgram;
  assert.equal(r.killed, false, 'the program hung and was killed');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.trim(), /^(ERR_TOO_MANY_WAITERS|false),true$/);
});

for (const [kind, producer, consumer] of [
  ['Lock', 'sync', 'async'],
  ['default RLock', 'async', 'sync'],
] as const) {
  test(`stress: 1,000 hand-offs from a ${producer} producer thread to a ${consumer} consumer thread lose nothing (${kind})`, async () => {
    const cond = kind === 'Lock' ? new Condition(new Lock()) : new Condition();
    const box = new SharedArray('i', BOX.SIZE);
    const n = 1000;
    const threads = startThreads([
      { target: fx.handoffConsumer, args: [cond, consumer, box, n] as const },
      { target: fx.handoffProducer, args: [cond, producer, box, n] as const },
    ]);
    await joinAll(threads);
    assert.equal(box.get(BOX.STUCK), 0, 'a waitFor hit its deadline: a notification was lost');
    assert.equal(box.get(BOX.RECEIVED), n);
    assert.equal(box.get(BOX.SUM), (n * (n + 1)) / 2);
    assert.equal(box.get(BOX.DISORDER), 0);
    assert.equal(box.get(BOX.SLOT), 0);
  });
}
