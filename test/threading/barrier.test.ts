// Barrier conformance (CPython lock_tests.BarrierTests) and stress, in both
// forms: `wait` (async) and `waitSync` (blocking), across worker threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Barrier, BrokenBarrierError, StateError, tasks } from '../../src/threading/index.js';
import { SharedArray, Value } from '../../src/shared/index.js';
import { C, HANG, registerActionCounter } from '../fixtures/sync.js';
import type { Mode } from '../fixtures/sync.js';
import { joinAll, startThreads, until } from '../fixtures/sync-helpers.js';

const fx = tasks<typeof import('../fixtures/sync.js')>(
  new URL('../fixtures/sync.ts', import.meta.url),
);
const work = tasks<typeof import('../fixtures/work.js')>(
  new URL('../fixtures/work.ts', import.meta.url),
);
const MODES: readonly Mode[] = ['sync', 'async'];
/** Parties of the conformance tests: N - 1 threads (one per form) and the main thread. */
const N = 3;

type Counts = Record<Mode, SharedArray<'i'>>;

function perMode(): Counts {
  return { sync: new SharedArray('i', C.SIZE), async: new SharedArray('i', C.SIZE) };
}

function total(counts: Counts, slot: number): number {
  return counts.sync.get(slot) + counts.async.get(slot);
}

/** Alternating modes, so one run covers both forms side by side. */
function mixed(n: number): Mode[] {
  return Array.from({ length: n }, (_, i) => MODES[i % 2]!);
}

/** How many of `modes` are `mode`. */
function count(modes: readonly Mode[], mode: Mode): number {
  return modes.filter((m) => m === mode).length;
}

function byMode(counts: Counts, slot: number): [number, number] {
  return [counts.sync.get(slot), counts.async.get(slot)];
}

const broken = (e: unknown): boolean =>
  e instanceof BrokenBarrierError && e.code === 'ERR_BROKEN_BARRIER';

const actionError = (e: unknown): boolean =>
  e instanceof RangeError && (e as { code?: unknown }).code === 'ERR_ACTION';

/** A self-contained action: it reaches its counter through globalThis (see registerActionCounter). */
function inlineCountAction(): void {
  (globalThis as unknown as Record<string, Value<'i'>>)['weftTestBarrierActions']!.add(1);
}

/** A self-contained action that fails. */
function inlineFailingAction(): never {
  throw Object.assign(new RangeError('the action failed'), { code: 'ERR_ACTION' });
}

/** Asserts every index 0..parties-1 was returned exactly once in each of `rounds` rounds. */
function assertEachIndexOnce(log: SharedArray<'i'>, rounds: number, parties: number): void {
  for (let r = 0; r < rounds; r++) {
    const row = log.toArray().slice(r * parties, (r + 1) * parties);
    assert.deepEqual(row, Array<number>(parties).fill(1), `indexes returned in round ${r}`);
  }
}

test('constructor: parties 0 or -1 is a RangeError; properties of a fresh barrier', () => {
  assert.throws(() => new Barrier(0), RangeError);
  assert.throws(() => new Barrier(-1), RangeError);
  assert.throws(() => new Barrier(1.5), TypeError);
  assert.throws(() => new Barrier('3' as never), TypeError);
  assert.throws(() => new Barrier(2, { timeout: -1 }), RangeError);
  assert.throws(() => new Barrier(2, { action: 42 as never }), TypeError);
  const outer = 1;
  assert.throws(
    () => new Barrier(2, { action: () => outer }),
    (e: unknown) =>
      e instanceof TypeError && (e as { code?: unknown }).code === 'ERR_INLINE_CAPTURE',
  );
  const barrier = new Barrier(5);
  assert.equal(barrier.parties, 5);
  assert.equal(barrier.nWaiting, 0);
  assert.equal(barrier.broken, false);
  assert.equal(String(barrier), '<Barrier waiters=0/5>');
  barrier.abort();
  assert.equal(barrier.broken, true);
  assert.equal(String(barrier), '<Barrier broken>');
});

