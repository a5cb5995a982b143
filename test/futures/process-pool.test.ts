// ProcessPoolExecutor: the executor contract, plus what only processes do
// (no shareables, copies instead of transfers, recycling children).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessPoolExecutor, WorkerExitError, transfer } from '../../src/futures/index.js';
import { Lock } from '../../src/threading/index.js';
import { executorSuite, work } from './contract.js';

executorSuite({
  name: 'ProcessPoolExecutor',
  make: (o) => new ProcessPoolExecutor(o),
  threads: false,
});

const pool = new ProcessPoolExecutor({ maxWorkers: 1, maxTasksPerChild: 2 });
after(() => pool.shutdown());

test('maxTasksPerChild recycles children', async () => {
  const pids = new Set<number>();
  for (let i = 0; i < 6; i++) pids.add(await pool.submit(work.pid));
  assert.equal(pids.size, 3);
});

test('shareables cannot cross into a child process: TypeError ERR_SHAREABLE_PROCESS at submit', () => {
  assert.throws(
    () => pool.submit(work.echo, new Lock()),
    (e: TypeError & { code?: string }) =>
      e instanceof TypeError && e.code === 'ERR_SHAREABLE_PROCESS',
  );
});

test('transfer() markers are accepted and the buffer is copied', async () => {
  const bytes = new Uint8Array(16);
  assert.equal(await pool.submit(work.byteLength, transfer(bytes)), 16);
  assert.equal(bytes.byteLength, 16);
});

test('a child running out of memory fails only its task; the pool keeps serving', async () => {
  const small = new ProcessPoolExecutor({
    maxWorkers: 1,
    execArgv: [...process.execArgv, '--max-old-space-size=24'],
  });
  try {
    await assert.rejects(small.submit(work.allocate), WorkerExitError);
    assert.equal(await small.submit(work.inc, 1), 2);
  } finally {
    await small.shutdown();
  }
});
