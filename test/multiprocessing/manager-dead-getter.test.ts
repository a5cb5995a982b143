// Nothing put after join() reported a client dead is handed to its waits: a
// child blocked in a managed queue's getSync() is SIGKILLed, and the item the
// parent puts afterwards is still there for the parent's own get.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { tasks } from '../../src/futures/index.js';
import { Manager, Process } from '../../src/multiprocessing/index.js';

const work = tasks<typeof import('../fixtures/manager-work.js')>(
  new URL('../fixtures/manager-work.ts', import.meta.url),
);

const manager = await Manager.start();
after(() => manager.shutdown());

test('an item put after a waiting child was killed and joined is not lost to it', async () => {
  for (let i = 0; i < 12; i++) {
    const q = await manager.Queue<string>();
    const ready = await manager.Event();
    const p = new Process({ target: work.getForever, args: [q, ready] });
    p.start();
    assert.equal(await ready.wait({ timeout: 30_000 }), true);
    // Varies where the kill lands around the child's getSync (the item is
    // lost only once its wait reached the server); no outcome depends on it.
    await delay((i * 37) % 100);
    p.kill();
    await p.join();
    await q.put(`item${i}`);
    assert.equal(await q.get({ timeout: 5_000 }), `item${i}`, `round ${i}`);
  }
});
