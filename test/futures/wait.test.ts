// wait() and asCompleted() (CPython test_wait.py, test_as_completed.py),
// over futures settled by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALL_COMPLETED,
  asCompleted,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  TimeoutError,
  wait,
} from '../../src/futures/index.js';

function finished(value: number): Future<number> {
  const f = new Future<number>();
  f.setResult(value);
  return f;
}

function raised(): Future<number> {
  const f = new Future<number>();
  f.setException(new Error('raised'));
  return f;
}

function cancelled(): Future<number> {
  const f = new Future<number>();
  f.cancel();
  return f;
}

test('wait FIRST_COMPLETED returns at the first completion', async () => {
  const a = new Future<number>();
  const b = new Future<number>();
  setImmediate(() => a.setResult(1));
  const { done, notDone } = await wait([a, b], { returnWhen: FIRST_COMPLETED });
  assert.deepEqual([...done], [a]);
  assert.deepEqual([...notDone], [b]);
});

test('wait FIRST_COMPLETED returns at once when some are already done', async () => {
  const a = finished(1);
  const b = new Future<number>();
  const { done, notDone } = await wait([a, b], { returnWhen: FIRST_COMPLETED, timeout: 30_000 });
  assert.deepEqual([...done], [a]);
  assert.deepEqual([...notDone], [b]);
});

test('wait FIRST_EXCEPTION returns at the first exception; finished ones are in done', async () => {
  const ok = finished(1);
  const bad = new Future<number>();
  const slow = new Future<number>();
  const gone = cancelled();
  setImmediate(() => bad.setException(new Error('x')));
  const { done, notDone } = await wait([ok, bad, slow, gone], { returnWhen: FIRST_EXCEPTION });
  assert.deepEqual(new Set(done), new Set([ok, bad, gone]));
  assert.deepEqual([...notDone], [slow]);
});

test('wait FIRST_EXCEPTION with one already failed returns at once', async () => {
  const bad = raised();
  const slow = new Future<number>();
  const { done, notDone } = await wait([bad, slow], { returnWhen: FIRST_EXCEPTION });
  assert.deepEqual([...done], [bad]);
  assert.deepEqual([...notDone], [slow]);
});

test('wait FIRST_EXCEPTION without exceptions is ALL_COMPLETED (cancelled is not an exception)', async () => {
  const a = new Future<number>();
  const b = new Future<number>();
  setImmediate(() => {
    a.cancel();
    setImmediate(() => b.setResult(2));
  });
  const { done, notDone } = await wait([a, b], { returnWhen: FIRST_EXCEPTION });
  assert.equal(done.size, 2);
  assert.equal(notDone.size, 0);
});

test('wait ALL_COMPLETED: raised and cancelled count; duplicates collapse', async () => {
  const a = finished(1);
  const b = raised();
  const c = cancelled();
  const d = new Future<number>();
  setImmediate(() => d.setResult(4));
  const { done, notDone } = await wait([a, b, c, d, d, a], { returnWhen: ALL_COMPLETED });
  assert.deepEqual(new Set(done), new Set([a, b, c, d]));
  assert.equal(notDone.size, 0);
});

test('wait returns at the timeout (lower bound) and never throws', async () => {
  const a = finished(1);
  const b = new Future<number>();
  const start = performance.now();
  const { done, notDone } = await wait([a, b], { timeout: 50 });
  assert.ok(performance.now() - start >= 49);
  assert.deepEqual([...done], [a]);
  assert.deepEqual([...notDone], [b]);
  const zero = await wait([b], { timeout: 0 });
  assert.deepEqual([...zero.notDone], [b]);
});

test('wait validates its arguments', async () => {
  await assert.rejects(wait(42 as never), TypeError);
  await assert.rejects(wait([1] as never), TypeError);
  await assert.rejects(wait([], { returnWhen: 'SOMETIMES' as never }), TypeError);
  await assert.rejects(wait([], { timeout: -1 }), RangeError);
});

test('asCompleted yields done futures first, then in completion order, each once', async () => {
  const a = finished(1);
  const b = new Future<number>();
  const c = new Future<number>();
  setImmediate(() => {
    c.setResult(3);
    setImmediate(() => b.cancel());
  });
  const order: Future<number>[] = [];
  for await (const f of asCompleted([a, b, c, c, a])) order.push(f);
  assert.deepEqual(order, [a, c, b]);
});

test('asCompleted with a timeout yields the done ones, then throws TimeoutError', async () => {
  for (const timeout of [0, 50]) {
    const a = finished(1);
    const b = raised();
    const c = new Future<number>();
    const d = new Future<number>();
    const seen: Future<number>[] = [];
    const start = performance.now();
    await assert.rejects(
      (async () => {
        for await (const f of asCompleted([a, b, c, d], { timeout })) seen.push(f);
      })(),
      (e: TimeoutError) => e instanceof TimeoutError && e.code === 'ERR_TIMEOUT',
    );
    assert.ok(performance.now() - start >= timeout - 1);
    assert.deepEqual(new Set(seen), new Set([a, b]));
  }
});

test('asCompleted: many futures finishing together are all yielded', async () => {
  const futures = Array.from({ length: 100 }, () => new Future<number>());
  setImmediate(() => futures.forEach((f, i) => f.setResult(i)));
  let n = 0;
  for await (const f of asCompleted(futures, { timeout: 30_000 })) {
    assert.ok(f.done());
    n++;
  }
  assert.equal(n, 100);
});

test('leaving asCompleted early leaves no waiter behind', async () => {
  const a = finished(1);
  const b = new Future<number>();
  for await (const f of asCompleted([a, b])) {
    assert.equal(f, a);
    break;
  }
  // No waiter is left: settling b calls nothing of the abandoned iterator.
  b.setResult(2);
  assert.equal(await b, 2);
});
