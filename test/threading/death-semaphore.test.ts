// Semaphore when weft kills threads at random points inside acquire and
// release: the permits the dead held come back, every round, and the value
// never passes what it should be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { BoundedSemaphore, Semaphore, Thread } from '../../src/threading/index.js';
import { Victim } from '../fixtures/kill-harness.js';
import { FORMS, until } from './suites.js';

const ROUNDS = 5;
const PERMITS = 2;
const VICTIMS = 3;
const DEADLINE = 5_000;

for (const [kind, make] of [
  ['Semaphore', () => new Semaphore(PERMITS, { maxHolders: 4 })],
  ['BoundedSemaphore', () => new BoundedSemaphore(PERMITS, { maxHolders: 4 })],
] as const) {
  test(`${kind}(${PERMITS}): ${ROUNDS} rounds of killing ${VICTIMS} threads at random points in acquire/release; all ${PERMITS} permits come back`, async () => {
    const sem = make();
    let lost = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const progress = new Int32Array(new SharedArrayBuffer(4 * VICTIMS));
      const victims = await Promise.all(
        Array.from({ length: VICTIMS }, (_, i) =>
          Victim.start('acquireRelease', [sem, FORMS[(i + round) % 2], progress, i]),
        ),
      );
      try {
        await until(() => progress.every((n) => n > 0), 'every victim acquired once');
        await delay(Math.random() * 5);
      } finally {
        await Promise.all(victims.map((v) => v.kill()));
      }
      for (const v of victims) assert.equal(v.error, undefined, String(v.error));
      if (sem.value < PERMITS) lost++;
      for (let i = 0; i < PERMITS; i++) {
        const got =
          i % 2 === 0
            ? await sem.acquire({ timeout: DEADLINE })
            : sem.acquireSync({ timeout: DEADLINE });
        assert.equal(got, true, `round ${round}: permit ${i} came back`);
      }
      assert.equal(sem.value, 0, 'no permit more than there should be');
      assert.equal(sem.acquireSync({ timeout: 0 }), false);
      sem.release(PERMITS);
      assert.equal(sem.value, PERMITS);
    }
    assert.ok(lost > 0, 'some kills landed while victims held permits');
  });
}

test('Semaphore: a thread that ends on its own keeps its permit (Python); another thread may release it for it', async () => {
  const sem = new BoundedSemaphore(1);
  const thread = new Thread({
    target: (s: Semaphore) => void s.acquireSync(),
    args: [sem],
    daemon: true,
  });
  thread.start();
  assert.equal(await thread.join({ timeout: 20_000 }), true);
  assert.equal(sem.acquireSync({ timeout: 250 }), false, 'not given back: it was not killed');
  sem.release();
  assert.equal(sem.acquireSync({ timeout: 0 }), true);
  sem.release();
  assert.throws(() => sem.release(), { code: 'ERR_SEMAPHORE_OVERRELEASED' });
});

test('Semaphore: holder entries are limited by maxHolders, with a coded error', async (t) => {
  const sem = new Semaphore(3, { maxHolders: 1 });
  assert.equal(sem.acquireSync(), true);
  const progress = new Int32Array(new SharedArrayBuffer(4));
  const victim = await Victim.start('acquireRelease', [sem, 'sync', progress, 0]);
  t.after(() => victim.kill());
  await until(() => victim.error !== undefined, 'the second holder is refused');
  assert.equal((victim.error as { code?: string }).code, 'ERR_TOO_MANY_HOLDERS');
  sem.release();
  assert.equal(sem.value, 3, 'the refused acquire took nothing');
});
