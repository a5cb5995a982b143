// The EventLoop facade: asyncio's ordering of callSoon / callLater / callAt,
// cancellation, and lifecycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventLoop, getEventLoop, sleep, StateError } from '../../src/asyncio/index.js';
import type { TimerHandle } from '../../src/asyncio/index.js';
import { pending } from '../../src/internal/scheduler.js';
import { assertWaited, checkNoLeaksAfterEach, settle } from './helpers.js';

checkNoLeaksAfterEach();

test("getEventLoop returns the thread's one loop; time() is monotonic ms", () => {
  const loop = getEventLoop();
  assert.equal(getEventLoop(), loop);
  const a = loop.time();
  const b = loop.time();
  assert.ok(b >= a);
  assert.ok(Math.abs(a - performance.now()) < 50);
});

test('callSoon runs callbacks first-in-first-out, with their arguments', async () => {
  const loop = getEventLoop();
  const log: string[] = [];
  for (let i = 0; i < 5; i++)
    loop.callSoon((n: number, s: string) => log.push(`${s}${n}`), i, 'cb');
  assert.deepEqual(log, [], 'callSoon never runs synchronously');
  await settle();
  assert.deepEqual(log, ['cb0', 'cb1', 'cb2', 'cb3', 'cb4']);
});

test('callbacks scheduled by a callback run in the next pass, after those already ready', async () => {
  const loop = getEventLoop();
  const log: string[] = [];
  loop.callSoon(() => {
    log.push('a');
    loop.callSoon(() => log.push('c'));
  });
  loop.callSoon(() => log.push('b'));
  await settle();
  assert.deepEqual(log, ['a', 'b', 'c']);
});

test("the seed's call_later: callSoon first, then timers by time (3, 2, 1)", async () => {
  const loop = getEventLoop();
  const log: number[] = [];
  const callback = (n: number): void => void log.push(n);
  const h1 = loop.callLater(20, callback, 1);
  const h2 = loop.callLater(10, callback, 2);
  loop.callSoon(callback, 3);
  await sleep(40);
  // Timers run by their `when`: 2 before 1, unless this thread stalled for
  // 10 ms between the two calls (a loaded machine can), making 2 due later.
  assert.deepEqual(log, h2.when() < h1.when() ? [3, 2, 1] : [3, 1, 2]);
  // The same from one clock reading, so the order cannot depend on stalls.
  log.length = 0;
  const now = loop.time();
  loop.callAt(now + 20, callback, 1);
  loop.callAt(now + 10, callback, 2);
  loop.callSoon(callback, 3);
  await sleep(40);
  assert.deepEqual(log, [3, 2, 1]);
});

test('callbacks due at the same time run first-in-first-out', async () => {
  const loop = getEventLoop();
  const log: number[] = [];
  const when = loop.time() + 15;
  for (let i = 0; i < 50; i++) loop.callAt(when, (n: number) => log.push(n), i);
  loop.callAt(when - 5, () => log.push(-1));
  await sleep(30);
  assert.deepEqual(log, [-1, ...Array.from({ length: 50 }, (_, i) => i)]);
  // Equal delays scheduled in order come due in order too.
  log.length = 0;
  for (let i = 0; i < 20; i++) loop.callLater(5, (n: number) => log.push(n), i);
  await sleep(15);
  assert.deepEqual(
    log,
    Array.from({ length: 20 }, (_, i) => i),
  );
});

test('a timed callback never runs before its time on the loop clock', async () => {
  const loop = getEventLoop();
  const late: number[] = [];
  const handles: TimerHandle[] = [];
  for (let i = 0; i < 20; i++) {
    handles.push(loop.callLater(i % 7, () => late.push(loop.time() - handles[i]!.when())));
  }
  await sleep(20);
  assert.equal(late.length, 20);
  for (const d of late) assert.ok(d >= 0, `ran ${-d} ms early`);
});

test('callAt in the past runs at the next pass, after callSoon callbacks already ready', async () => {
  const loop = getEventLoop();
  const log: string[] = [];
  loop.callSoon(() => log.push('soon'));
  loop.callAt(loop.time() - 1000, () => log.push('past'));
  await settle();
  assert.deepEqual(log, ['soon', 'past']);
});

