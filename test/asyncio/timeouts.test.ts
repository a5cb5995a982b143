// gather, sleep, waitFor, timeout scopes and shield.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import {
  gather,
  getEventLoop,
  shield,
  sleep,
  timeout,
  timeoutAt,
  TimeoutError,
  waitFor,
} from '../../src/asyncio/index.js';
import { assertWaited, checkNoLeaksAfterEach, settle } from './helpers.js';

checkNoLeaksAfterEach();

const isTimeout = (e: unknown): boolean => e instanceof TimeoutError && e.code === 'ERR_TIMEOUT';

test('gather returns results in argument order', async () => {
  const slow = sleep(10).then(() => 'slow');
  const fast = Promise.resolve('fast');
  const [a, b, c] = await gather(slow, fast, Promise.resolve(3));
  assert.deepEqual([a, b, c], ['slow', 'fast', 3]);
  assert.deepEqual(await gather(), []);
});

test('gather rejects with the first failure; the other tasks go on running', async () => {
  let finished = false;
  const other = sleep(10).then(() => (finished = true));
  await assert.rejects(gather(other, Promise.reject(new Error('first'))), { message: 'first' });
  assert.equal(finished, false);
  await other;
  assert.equal(finished, true);
});

test('gather with returnExceptions puts each rejection reason in its place', async () => {
  const err = new Error('bad');
  const results = await gather(
    Promise.resolve(1),
    Promise.reject(err),
    sleep(1).then(() => 'x'),
    {
      returnExceptions: true,
    },
  );
  assert.deepEqual(results, [1, err, 'x']);
  assert.equal(results[1], err);
  assert.deepEqual(await gather(Promise.resolve(1), { returnExceptions: false }), [1]);
});

test('gather validates its arguments: bad ones reject', async () => {
  await assert.rejects(gather(1 as never), TypeError);
  await assert.rejects(gather(Promise.resolve(1), 2 as never, Promise.resolve(3)), /argument 1/);
  await assert.rejects(
    gather(Promise.resolve(1), { returnExceptions: 'yes' as never }),
    /returnExceptions/,
  );
});

test('sleep waits at least its delay; sleep(0) yields after what is already ready', async () => {
  let start = performance.now();
  await sleep(20);
  assertWaited(start, 20);
  start = performance.now();
  await sleep(1);
  assertWaited(start, 1);
  const log: string[] = [];
  getEventLoop().callSoon(() => log.push('soon'));
  await sleep(0);
  log.push('after sleep(0)');
  assert.deepEqual(log, ['soon', 'after sleep(0)']);
  await assert.rejects(sleep(-1), RangeError);
});

