// Rule: an `await` in weft never blocks the event loop. An async get whose
// item holds shared buffers this thread has never seen asks the buffer
// directory for them; while the directory cannot answer (here: restarting),
// the loop keeps turning, and the get completes once it answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from '../../src/queue/index.js';
import { tasks, Thread } from '../../src/threading/index.js';
import { Value } from '../../src/shared/index.js';
import { DIRECTORY_STATE, table } from '../../src/threading/registry.js';
import { genOf, READY, STARTING } from '../../src/queue/sab-directory.js';

const fx = tasks<typeof import('../fixtures/queues.js')>(
  new URL('../fixtures/queues.ts', import.meta.url),
);

test(
  'an async get waiting on the buffer directory lets the event loop turn',
  { timeout: 60_000 },
  async () => {
    const q = new Queue<unknown>();
    // This thread talks to the directory once (so it is attached), and a
    // thread that then ends puts buffers this thread has never seen.
    await q.put({ mine: new Int32Array(new SharedArrayBuffer(8)) });
    await q.get();
    const t = new Thread({ target: fx.putFresh, args: [q] });
    t.start();
    assert.equal(await t.join({ timeout: 30_000 }), true);

    const words = table();
    const state = Atomics.load(words, DIRECTORY_STATE);
    assert.equal(state & 3, READY);
    // The directory looks as if it were starting: nobody answers until READY.
    Atomics.store(words, DIRECTORY_STATE, genOf(state) * 4 + STARTING);
    let settled = false;
    const got = q.get({ timeout: 30_000 }).finally(() => (settled = true));
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        if (++ticks === 50) resolve();
        else setImmediate(tick);
      };
      setImmediate(tick);
    });
    assert.equal(settled, false, 'the get must still be waiting for the directory');
    Atomics.store(words, DIRECTORY_STATE, state);
    Atomics.notify(words, DIRECTORY_STATE);
    const item = (await got) as { value: Value<'i'>; raw: Int32Array };
    assert.ok(item.value instanceof Value);
    assert.equal(item.value.value, 41);
    assert.equal(item.raw[0], 7);
  },
);