for (const [parties, cycles, kind] of [
  [3, 1, 'task reference'],
  [4, 10, 'inline'],
] as const) {
  test(`${parties} threads pass together for ${cycles} cycle(s): each index 0..${parties - 1} once per round, the ${kind} action once per round before anyone returns (both forms)`, async () => {
    const N = parties;
    const barrier = new Barrier(N, {
      action: kind === 'inline' ? inlineCountAction : fx.countAction,
    });
    const actions = new Value('i', 0);
    const log = new SharedArray('i', cycles * N);
    const counts = perMode();
    const modes = mixed(N);
    const threads = startThreads(
      modes.map((mode) => ({
        target: fx.barrierWaiter,
        args: [barrier, mode, cycles, log, counts[mode], actions] as const,
      })),
    );
    await joinAll(threads);
    assert.deepEqual(byMode(counts, C.WRONG), [0, 0], 'a thread returned before the action ran');
    assert.deepEqual(byMode(counts, C.PASSED), [
      cycles * count(modes, 'sync'),
      cycles * count(modes, 'async'),
    ]);
    assertEachIndexOnce(log, cycles, N);
    assert.equal(actions.value, cycles);
    assert.equal(barrier.parties, N);
    assert.equal(barrier.nWaiting, 0);
    assert.equal(barrier.broken, false);
  });
}

test('Barrier(1) never blocks, repeatedly, and runs its action each time (both forms)', async () => {
  const actions = new Value('i', 0);
  registerActionCounter(actions);
  const barrier = new Barrier(1, { action: inlineCountAction });
  for (let i = 0; i < 3; i++) {
    assert.equal(barrier.waitSync(), 0);
    assert.equal(await barrier.wait(), 0);
  }
  assert.equal(actions.value, 6);
  assert.equal(new Barrier(1).waitSync({ timeout: 0 }), 0);
});

test('waitSync before a task-reference action has loaded is ERR_BARRIER_NOT_READY; fine after ready()', async () => {
  const actions = new Value('i', 0);
  registerActionCounter(actions);
  const barrier = new Barrier(1, { action: fx.countAction });
  assert.throws(
    () => barrier.waitSync(),
    (e: unknown) => e instanceof StateError && e.code === 'ERR_BARRIER_NOT_READY',
  );
  await barrier.ready();
  assert.equal(barrier.waitSync(), 0);
  assert.equal(actions.value, 1);
});

test('reset() while N-1 threads wait: they get BrokenBarrierError, and the barrier is usable at once (both forms)', async () => {
  const barrier = new Barrier(N);
  const counts = perMode();
  const modes = mixed(N - 1);
  const threads = startThreads(
    modes.map((mode) => ({
      target: fx.barrierBreakThenPass,
      args: [barrier, mode, counts[mode]] as const,
    })),
  );
  await until(() => barrier.nWaiting === N - 1, `${N - 1} threads wait`);
  barrier.reset();
  // The main thread is the N-th party of the next round.
  const index = await barrier.wait({ timeout: HANG });
  assert.ok(index >= 0 && index < N);
  await joinAll(threads);
  assert.deepEqual(byMode(counts, C.BROKEN), [count(modes, 'sync'), count(modes, 'async')]);
  assert.deepEqual(byMode(counts, C.PASSED), [count(modes, 'sync'), count(modes, 'async')]);
  assert.equal(total(counts, C.WRONG), 0);
  assert.equal(barrier.broken, false);
  assert.equal(barrier.nWaiting, 0);
});

