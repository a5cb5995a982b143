// Event conformance (CPython lock_tests.EventTests) and stress, in both forms:
// `wait` (async) and `waitSync` (blocking), across worker threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Barrier, Event, tasks } from '../../src/threading/index.js';
import { SharedArray } from '../../src/shared/index.js';
import { C, HANG } from '../fixtures/sync.js';
import type { Mode } from '../fixtures/sync.js';
import { blockedOn, joinAll, pause, startThreads, until } from '../fixtures/sync-helpers.js';

const fx = tasks<typeof import('../fixtures/sync.js')>(
  new URL('../fixtures/sync.ts', import.meta.url),
);
const MODES: readonly Mode[] = ['sync', 'async'];
const N = 5;

const counters = (): SharedArray<'i'> => new SharedArray('i', C.SIZE);

/** Resolves to 'pending' if `p` has not settled once queued timers and I/O have had a turn. */
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

test('isSet() reflects set() and clear(), both idempotent', () => {
  const ev = new Event();
  assert.equal(ev.isSet(), false);
  ev.set();
  assert.equal(ev.isSet(), true);
  ev.set();
  assert.equal(ev.isSet(), true);
  ev.clear();
  assert.equal(ev.isSet(), false);
  ev.clear();
  assert.equal(ev.isSet(), false);
  assert.equal(String(ev), '<Event: unset>');
  ev.set();
  assert.equal(String(ev), '<Event: set>');
});

test('timeout 0: false at once while unset, true once set (both forms)', async () => {
  const ev = new Event();
  assert.equal(ev.waitSync({ timeout: 0 }), false);
  // Settles before a setImmediate callback: it never waited.
  const p = ev.wait({ timeout: 0 });
  assert.equal(await state(p), 'settled');
  assert.equal(await p, false);
  ev.set();
  assert.equal(ev.waitSync({ timeout: 0 }), true);
  assert.equal(await ev.wait({ timeout: 0 }), true);
  assert.equal(ev.waitSync(), true);
  assert.equal(await ev.wait(), true);
});

test('a timed wait returns false no sooner than its timeout (both forms)', async () => {
  const ev = new Event();
  let start = performance.now();
  assert.equal(ev.waitSync({ timeout: 50 }), false);
  assert.ok(performance.now() - start >= 50);
  start = performance.now();
  assert.equal(await ev.wait({ timeout: 50 }), false);
  assert.ok(performance.now() - start >= 50);
  ev.set();
  assert.equal(ev.waitSync({ timeout: 50 }), true);
  assert.equal(await ev.wait({ timeout: 50 }), true);
});

/** Alternating modes, so one run covers both forms side by side. */
function mixed(n: number): Mode[] {
  return Array.from({ length: n }, (_, i) => MODES[i % 2]!);
}

/** One counters array per form, so a failure says which form failed. */
function perMode(): Record<Mode, SharedArray<'i'>> {
  return { sync: counters(), async: counters() };
}

function ready(counts: Record<Mode, SharedArray<'i'>>): number {
  return counts.sync.get(C.READY) + counts.async.get(C.READY);
}

function woken(counts: Record<Mode, SharedArray<'i'>>): number {
  return counts.sync.get(C.WOKEN) + counts.async.get(C.WOKEN);
}

function count(modes: readonly Mode[], mode: Mode): number {
  return modes.filter((m) => m === mode).length;
}

function assertCount(
  counts: Record<Mode, SharedArray<'i'>>,
  slot: number,
  expected: number[],
): void {
  assert.deepEqual(
    MODES.map((m) => counts[m].get(slot)),
    expected,
    `counts[${slot}] by form (${MODES.join(', ')})`,
  );
}

test('5 threads blocked in wait() are all woken by set() and return true; twice, the 2nd time after set+clear (both forms)', async () => {
  const ev = new Event();
  const fence = new Barrier(N + 1);
  const counts = perMode();
  const modes = mixed(N);
  const threads = startThreads(
    modes.map((mode) => ({
      target: fx.eventWaiter,
      args: [ev, mode, counts[mode], undefined, fence] as const,
    })),
  );
  for (let pass = 1; pass <= 2; pass++) {
    await until(() => ready(counts) === pass * N, `${N} threads are ready`);
    await until(() => blockedOn(ev) === N, `${N} threads are blocked in wait()`);
    await pause(20);
    assert.equal(woken(counts), (pass - 1) * N, 'nobody returns while the event is unset');
    ev.set();
    await until(() => woken(counts) === pass * N, 'every waiter returned');
    // Once set, a wait returns true at once.
    assert.equal(ev.waitSync({ timeout: 0 }), true);
    assert.equal(await ev.wait({ timeout: 0 }), true);
    ev.clear();
    if (pass === 1) await fence.wait({ timeout: HANG });
  }
  await joinAll(threads);
  assertCount(counts, C.TRUE, [2 * count(modes, 'sync'), 2 * count(modes, 'async')]);
  assertCount(counts, C.FALSE, [0, 0]);
});

