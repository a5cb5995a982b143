// Waiter counts never wrap: a bounded queue's getter parked beside 65,535
// others is still woken by a put (the ring packed its waiter count in 16
// bits, so the 65,536th waiter read as none and its wake-up was lost).
// 65,535 real waiters on this 2-core machine take minutes to serve, so the
// others are counted in the queue's waiter word directly (as if parked in
// other threads); the getter's timeout is shorter than a waiter's first nap,
// so only the put's notify can wake it in time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SHARE } from '../../src/internal/codec.js';
import { Queue } from '../../src/queue/index.js';
import { R_GET_WAITERS, R_PUT_WAITERS } from '../../src/queue/ring.js';

function ringControl(q: Queue<number>): Int32Array {
  const state = q[SHARE]().state as { ring: { control: SharedArrayBuffer } };
  return new Int32Array(state.ring.control);
}

test('a getter parked beside 65,535 counted waiters is woken by a put', async () => {
  const q = new Queue<number>({ maxsize: 4 });
  const control = ringControl(q);
  Atomics.store(control, R_GET_WAITERS, 65_535);
  const got = q.get({ timeout: 240 });
  await new Promise((resolve) => setImmediate(resolve));
  q.putNowait(7);
  assert.equal(await got, 7);
  assert.equal(Atomics.load(control, R_GET_WAITERS), 65_535, 'the getter left the count as it was');
});

test('a putter parked beside 65,535 counted waiters is woken by a get', async () => {
  const q = new Queue<number>({ maxsize: 1 });
  const control = ringControl(q);
  q.putNowait(1);
  Atomics.store(control, R_PUT_WAITERS, 65_535);
  // Aborted (putting nothing) unless a wake-up comes before the first nap.
  const put = q.put(2, { signal: AbortSignal.timeout(200) });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(q.getNowait(), 1);
  await put;
  assert.equal(q.getNowait(), 2);
});