test('abort(): every thread waiting gets BrokenBarrierError, so does every later wait; after reset() (fenced by a second barrier) the barrier is usable again (both forms)', async () => {
  const barrier = new Barrier(N);
  const fence = new Barrier(N);
  const counts = perMode();
  const modes = mixed(N - 1);
  const threads = startThreads(
    modes.map((mode) => ({
      target: fx.barrierBreakThenPass,
      args: [barrier, mode, counts[mode], fence] as const,
    })),
  );
  await until(() => barrier.nWaiting === N - 1, `${N - 1} threads wait`);
  barrier.abort();
  assert.equal(barrier.broken, true);
  await assert.rejects(barrier.wait(), broken);
  assert.throws(() => barrier.waitSync(), broken);
  await fence.wait({ timeout: HANG });
  // Every thread got BrokenBarrierError before reaching the fence.
  assert.deepEqual(byMode(counts, C.BROKEN), [count(modes, 'sync'), count(modes, 'async')]);
  assert.equal(barrier.broken, true);
  barrier.reset();
  assert.equal(barrier.broken, false);
  fence.waitSync({ timeout: HANG });
  const index = barrier.waitSync({ timeout: HANG });
  assert.ok(index >= 0 && index < N);
  await joinAll(threads);
  assert.deepEqual(byMode(counts, C.BROKEN), [count(modes, 'sync'), count(modes, 'async')]);
  assert.deepEqual(byMode(counts, C.PASSED), [count(modes, 'sync'), count(modes, 'async')]);
  assert.equal(total(counts, C.WRONG), 0);
});

test('a wait timeout breaks the barrier for every thread, the late one too (both forms)', async () => {
  const barrier = new Barrier(N);
  const counts = perMode();
  const modes = mixed(N - 1);
  const timeout = 100;
  const threads = startThreads(
    modes.map((mode) => ({
      target: fx.barrierWaiter,
      args: [barrier, mode, 1, new SharedArray('i', N), counts[mode], undefined, timeout] as const,
    })),
  );
  await joinAll(threads);
  assert.deepEqual(byMode(counts, C.BROKEN), [count(modes, 'sync'), count(modes, 'async')]);
  // The thread whose timeout broke it waited at least that long.
  assert.ok(total(counts, C.LATE_ENOUGH) >= 1);
  assert.ok(Math.max(counts.sync.get(C.MAX_ELAPSED), counts.async.get(C.MAX_ELAPSED)) >= 99);
  assert.equal(barrier.broken, true);
  // The late party.
  await assert.rejects(barrier.wait({ timeout: HANG }), broken);
  assert.throws(() => barrier.waitSync({ timeout: HANG }), broken);
});

test('the default timeout breaks a lone waiter after at least that long; a wait timeout overrides it (both forms)', async () => {
  let start = performance.now();
  await assert.rejects(new Barrier(2, { timeout: 50 }).wait(), broken);
  assert.ok(performance.now() - start >= 50);
  start = performance.now();
  assert.throws(() => new Barrier(2, { timeout: 50 }).waitSync(), broken);
  assert.ok(performance.now() - start >= 50);

  const barrier = new Barrier(2, { timeout: HANG });
  start = performance.now();
  await assert.rejects(barrier.wait({ timeout: 20 }), broken);
  assert.ok(performance.now() - start >= 20);
  assert.equal(barrier.broken, true);
  barrier.reset();
  start = performance.now();
  assert.throws(() => barrier.waitSync({ timeout: 20 }), broken);
  assert.ok(performance.now() - start >= 20);
});

test('a negative wait timeout is a RangeError (Python breaks the barrier instead) and leaves it intact', async () => {
  const barrier = new Barrier(2);
  await assert.rejects(barrier.wait({ timeout: -1 }), RangeError);
  assert.throws(() => barrier.waitSync({ timeout: -1 }), RangeError);
  assert.equal(barrier.broken, false);
  assert.equal(barrier.nWaiting, 0);
});