test('threads woken by set() return true even when clear() follows at once (gh-57711; both forms)', async () => {
  const ev = new Event();
  const counts = perMode();
  const modes = mixed(4);
  const threads = startThreads(
    modes.map((mode) => ({ target: fx.eventWaiter, args: [ev, mode, counts[mode]] as const })),
  );
  await until(() => ready(counts) === modes.length, 'every thread is ready');
  await until(() => blockedOn(ev) === modes.length, 'every thread is blocked in wait()');
  ev.set();
  ev.clear();
  await joinAll(threads);
  assertCount(counts, C.TRUE, [2, 2]);
  assertCount(counts, C.FALSE, [0, 0]);
  assert.equal(ev.isSet(), false);
});

test('threads waiting with a timeout on an unset event return false, each after at least the timeout (both forms)', async () => {
  const ev = new Event();
  const counts = perMode();
  const threads = startThreads(
    mixed(2).map((mode) => ({
      target: fx.eventWaiter,
      args: [ev, mode, counts[mode], 100] as const,
    })),
  );
  await joinAll(threads);
  assertCount(counts, C.FALSE, [1, 1]);
  assertCount(counts, C.LATE_ENOUGH, [1, 1]);
});

for (const mode of MODES) {
  test(`stress: 1,000 ping-pong round trips between two threads (${mode} form)`, async () => {
    const ping = new Event();
    const pong = new Event();
    const counts = counters();
    const rounds = 1000;
    const threads = startThreads([
      { target: fx.pingPong, args: ['pong', mode, ping, pong, rounds, counts] as const },
      { target: fx.pingPong, args: ['ping', mode, ping, pong, rounds, counts] as const },
    ]);
    await joinAll(threads);
    assert.equal(counts.get(C.WRONG), 0, 'a wait hit its deadline');
    assert.equal(counts.get(C.ROUNDS), rounds);
  });
}

test('async waiters on the main thread are woken by set() from another thread', async () => {
  const ev = new Event();
  const waits = Array.from({ length: N }, () => ev.wait({ timeout: HANG }));
  assert.equal(await state(Promise.race(waits)), 'pending');
  const [setter] = startThreads([{ target: (e: Event) => e.set(), args: [ev] as const }]);
  assert.deepEqual(await Promise.all(waits), Array<boolean>(N).fill(true));
  await joinAll([setter!]);
});

test('async waiters registered before set()+clear() all resolve true (gh-57711)', async () => {
  const ev = new Event();
  const waits = Array.from({ length: N }, () => ev.wait({ timeout: HANG }));
  ev.set();
  ev.clear();
  assert.deepEqual(await Promise.all(waits), Array<boolean>(N).fill(true));
});

test('negative timeout is a RangeError, bad timeouts a TypeError (weft differs from Python here)', async () => {
  const ev = new Event();
  assert.throws(() => ev.waitSync({ timeout: -1 }), RangeError);
  await assert.rejects(async () => ev.wait({ timeout: -1 }), RangeError);
  assert.throws(() => ev.waitSync({ timeout: NaN }), TypeError);
  await assert.rejects(async () => ev.wait({ timeout: '10' as never }), TypeError);
  await assert.rejects(async () => ev.wait({ signal: {} as never }), TypeError);
});

test('negative timeout is a RangeError even when the event is already set', async () => {
  const ev = new Event();
  ev.set();
  assert.throws(() => ev.waitSync({ timeout: -1 }), RangeError);
  await assert.rejects(async () => ev.wait({ timeout: -1 }), RangeError);
});

test('abort: the aborted wait rejects with signal.reason; other waiters keep waiting', async () => {
  const ev = new Event();
  const controller = new AbortController();
  const aborted = ev.wait({ signal: controller.signal, timeout: HANG });
  const other = ev.wait({ timeout: HANG });
  const reason = new Error('stop');
  controller.abort(reason);
  await assert.rejects(aborted, (e) => e === reason);
  // The abort wakes every waiter on the word; the other one must go back to sleep.
  await pause(20);
  assert.equal(await state(other), 'pending');
  ev.set();
  assert.equal(await other, true);
  // An already-aborted signal rejects at once when the event is unset.
  ev.clear();
  await assert.rejects(ev.wait({ signal: controller.signal }), (e) => e === reason);
});
