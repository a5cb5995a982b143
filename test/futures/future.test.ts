// Future on its own (CPython test_future.py), with futures settled by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  Future,
  InvalidStateError,
  TimeoutError,
} from '../../src/futures/index.js';

function states(): Record<string, Future<number>> {
  const pending = new Future<number>();
  const running = new Future<number>();
  running.setRunningOrNotifyCancel();
  const cancelled = new Future<number>();
  cancelled.cancel();
  const ok = new Future<number>();
  ok.setResult(42);
  const raised = new Future<number>();
  raised.setException(new RangeError('bad'));
  return { pending, running, cancelled, ok, raised };
}

test('state truth table: cancelled(), running(), done()', () => {
  const s = states();
  const table = Object.fromEntries(
    Object.entries(s).map(([k, f]) => [k, [f.cancelled(), f.running(), f.done()]]),
  );
  assert.deepEqual(table, {
    pending: [false, false, false],
    running: [false, true, false],
    cancelled: [true, false, true],
    ok: [false, false, true],
    raised: [false, false, true],
  });
});

test('cancel: true while pending (and again once cancelled), false when running or finished', () => {
  const s = states();
  assert.equal(s.pending!.cancel(), true);
  assert.equal(s.pending!.cancelled(), true);
  assert.equal(s.pending!.cancel(), true);
  assert.equal(s.running!.cancel(), false);
  assert.equal(s.cancelled!.cancel(), true);
  assert.equal(s.ok!.cancel(), false);
  assert.equal(s.raised!.cancel(), false);
});

test('toString shows the state like Python', () => {
  const s = states();
  assert.equal(String(s.pending), '<Future state=pending>');
  assert.equal(String(s.running), '<Future state=running>');
  assert.equal(String(s.cancelled), '<Future state=cancelled>');
  assert.equal(String(s.ok), '<Future state=finished returned number>');
  assert.equal(String(s.raised), '<Future state=finished raised RangeError>');
});

test('done callbacks: added before run on completion, added after run at once, each once', () => {
  for (const settle of [
    (f: Future<number>) => f.setResult(1),
    (f: Future<number>) => f.setException(new Error('x')),
    (f: Future<number>) => f.cancel(),
  ]) {
    const f = new Future<number>();
    const calls: string[] = [];
    f.addDoneCallback((g) => calls.push(`before:${g === f}`));
    assert.equal(calls.length, 0);
    settle(f);
    f.addDoneCallback(() => calls.push('after'));
    assert.deepEqual(calls, ['before:true', 'after']);
    f.cancel();
    assert.deepEqual(calls, ['before:true', 'after']);
  }
});

test('a raising callback is reported as a warning and later callbacks still run', async () => {
  const f = new Future<number>();
  const calls: number[] = [];
  const warned = new Promise<Error & { code?: string }>((resolve) =>
    process.once('warning', resolve),
  );
  f.addDoneCallback(() => {
    throw new Error('callback failed');
  });
  f.addDoneCallback(() => calls.push(2));
  f.setResult(1);
  assert.deepEqual(calls, [2]);
  assert.equal((await warned).code, 'WEFT_CALLBACK_ERROR');
});

test('result and exception with timeout 0: TimeoutError while pending or running', async () => {
  const s = states();
  for (const f of [s.pending!, s.running!]) {
    await assert.rejects(f.result({ timeout: 0 }), TimeoutError);
    await assert.rejects(f.exception({ timeout: 0 }), TimeoutError);
  }
  await assert.rejects(s.cancelled!.result({ timeout: 0 }), CancelledError);
  await assert.rejects(s.cancelled!.exception({ timeout: 0 }), CancelledError);
  assert.equal(await s.ok!.result({ timeout: 0 }), 42);
  assert.equal(await s.ok!.exception({ timeout: 0 }), undefined);
  await assert.rejects(s.raised!.result({ timeout: 0 }), RangeError);
  assert.ok((await s.raised!.exception({ timeout: 0 })) instanceof RangeError);
});

test('result({ timeout }) waits at least the timeout', async () => {
  const f = new Future<number>();
  const start = performance.now();
  await assert.rejects(f.result({ timeout: 50 }), (e: TimeoutError) => e.code === 'ERR_TIMEOUT');
  assert.ok(performance.now() - start >= 49);
  await assert.rejects(f.result({ timeout: -1 }), RangeError);
});

