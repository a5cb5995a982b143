// Every timeout up to Infinity is honoured: Node's setTimeout fires after
// 1 ms for a delay of 2^31 ms or more, so each timer a user-given timeout
// drives must be clamped and re-armed. Checked for every such timeout of the
// futures module: a huge one has not fired after a while, a small one fires.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Future,
  ThreadPoolExecutor,
  TimeoutError,
  asCompleted,
  wait,
  type PoolOptions,
} from '../../src/futures/index.js';
import { work } from './contract.js';

const HUGE = [2 ** 31, 2 ** 31 + 5, 2 ** 40, Infinity];
const pools: ThreadPoolExecutor[] = [];
const make = (options: PoolOptions): ThreadPoolExecutor => {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1, ...options });
  pools.push(pool);
  return pool;
};
after(() => Promise.all(pools.map((p) => p.terminate())));

const pause = (ms: number): Promise<'paused'> =>
  new Promise((resolve) => setTimeout(() => resolve('paused'), ms));

test('a per-task timeout of 2^31 ms or more does not fire; a small one does', async () => {
  const pool = make({});
  for (const timeout of HUGE) {
    assert.equal(await pool.submitWith(work.sleep, [60, 'ok'], { timeout }), 'ok', `${timeout}`);
  }
  await assert.rejects(pool.submitWith(work.sleep, [2000, 'ok'], { timeout: 10 }), TimeoutError);
});

test('a gracePeriod of 2^31 ms or more does not kill the worker; a small one does', async () => {
  for (const gracePeriod of [...HUGE, 10]) {
    const pool = make({ gracePeriod });
    const before = await pool.submit(work.threadName);
    // spin ignores its signal: the future fails at once, the worker is left to finish.
    await assert.rejects(pool.submitWith(work.spin, [150], { timeout: 5 }), TimeoutError);
    const afterwards = await pool.submit(work.threadName);
    if (gracePeriod === 10) assert.notEqual(afterwards, before, 'a 10 ms grace period kills');
    else assert.equal(afterwards, before, `gracePeriod ${gracePeriod}`);
    await pool.terminate();
  }
});

test('an idleTimeout of 2^31 ms or more keeps the worker; a small one retires it', async () => {
  for (const idleTimeout of [...HUGE, 10]) {
    const pool = make({ idleTimeout });
    const before = await pool.submit(work.threadName);
    await pause(60);
    const afterwards = await pool.submit(work.threadName);
    if (idleTimeout === 10) assert.notEqual(afterwards, before, 'a 10 ms idle timeout retires');
    else assert.equal(afterwards, before, `idleTimeout ${idleTimeout}`);
    await pool.terminate();
  }
});

test('Future.result / exception with a timeout of 2^31 ms or more keep waiting; a small one fires', async () => {
  for (const timeout of HUGE) {
    const f = new Future<number>();
    const result = f.result({ timeout });
    const exception = f.exception({ timeout });
    assert.equal(await Promise.race([result, exception, pause(50)]), 'paused', `${timeout}`);
    f.setResult(7);
    assert.equal(await result, 7);
    assert.equal(await exception, undefined);
  }
  await assert.rejects(new Future().result({ timeout: 10 }), TimeoutError);
});

test('wait and asCompleted with a timeout of 2^31 ms or more keep waiting; a small one fires', async () => {
  for (const timeout of HUGE) {
    const f = new Future<number>();
    const waited = wait([f], { timeout });
    const iterator = asCompleted([f], { timeout })[Symbol.asyncIterator]();
    const next = iterator.next();
    assert.equal(await Promise.race([waited, next, pause(50)]), 'paused', `${timeout}`);
    f.setResult(1);
    assert.equal((await waited).done.size, 1);
    assert.equal((await next).value, f);
  }
  const pending = new Future<number>();
  assert.equal((await wait([pending], { timeout: 10 })).notDone.size, 1);
  await assert.rejects(asCompleted([pending], { timeout: 10 }).next(), TimeoutError);
});