test('sleep honours a signal: rejects with its reason and drops the timer', async () => {
  const controller = new AbortController();
  const reason = new Error('wake up');
  const p = sleep(60_000, { signal: controller.signal });
  controller.abort(reason);
  await assert.rejects(p, (e) => e === reason);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  await assert.rejects(sleep(1, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
  const ok = new AbortController();
  await sleep(1, { signal: ok.signal });
  assert.equal(getEventListeners(ok.signal, 'abort').length, 0);
});

test("waitFor resolves with the task's value, or rejects with TimeoutError no sooner than its timeout", async () => {
  assert.equal(
    await waitFor(
      sleep(1).then(() => 'v'),
      { timeout: 1000 },
    ),
    'v',
  );
  assert.equal(await waitFor(Promise.resolve(2)), 2);
  const start = performance.now();
  const stop = new AbortController();
  const slow = sleep(60_000, { signal: stop.signal }).catch(() => 'stopped');
  await assert.rejects(waitFor(slow, { timeout: 20 }), isTimeout);
  assertWaited(start, 20);
  stop.abort(); // a promise cannot be stopped by waitFor: its owner stops it
  assert.equal(await slow, 'stopped');
  await assert.rejects(waitFor(Promise.reject(new Error('inner')), { timeout: 1000 }), {
    message: 'inner',
  });
});

test("waitFor aborts a function task's signal with the TimeoutError on timeout", async () => {
  let reason: unknown;
  const start = performance.now();
  await assert.rejects(
    waitFor(
      (signal) =>
        sleep(60_000, { signal }).catch((e: unknown) => {
          reason = e;
          throw e;
        }),
      { timeout: 15 },
    ),
    isTimeout,
  );
  assertWaited(start, 15);
  await settle();
  assert.ok(isTimeout(reason));
});

test('waitFor with a signal: aborting it rejects with its reason and aborts the task', async () => {
  const controller = new AbortController();
  let inner: unknown;
  const p = waitFor(
    (signal) =>
      sleep(60_000, { signal }).catch((e: unknown) => {
        inner = e;
        throw e;
      }),
    { signal: controller.signal, timeout: 60_000 },
  );
  const reason = new Error('stop');
  controller.abort(reason);
  await assert.rejects(p, (e) => e === reason);
  await settle();
  assert.equal(inner, reason);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  await assert.rejects(waitFor(42 as never), /`task`/);
});

test("timeout(ms): the scope's signal aborts with a TimeoutError, no sooner than ms", async () => {
  const start = performance.now();
  using scope = timeout(20);
  assert.equal(scope.expired(), false);
  await assert.rejects(sleep(60_000, { signal: scope.signal }), isTimeout);
  assertWaited(start, 20);
  assert.equal(scope.expired(), true);
  assert.ok(isTimeout(scope.signal.reason));
});

test('a timeout scope disposed in time never fires and leaves no timer', async () => {
  let signal: AbortSignal;
  {
    using scope = timeout(10);
    signal = scope.signal;
  } // disposed synchronously, before the deadline whatever the machine's load
  await sleep(20);
  assert.equal(signal.aborted, false);
});

test('reschedule moves the deadline; undefined means none; timeoutAt takes loop time', async () => {
  const loop = getEventLoop();
  {
    using scope = timeout(undefined);
    assert.equal(scope.when(), undefined);
    const start = performance.now();
    scope.reschedule(loop.time() + 15);
    await assert.rejects(sleep(60_000, { signal: scope.signal }), isTimeout);
    assertWaited(start, 15);
    scope.reschedule(loop.time() + 1000); // no effect once expired
    assert.equal(scope.expired(), true);
  }
  {
    using scope = timeoutAt(loop.time() + 5);
    scope.reschedule(undefined);
    await sleep(15, { signal: scope.signal });
    assert.equal(scope.expired(), false);
  }
  assert.throws(() => timeout(-1), RangeError);
  assert.throws(() => timeoutAt(Number.NaN), /`when`/);
});

test('a timeout scope follows its parent signal and drops its listener when done', () => {
  const parent = new AbortController();
  {
    using scope = timeout(60_000, { signal: parent.signal });
    const reason = new Error('parent');
    parent.abort(reason);
    assert.equal(scope.signal.reason, reason);
    assert.equal(scope.expired(), false);
  }
  const other = new AbortController();
  {
    using _scope = timeout(60_000, { signal: other.signal });
    assert.equal(getEventListeners(other.signal, 'abort').length, 1);
  }
  assert.equal(getEventListeners(other.signal, 'abort').length, 0);
});

test('shield: aborting the wait rejects the caller, the shielded work goes on', async () => {
  let completed = false;
  const work = sleep(10).then(() => {
    completed = true;
    return 'saved';
  });
  const controller = new AbortController();
  const waiting = shield(work, { signal: controller.signal });
  controller.abort(new Error('caller cancelled'));
  await assert.rejects(waiting, { message: 'caller cancelled' });
  assert.equal(completed, false);
  assert.equal(await work, 'saved');
  assert.equal(completed, true);
  assert.equal(await shield(Promise.resolve(1)), 1);
  assert.equal(await shield(Promise.resolve(2), { signal: new AbortController().signal }), 2);
  await assert.rejects(shield(1 as never), /`promise`/);
});
