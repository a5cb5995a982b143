// The in-thread Barrier, after CPython's lock_tests.BarrierTests (N tasks of
// one thread stand in for N threads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Barrier, BrokenBarrierError, sleep } from '../../src/asyncio/index.js';
import { assertWaited, checkNoLeaksAfterEach, settle } from './helpers.js';

checkNoLeaksAfterEach();

const N = 5;
const broken = (e: unknown): boolean =>
  e instanceof BrokenBarrierError && e.code === 'ERR_BROKEN_BARRIER';

/** Runs `fn(i)` in N concurrent tasks; settles like Python's Bunch (all errors kept). */
function bunch<T>(fn: (i: number) => Promise<T>, n = N): Promise<PromiseSettledResult<T>[]> {
  return Promise.allSettled(Array.from({ length: n }, (_, i) => fn(i)));
}

test('constructor: parties >= 1; parties, nWaiting, broken', () => {
  assert.throws(() => new Barrier(0), RangeError);
  assert.throws(() => new Barrier(-1), RangeError);
  const b = new Barrier(N);
  assert.equal(b.parties, N);
  assert.equal(b.nWaiting, 0);
  assert.equal(b.broken, false);
  assert.equal(String(b), '<Barrier [waiters=0/5]>');
});

test('test_barrier / test_barrier_10: N tasks pass in lock-step, round after round', async () => {
  const b = new Barrier(N);
  const log: number[][] = Array.from({ length: 10 }, () => []);
  const results = await bunch(async (i) => {
    for (let round = 0; round < 10; round++) {
      log[round]!.push(i);
      await b.wait();
      assert.equal(log[round]!.length, N, 'a task passed before everyone arrived');
    }
  });
  assert.ok(results.every((r) => r.status === 'fulfilled'));
  assert.equal(b.nWaiting, 0);
  assert.equal(b.broken, false);
});

test('test_wait_return: each index 0..N-1 exactly once per round', async () => {
  const b = new Barrier(N);
  for (let round = 0; round < 3; round++) {
    const results = await bunch(() => b.wait());
    const indices = results.map((r) => (r.status === 'fulfilled' ? r.value : -1)).sort();
    assert.deepEqual(indices, [0, 1, 2, 3, 4]);
  }
});

test('test_action: runs once per round, before any task returns from wait', async () => {
  let runs = 0;
  const b = new Barrier(N, {
    action: async () => {
      await sleep(1);
      runs++;
    },
  });
  const results = await bunch(async () => {
    await b.wait();
    return runs;
  });
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : -1)),
    [1, 1, 1, 1, 1],
  );
});

test('a failing action breaks the barrier: its task gets the error, the others BrokenBarrierError', async () => {
  const b = new Barrier(3, {
    action: () => {
      throw new Error('action failed');
    },
  });
  const results = await bunch(() => b.wait(), 3);
  const reasons = results.map((r): unknown => (r.status === 'rejected' ? r.reason : undefined));
  assert.equal(reasons.filter(broken).length, 2);
  assert.equal(
    reasons.filter((e) => (e as Error | undefined)?.message === 'action failed').length,
    1,
  );
  assert.equal(b.broken, true);
  await assert.rejects(b.wait(), broken);
});

test('test_abort: one task aborts, the N-1 waiting get BrokenBarrierError', async () => {
  const b = new Barrier(N);
  const results = await bunch(async (i) => {
    if (i === N - 1) {
      await settle();
      b.abort();
      return;
    }
    await b.wait();
  });
  assert.equal(results.filter((r) => r.status === 'rejected' && broken(r.reason)).length, N - 1);
  assert.equal(b.broken, true);
});

test('test_reset: waiting tasks get BrokenBarrierError, and the barrier is reusable at once', async () => {
  const b = new Barrier(N);
  const waiting = bunch(() => b.wait(), N - 1);
  await settle();
  assert.equal(b.nWaiting, N - 1);
  b.reset();
  const results = await waiting;
  assert.ok(results.every((r) => r.status === 'rejected' && broken(r.reason)));
  assert.equal(b.broken, false);
  const again = await bunch(() => b.wait());
  assert.ok(again.every((r) => r.status === 'fulfilled'));
});

test('test_abort_and_reset: after abort, reset makes it usable again', async () => {
  const b = new Barrier(N);
  b.abort();
  assert.equal(String(b), '<Barrier [broken]>');
  await assert.rejects(b.wait(), broken);
  b.reset();
  const results = await bunch(() => b.wait());
  assert.ok(results.every((r) => r.status === 'fulfilled'));
});

test('test_timeout: a timed-out wait breaks the barrier for every task, no sooner than its timeout', async () => {
  const b = new Barrier(N);
  const start = performance.now();
  const results = await bunch(async (i) => {
    if (i === N - 1) {
      await sleep(60);
      return b.wait();
    }
    return b.wait({ timeout: i === 0 ? 20 : 10_000 });
  });
  assertWaited(start, 20);
  assert.ok(results.every((r) => r.status === 'rejected' && broken(r.reason)));
});

test('test_default_timeout: Barrier(2, { timeout }) alone breaks no sooner than the timeout', async () => {
  const b = new Barrier(2, { timeout: 15 });
  const start = performance.now();
  await assert.rejects(b.wait(), broken);
  assertWaited(start, 15);
  assert.equal(b.broken, true);
});

test('test_single_thread: Barrier(1) never waits', async () => {
  const b = new Barrier(1);
  for (let i = 0; i < 3; i++) assert.equal(await b.wait(), 0);
});

test('an aborted wait rejects with its reason and breaks the barrier for the others', async () => {
  const b = new Barrier(3);
  const controller = new AbortController();
  const reason = new Error('stop');
  const other = b.wait();
  const aborted = b.wait({ signal: controller.signal });
  controller.abort(reason);
  await assert.rejects(aborted, (e) => e === reason);
  await assert.rejects(other, broken);
  assert.equal(b.broken, true);
});

test('reset while the action runs: the round is broken for all its tasks', async () => {
  const b: Barrier = new Barrier(2, {
    action: async () => {
      b.reset();
      await sleep(1);
    },
  });
  const results = await bunch(() => b.wait(), 2);
  assert.ok(results.every((r) => r.status === 'rejected' && broken(r.reason)));
  assert.equal(b.broken, false);
});
