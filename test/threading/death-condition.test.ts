// Condition when weft kills threads at random points inside wait and notify
// (holding its lock, sleeping on their slot, re-taking the lock): a live
// waiter is still woken by notify(1), and dead waiters never use up slots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Condition, Lock, RLock } from '../../src/threading/index.js';
import { Victim } from '../fixtures/kill-harness.js';
import { FORMS, until } from './suites.js';

const ROUNDS = 6;
/** Fewer slots than the waiters killed over the test: dead ones must be reused. */
const MAX_WAITERS = 4;
const DEADLINE = 5_000;

for (const [kind, make] of [
  ['Lock', () => new Lock()],
  ['RLock', () => new RLock()],
] as const) {
  test(`Condition over ${kind}: ${ROUNDS} rounds of killing 2 waiters and a notifier at random points; a live waiter is then woken by notify(1)`, async () => {
    const cond = new Condition(make(), { maxWaiters: MAX_WAITERS });
    for (let round = 0; round < ROUNDS; round++) {
      const progress = new Int32Array(new SharedArrayBuffer(4 * 3));
      const victims = await Promise.all([
        Victim.start('conditionWait', [cond, FORMS[round % 2], progress, 0]),
        Victim.start('conditionWait', [cond, FORMS[(round + 1) % 2], progress, 1]),
        Victim.start('conditionNotify', [cond, FORMS[round % 2], progress, 2]),
      ]);
      try {
        await until(() => progress.every((n) => n > 0), 'every victim went round once');
        await delay(Math.random() * 5);
      } finally {
        // The notifier first, at times: the waiters then die asleep in wait.
        if (round % 2 === 0) await victims[2].kill();
        await Promise.all(victims.map((v) => v.kill()));
      }
      for (const v of victims) assert.equal(v.error, undefined, String(v.error));
      // A live waiter (this thread) and a live notifier (this thread too:
      // wait() has released the lock when it returns its promise).
      assert.equal(await cond.acquire({ timeout: DEADLINE }), true, `round ${round}: lock`);
      const woken = cond.wait({ timeout: DEADLINE });
      assert.equal(await cond.acquire({ timeout: DEADLINE }), true);
      cond.notify(1);
      cond.release();
      assert.equal(await woken, true, `round ${round}: notify(1) woke the live waiter`);
      cond.release();
    }
  });
}

test('Condition: waiters killed asleep in wait keep no slot, and notify(n) wakes n live waiters past them', async () => {
  const cond = new Condition(new Lock(), { maxWaiters: 4 });
  for (let round = 0; round < 4; round++) {
    const progress = new Int32Array(new SharedArrayBuffer(4 * 2));
    const victims = await Promise.all(
      [0, 1].map((i) => Victim.start('conditionSleep', [cond, FORMS[i]!, progress, i])),
    );
    await until(() => progress.every((n) => n > 0), 'victims in wait');
    // Once this thread gets the lock, each victim has released it inside wait.
    assert.equal(await cond.acquire({ timeout: DEADLINE }), true);
    cond.release();
    await Promise.all(victims.map((v) => v.kill()));
    await cond.acquire();
    const live = [cond.wait({ timeout: DEADLINE })];
    await cond.acquire();
    live.push(cond.wait({ timeout: DEADLINE }));
    await cond.acquire();
    cond.notify(2);
    cond.release();
    // Each wait returns holding the (plain) lock: take them one at a time.
    for (const [i, waiter] of live.entries()) {
      assert.equal(await waiter, true, `round ${round}: live waiter ${i} woken`);
      cond.release();
    }
  }
});
