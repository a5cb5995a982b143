// `await using` on an executor is bounded: a graceful shutdown first (tasks
// finish, as Python's `with`), then, after `disposeTimeout`, a forced one, so
// a scope exit never hangs on a task that never ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessPoolExecutor, ThreadPoolExecutor, type Future } from '../../src/futures/index.js';
import { tasks } from '../../src/threading/index.js';

const work = tasks<typeof import('../fixtures/futures-work.js')>(
  new URL('../fixtures/futures-work.ts', import.meta.url),
);
const FOREVER = 3_600_000;

for (const [name, Pool] of [
  ['ThreadPoolExecutor', ThreadPoolExecutor],
  ['ProcessPoolExecutor', ProcessPoolExecutor],
] as const) {
  test(
    `${name}: a scope exit with a task that never ends is forced after disposeTimeout; the worker is gone`,
    { timeout: 60_000 },
    async () => {
      let stuck: Future<number> | undefined;
      let pid = 0;
      const began = performance.now();
      {
        await using pool = new Pool({ maxWorkers: 1, disposeTimeout: 300 });
        pid = await pool.submit(work.pid);
        stuck = pool.submit(work.spin, FOREVER);
      }
      // A few seconds at most (300 ms, then the kill), never the task's hour.
      assert.ok(performance.now() - began < 30_000);
      const error = await stuck.then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.equal((error as { code?: unknown }).code, 'ERR_WORKER_KILLED');
      if (Pool === ProcessPoolExecutor) {
        assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
      }
    },
  );

  test(
    `${name}: a scope exit waits for tasks that finish within the bound`,
    { timeout: 60_000 },
    async () => {
      let done: Future<unknown> | undefined;
      {
        await using pool = new Pool({ maxWorkers: 1, disposeTimeout: 30_000 });
        done = pool.submit(work.sleep, 200, 'slept');
      }
      assert.equal(done.done(), true);
      assert.equal(await done, 'slept');
    },
  );
}