test('a waiting result() / exception() wakes when the future is settled later', async () => {
  const a = new Future<string>();
  const b = new Future<string>();
  const c = new Future<string>();
  const results = Promise.all([
    a.result({ timeout: 30_000 }),
    b.exception({ timeout: 30_000 }),
    c.result().catch((e: unknown) => e),
  ]);
  setImmediate(() => {
    a.setResult('a');
    b.setException(new TypeError('b'));
    c.cancel();
  });
  const [ra, rb, rc] = await results;
  assert.equal(ra, 'a');
  assert.ok(rb instanceof TypeError);
  assert.ok(rc instanceof CancelledError);
});

test('result({ signal }) rejects with the reason; the future is unaffected', async () => {
  const f = new Future<number>();
  const controller = new AbortController();
  const waiting = f.result({ signal: controller.signal });
  controller.abort(new Error('stop waiting'));
  await assert.rejects(waiting, /stop waiting/);
  assert.equal(f.done(), false);
});

test('an already-aborted signal rejects result() and exception() even on a done future (the one aborted-signal rule)', async () => {
  const f = new Future<number>();
  f.setResult(7);
  const signal = AbortSignal.abort(new Error('already aborted'));
  await assert.rejects(f.result({ signal }), /already aborted/);
  await assert.rejects(f.exception({ signal }), /already aborted/);
  assert.equal(await f.result(), 7);
});

test('setting a result twice: InvalidStateError, the first outcome is kept', () => {
  const f = new Future<number>();
  f.setResult(1);
  assert.throws(() => f.setResult(2), InvalidStateError);
  assert.throws(
    () => f.setException(new Error()),
    (e: InvalidStateError) => e.code === 'ERR_INVALID_STATE',
  );
  const g = new Future<number>();
  g.setException(new Error('first'));
  assert.throws(() => g.setResult(2), InvalidStateError);
  const h = new Future<number>();
  h.cancel();
  assert.throws(() => h.setResult(2), InvalidStateError);
  return f.then((v) => assert.equal(v, 1));
});

test('setRunningOrNotifyCancel: false when cancelled, throws when not pending', () => {
  const s = states();
  assert.equal(s.cancelled!.setRunningOrNotifyCancel(), false);
  assert.throws(() => s.running!.setRunningOrNotifyCancel(), InvalidStateError);
  assert.throws(() => s.ok!.setRunningOrNotifyCancel(), InvalidStateError);
});

test('a future is a promise: await, Promise.all, then/catch/finally', async () => {
  const f = new Future<number>();
  const g = new Future<number>();
  setImmediate(() => {
    f.setResult(1);
    g.setResult(2);
  });
  assert.deepEqual(await Promise.all([f, g]), [1, 2]);
  assert.equal(await f.then((v) => v * 10), 10);
  const bad = new Future<number>();
  bad.setException(new Error('no'));
  assert.equal(await bad.catch(() => 'caught'), 'caught');
  let ran = false;
  await f.finally(() => (ran = true));
  assert.ok(ran);
  assert.ok(f instanceof Promise && f instanceof Future);
});

test('falsy thrown values still reject (0, null, undefined, "")', async () => {
  for (const value of [0, null, undefined, '', false]) {
    const f = new Future<number>();
    f.setException(value);
    assert.equal(f.done(), true);
    await assert.rejects(
      f.then(() => 'resolved'),
      (e: unknown) => e === value,
    );
    await assert.rejects(f.result(), (e: unknown) => e === value);
  }
});

test('failed and cancelled futures that nobody awaits raise no unhandled rejection', async () => {
  let unhandled = 0;
  const onUnhandled = (): void => {
    unhandled++;
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    new Future().setException(new Error('ignored'));
    new Future().cancel();
    await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.equal(unhandled, 0);
});

test('validation: addDoneCallback needs a function; result needs an options object', async () => {
  const f = new Future();
  assert.throws(() => f.addDoneCallback(42 as never), TypeError);
  await assert.rejects(f.result(null as never), TypeError);
  await assert.rejects(f.result({ timeout: 'soon' as never }), TypeError);
});
