// Lock and RLock when weft kills threads at random points inside acquire and
// release: a live thread still gets the lock within a deadline, every round.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Lock, RLock } from '../../src/threading/index.js';
import { Victim } from '../fixtures/kill-harness.js';
import { FORMS, until } from './suites.js';

const ROUNDS = 10;
const VICTIMS = 2;
/** Longest a live thread may wait for a lock a killed thread held (takeover needs ~100 ms). */
const TAKEOVER = 5_000;

for (const [kind, make] of [
  ['Lock', () => new Lock()],
  ['RLock', () => new RLock()],
] as const) {
  {
    test(`${kind}: ${ROUNDS} rounds of killing ${VICTIMS} threads (one blocking, one async) at random points in acquire/release; a live thread acquires every time`, async (t) => {
      const warnings: Error[] = [];
      const onWarning = (w: Error): void => void warnings.push(w);
      process.on('warning', onWarning);
      t.after(() => process.off('warning', onWarning));
      const lock = make();
      let heldByDead = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const progress = new Int32Array(new SharedArrayBuffer(4 * VICTIMS));
        const victims = await Promise.all(
          Array.from({ length: VICTIMS }, (_, i) =>
            Victim.start('acquireRelease', [lock, FORMS[i % 2], progress, i]),
          ),
        );
        try {
          await until(() => progress.every((n) => n > 0), 'every victim acquired once');
          await delay(Math.random() * 5);
        } finally {
          await Promise.all(victims.map((v) => v.kill()));
        }
        for (const v of victims) assert.equal(v.error, undefined, String(v.error));
        if (Atomics.load(new Int32Array(share(lock)), 1) !== 0) heldByDead++;
        const viaSync = round % 2 === 0;
        const got = viaSync
          ? lock.acquireSync({ timeout: TAKEOVER })
          : await lock.acquire({ timeout: TAKEOVER });
        assert.equal(got, true, `round ${round}: a live thread acquires after the kills`);
        lock.release();
        assert.equal(lock.locked(), false);
      }
      assert.ok(heldByDead > 0, 'some kills landed while a victim held the lock');
      assert.ok(
        warnings.filter((w) => (w as { code?: string }).code === 'WEFT_OWNER_DIED').length >=
          (kind === 'Lock' ? 1 : 0),
        'a takeover is reported',
      );
    });
  }
}

test('Lock: a thread that ends on its own holding the lock leaves it held (Python), and another thread may release it', async () => {
  const { Thread } = await import('../../src/threading/index.js');
  const lock = new Lock();
  const thread = new Thread({
    target: (l: Lock) => void l.acquireSync(),
    args: [lock],
    daemon: true,
  });
  thread.start();
  assert.equal(await thread.join({ timeout: 20_000 }), true);
  assert.equal(lock.locked(), true);
  assert.equal(lock.acquireSync({ timeout: 250 }), false, 'no takeover: the thread was not killed');
  lock.release();
  assert.equal(lock.acquireSync({ timeout: 0 }), true);
  lock.release();
});

function share(lock: Lock | RLock): SharedArrayBuffer {
  const s = (lock as unknown as Record<symbol, () => { state: SharedArrayBuffer }>)[
    Symbol.for('weft.share')
  ]!;
  return s.call(lock).state;
}

test('ThreadPoolExecutor: a task killed for its timeout while holding a Lock and a Semaphore permit gives both back', async () => {
  const { ThreadPoolExecutor } = await import('../../src/futures/index.js');
  const { Event, Semaphore } = await import('../../src/threading/index.js');
  const { fx } = await import('./suites.js');
  const pool = new ThreadPoolExecutor({ maxWorkers: 1, gracePeriod: 0 });
  try {
    const lock = new Lock();
    const sem = new Semaphore(1);
    const held = new Event();
    const task = pool.submitWith(fx.holdAndHang, [lock, sem, held], { timeout: 200 });
    assert.equal(await held.wait({ timeout: 30_000 }), true);
    await assert.rejects(task, { code: 'ERR_TIMEOUT' });
    assert.equal(await lock.acquire({ timeout: TAKEOVER * 4 }), true, 'the lock came back');
    assert.equal(await sem.acquire({ timeout: TAKEOVER * 4 }), true, 'the permit came back');
  } finally {
    await pool.shutdown();
  }
});
