// A worker thread that runs out of memory loses nothing that finished before:
// results still in its batch buffer are delivered, only the task that ran
// out of memory fails (ERR_WORKER_OUT_OF_MEMORY), and the tasks after it run
// on a new worker. Every kind of result, since primitives survive in shared
// memory and the others are posted before the next task starts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ThreadPoolExecutor, WorkerExitError, type Future } from '../../src/futures/index.js';
import { work } from './contract.js';
import { valueOf } from '../fixtures/futures-work.js';

const pool = new ThreadPoolExecutor({
  maxWorkers: 1,
  resourceLimits: { maxOldGenerationSizeMb: 16 },
});
after(() => pool.terminate());

const KINDS = ['number', 'boolean', 'null', 'undefined', 'string', 'object'];

test('out of memory after a batch of tiny tasks: every finished result arrives, only the culprit fails', async () => {
  const deadline = performance.now() + 10_000;
  let rounds = 0;
  for (const kind of ['number', 'mixed', ...KINDS.slice(1)]) {
    if (performance.now() > deadline) break;
    rounds++;
    const kindOf = (id: number): string => (kind === 'mixed' ? KINDS[id % KINDS.length]! : kind);
    // Warm up: valueOrAllocate is known tiny, so the worker batches its results.
    for (let i = 0; i < 12; i++) await pool.submit(work.valueOrAllocate, 'number', i, false);
    const n = 30 + Math.floor(Math.random() * 30);
    const futures: Future<unknown>[] = [];
    for (let id = 0; id < n; id++)
      futures.push(pool.submit(work.valueOrAllocate, kindOf(id), id, false));
    const culprit = pool.submit(work.valueOrAllocate, 'number', -1, true);
    const later = [0, 1, 2].map((i) =>
      pool.submit(work.valueOrAllocate, 'number', 1000 + i, false),
    );
    const outcomes = await Promise.allSettled(futures);
    outcomes.forEach((outcome, id) => {
      assert.equal(
        outcome.status,
        'fulfilled',
        `${kind}: task ${id} failed: ${String((outcome as PromiseRejectedResult).reason)}`,
      );
      assert.deepEqual(outcome.value, valueOf(kindOf(id), id));
    });
    await assert.rejects(
      culprit,
      (e: unknown) => e instanceof WorkerExitError && e.code === 'ERR_WORKER_OUT_OF_MEMORY',
    );
    assert.deepEqual(await Promise.all(later), [1000.5, 1001.5, 1002.5]);
  }
  assert.ok(rounds >= 3, `${rounds} rounds`);
});
