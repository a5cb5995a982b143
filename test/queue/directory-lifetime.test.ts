// The buffer directory is a worker, and a worker dies with the thread that
// started it. Here a pool worker is the first to put shared memory in a queue
// (so it starts the directory) and then ends: the item it left loses its
// buffer (what that death costs: ERR_SHAREABLE_LOST, at once rather than
// after a 10 s wait), and the next thread to need the directory starts a new
// one, so shared memory crosses threads again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThreadPoolExecutor } from '../../src/futures/index.js';
import type { Queue } from '../../src/queue/index.js';
// Registers Queue's reviver (no queue is made here before the worker's).
import '../../src/queue/index.js';
import { tasks } from '../../src/threading/index.js';
import { DIRECTORY_PARENT, table } from '../../src/threading/registry.js';

const fx = tasks<typeof import('../fixtures/queue-directory.js')>(
  new URL('../fixtures/queue-directory.ts', import.meta.url),
);

test(
  'a directory that ended with the worker that started it is replaced',
  { timeout: 90_000 },
  async () => {
    // No queue is made on the main thread before the pool worker's.
    const first = new ThreadPoolExecutor({ maxWorkers: 1 });
    const q: Queue<unknown> = await first.submit(fx.queueWithBuffer);
    assert.notEqual(Atomics.load(table(), DIRECTORY_PARENT), 0, 'a worker started the directory');
    await first.shutdown();

    const started = performance.now();
    await assert.rejects(q.get({ timeout: 20_000 }), { code: 'ERR_SHAREABLE_LOST' });
    assert.ok(performance.now() - started < 8000, 'lost at once, not after the 10 s wait');
    assert.equal(Atomics.load(table(), DIRECTORY_PARENT), 0, 'the main thread started the new one');

    // Shared memory put here now reaches another thread, and back.
    const second = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      const raw = new Int32Array(new SharedArrayBuffer(8));
      raw[0] = 41;
      q.putSync({ raw });
      assert.equal(await second.submit(fx.bump, q as never), 42);
      assert.equal(raw[0], 42);
    } finally {
      await second.shutdown();
    }
  },
);
