// Barrier when weft kills parties at random points inside wait (under its
// internal mutex, asleep while filling or draining, running the action): the
// barrier never wedges; a round with a dead party breaks, and after reset()
// live parties pass it again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Barrier, BrokenBarrierError } from '../../src/threading/index.js';
import { Victim } from '../fixtures/kill-harness.js';
import { FORMS, until } from './suites.js';

const ROUNDS = 6;
const DEADLINE = 10_000;

test(`Barrier(3): ${ROUNDS} rounds of killing a party at a random point in wait; this thread then passes a round with the two live parties`, async () => {
  const barrier = new Barrier(3);
  for (let round = 0; round < ROUNDS; round++) {
    const progress = new Int32Array(new SharedArrayBuffer(4 * 3));
    if (barrier.broken) barrier.reset();
    const victims = await Promise.all(
      [0, 1, 2].map((i) =>
        Victim.start('barrierWait', [barrier, FORMS[(i + round) % 2], progress, i]),
      ),
    );
    try {
      // A round left filling by the last round's dead parties breaks once
      // a waiter sees them dead; the parties then wait for this thread's reset.
      await until(() => {
        if (barrier.broken) barrier.reset();
        return progress.every((n) => n > 0);
      }, 'every party passed once');
      await delay(Math.random() * 5);
      await victims[round % 3]!.kill();
      // Take the dead party's place until a round passes.
      const end = performance.now() + DEADLINE;
      let passed = false;
      while (!passed) {
        assert.ok(performance.now() < end, `round ${round}: the barrier is wedged`);
        if (barrier.broken) barrier.reset();
        try {
          // The signal turns a wedged barrier into a failure, not a hang.
          const signal = AbortSignal.timeout(Math.max(1, Math.ceil(end - performance.now())));
          const index = await barrier.wait({ timeout: 1_000, signal });
          assert.ok(index >= 0 && index < 3);
          passed = true;
        } catch (error) {
          if (!(error instanceof BrokenBarrierError)) throw error;
        }
      }
    } finally {
      await Promise.all(victims.map((v) => v.kill()));
    }
    for (const v of victims) assert.equal(v.error, undefined, String(v.error));
  }
});