test('an action that throws breaks the barrier: the error comes out of the thread that ran it, the others get BrokenBarrierError', async () => {
  // 1. The main thread arrives last, so it runs the action (async form).
  const barrier = new Barrier(N, { action: inlineFailingAction });
  const counts = perMode();
  const modes = mixed(N - 1);
  const log = new SharedArray('i', N);
  let threads = startThreads(
    modes.map((mode) => ({
      target: fx.barrierWaiter,
      args: [barrier, mode, 1, log, counts[mode]] as const,
    })),
  );
  await until(() => barrier.nWaiting === N - 1, `${N - 1} threads wait`);
  await assert.rejects(barrier.wait({ timeout: HANG }), actionError);
  await joinAll(threads);
  assert.deepEqual(byMode(counts, C.BROKEN), [count(modes, 'sync'), count(modes, 'async')]);
  assert.equal(barrier.broken, true);

  // 2. The same with the sync form in the main thread.
  const pair = new Barrier(2, { action: inlineFailingAction });
  const pairCounts = perMode();
  threads = startThreads([
    { target: fx.barrierWaiter, args: [pair, 'async', 1, log, pairCounts.async] as const },
  ]);
  await until(() => pair.nWaiting === 1, 'the thread waits');
  assert.throws(() => pair.waitSync({ timeout: HANG }), actionError);
  await joinAll(threads);
  assert.equal(pairCounts.async.get(C.BROKEN), 1);

  // 3. After reset(), a thread arrives last and gets the error itself.
  barrier.reset();
  const again = perMode();
  const mine = barrier.wait({ timeout: HANG });
  await until(() => barrier.nWaiting === 1, 'the main thread waits');
  threads = startThreads(
    modes.map((mode) => ({
      target: fx.barrierWaiter,
      args: [barrier, mode, 1, log, again[mode]] as const,
    })),
  );
  await assert.rejects(mine, broken);
  await joinAll(threads);
  assert.equal(total(again, C.ACTION_ERROR), 1);
  assert.equal(total(again, C.BROKEN), N - 2);
  assert.equal(total(again, C.WRONG), 0);
});

test('abort of an async wait rejects with signal.reason and breaks the barrier, so no other waiter hangs', async () => {
  const barrier = new Barrier(3);
  const counts = perMode();
  const [thread] = startThreads([
    {
      target: fx.barrierWaiter,
      args: [barrier, 'sync', 1, new SharedArray('i', 3), counts.sync] as const,
    },
  ]);
  await until(() => barrier.nWaiting === 1, 'the thread waits');
  const controller = new AbortController();
  const reason = new Error('stop');
  const mine = barrier.wait({ signal: controller.signal, timeout: HANG });
  await until(() => barrier.nWaiting === 2, 'the main thread waits');
  controller.abort(reason);
  await assert.rejects(mine, (e) => e === reason);
  await joinAll([thread!]);
  assert.equal(counts.sync.get(C.BROKEN), 1);
  assert.equal(barrier.broken, true);
});

test('an already-aborted signal rejects with its reason and leaves the barrier intact', async () => {
  const barrier = new Barrier(2);
  const reason = new Error('early');
  await assert.rejects(barrier.wait({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
  assert.equal(barrier.broken, false);
  assert.equal(barrier.nWaiting, 0);
});

test('stress: 200 generations, 4 threads (2 sync, 2 async): every index exactly once per round, the action exactly once per round', async () => {
  const rounds = 200;
  const parties = 4;
  const barrier = new Barrier(parties, { action: inlineCountAction, timeout: HANG });
  const actions = new Value('i', 0);
  const log = new SharedArray('i', rounds * parties);
  const counts = perMode();
  const threads = startThreads(
    mixed(parties).map((mode) => ({
      target: fx.barrierWaiter,
      args: [barrier, mode, rounds, log, counts[mode], actions] as const,
    })),
  );
  await joinAll(threads);
  assert.deepEqual(byMode(counts, C.PASSED), [rounds * 2, rounds * 2]);
  assert.equal(total(counts, C.WRONG), 0);
  assert.equal(total(counts, C.BROKEN), 0);
  assertEachIndexOnce(log, rounds, parties);
  assert.equal(actions.value, rounds);
});

test('stress: 200 generations, 4 threads in waitSync (work.barrierRounds): no duplicate index in any round', async () => {
  const rounds = 200;
  const parties = 4;
  const barrier = new Barrier(parties);
  const log = new SharedArray('i', rounds * parties);
  const threads = startThreads(
    Array.from({ length: parties }, () => ({
      target: work.barrierRounds,
      args: [barrier, rounds, log, parties] as const,
    })),
  );
  await joinAll(threads);
  assertEachIndexOnce(log, rounds, parties);
  assert.equal(barrier.broken, false);
});