test('cancel(): a cancelled callback never runs and leaves nothing scheduled', async () => {
  const loop = getEventLoop();
  const log: string[] = [];
  const soon = loop.callSoon(() => log.push('soon'));
  const later = loop.callLater(5, () => log.push('later'));
  const far = loop.callLater(60_000, () => log.push('far'));
  assert.equal(soon.cancelled(), false);
  soon.cancel();
  later.cancel();
  far.cancel();
  far.cancel();
  assert.equal(soon.cancelled(), true);
  assert.equal(far.cancelled(), true);
  assert.deepEqual(pending(), { timers: 0, ready: 0, handles: 0 });
  await sleep(10);
  assert.equal(log.length, 0);
  const ran = loop.callSoon(() => log.push('ran'));
  await settle();
  ran.cancel();
  assert.deepEqual(log, ['ran']);
});

test('a callback cancelling a later one in the same pass', async () => {
  const loop = getEventLoop();
  const log: string[] = [];
  const handles: { cancel(): void }[] = [];
  loop.callSoon(() => {
    log.push('first');
    handles[0]?.cancel();
  });
  handles.push(loop.callSoon(() => log.push('second')));
  loop.callSoon(() => log.push('third'));
  await settle();
  assert.deepEqual(log, ['first', 'third']);
});

test('callLater waits at least its delay', async () => {
  const loop = getEventLoop();
  const start = performance.now();
  await new Promise<void>((resolve) => loop.callLater(25, resolve));
  assertWaited(start, 25);
});

test('callbacks run in the async context they were scheduled from', async () => {
  const loop = getEventLoop();
  const als = new AsyncLocalStorage<string>();
  const seen: (string | undefined)[] = [];
  als.run('A', () => loop.callSoon(() => seen.push(als.getStore())));
  als.run('B', () => loop.callLater(1, () => seen.push(als.getStore())));
  loop.callSoon(() => seen.push(als.getStore()));
  await sleep(10);
  assert.deepEqual(seen, ['A', undefined, 'B']);
});

test('an exception handler receives errors thrown by callbacks; later callbacks still run', async () => {
  const loop = new EventLoop();
  const errors: unknown[] = [];
  loop.setExceptionHandler((l, context) => {
    assert.equal(l, loop);
    errors.push(context.error);
  });
  const log: number[] = [];
  loop.callSoon(() => {
    throw new Error('boom');
  });
  loop.callSoon(() => log.push(1));
  await settle();
  assert.deepEqual(log, [1]);
  assert.equal((errors[0] as Error).message, 'boom');
  loop.setExceptionHandler(undefined);
  loop.close();
});

test('close() drops pending callbacks, later scheduling throws, getEventLoop makes a new loop', async () => {
  const loop = getEventLoop();
  const log: string[] = [];
  loop.callSoon(() => log.push('soon'));
  loop.callLater(5, () => log.push('later'));
  loop.close();
  loop.close();
  assert.equal(loop.isClosed(), true);
  assert.throws(
    () => loop.callSoon(() => {}),
    (e) => e instanceof StateError && e.code === 'ERR_LOOP_CLOSED',
  );
  await assert.rejects(loop.runUntilComplete(Promise.resolve(1)), { code: 'ERR_LOOP_CLOSED' });
  await sleep(10);
  assert.deepEqual(log, []);
  const next = getEventLoop();
  assert.notEqual(next, loop);
  assert.equal(next.isClosed(), false);
});

test("runUntilComplete resolves to the future's value and rejects with its error", async () => {
  const loop = getEventLoop();
  assert.equal(await loop.runUntilComplete(sleep(1).then(() => 7)), 7);
  assert.equal(await loop.runUntilComplete(() => Promise.resolve(8)), 8);
  await assert.rejects(loop.runUntilComplete(Promise.reject(new Error('x'))), { message: 'x' });
});

test('arguments are validated, naming them', () => {
  const loop = getEventLoop();
  assert.throws(() => loop.callLater(-1, () => {}), RangeError);
  assert.throws(() => loop.callLater(Number.NaN, () => {}), /`delay`/);
  assert.throws(() => loop.callAt(Number.NaN, () => {}), /`when`/);
  assert.throws(() => loop.callSoon(42 as never), /`fn`/);
  assert.throws(() => loop.setExceptionHandler(1 as never), /`handler`/);
  assert.deepEqual(pending(), { timers: 0, ready: 0, handles: 0 });
});

test('handles describe themselves', () => {
  const loop = getEventLoop();
  const h = loop.callLater(1, function tick() {});
  assert.match(String(h), /^<TimerHandle tick\(\)>$/);
  h.cancel();
  assert.match(String(h), /cancelled/);
  assert.ok(h.when() > 0);
});
