// ThreadPoolExecutor: the executor contract, plus what only threads do
// (shareables, transfers, resource limits, thread names).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ThreadPoolExecutor, WorkerExitError, transfer } from '../../src/futures/index.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { spawnSync } from 'node:child_process';
import { enumerate, Lock } from '../../src/threading/index.js';
import { SharedArray } from '../../src/shared/index.js';
import { Queue } from '../../src/queue/index.js';
import { executorSuite, work } from './contract.js';

executorSuite({
  name: 'ThreadPoolExecutor',
  make: (o) => new ThreadPoolExecutor(o),
  threads: true,
});

const pool = new ThreadPoolExecutor({ maxWorkers: 2, name: 'tpe' });
after(() => pool.shutdown());

test('shareables passed as arguments are live inside tasks', async () => {
  const lock = new Lock();
  const counter = new SharedArray('i', 1);
  const done = await Promise.all([
    pool.submit(work.lockedAdd, lock, counter, 20_000),
    pool.submit(work.lockedAdd, lock, counter, 20_000),
  ]);
  assert.deepEqual(done, [20_000, 20_000]);
  assert.equal(counter.get(0), 40_000);
});

test('a cross-thread Queue passed to a task is live: the caller gets what the task puts', async () => {
  const queue = new Queue<number>({ maxsize: 4 });
  const producing = pool.submit(work.produce, queue, 20);
  const got: number[] = [];
  for (let i = 0; i < 20; i++) got.push(await queue.get({ timeout: 30_000 }));
  assert.equal(await producing, 20);
  assert.deepEqual(
    got,
    Array.from({ length: 20 }, (_, i) => i),
  );
});

test('transfer() moves an ArrayBuffer argument and a returned buffer instead of copying', async () => {
  const bytes = new Uint8Array(1 << 16);
  assert.equal(await pool.submit(work.byteLength, transfer(bytes)), 1 << 16);
  assert.equal(bytes.byteLength, 0, 'detached on the sending side');
  const copied = new Uint8Array(8);
  assert.equal(await pool.submit(work.byteLength, copied), 8);
  assert.equal(copied.byteLength, 8, 'unmarked: copied');
  const back = await pool.submit(work.makeBuffer, 1024);
  assert.ok(back instanceof ArrayBuffer);
  assert.equal(new Uint8Array(back)[1023], 7);
});

test('worker threads are named after the pool (currentThread().name)', async () => {
  assert.match(await pool.submit(work.threadName), /^tpe_\d+$/);
});

test('out of memory under resourceLimits fails only that task: ERR_WORKER_OUT_OF_MEMORY', async () => {
  const small = new ThreadPoolExecutor({
    maxWorkers: 1,
    resourceLimits: { maxOldGenerationSizeMb: 16 },
  });
  try {
    await assert.rejects(small.submit(work.allocate), (e: WorkerExitError) => {
      assert.ok(e instanceof WorkerExitError);
      assert.equal(e.code, 'ERR_WORKER_OUT_OF_MEMORY');
      return true;
    });
    assert.equal(await small.submit(work.inc, 1), 2);
  } finally {
    await small.shutdown();
  }
});

test('a synchronous task sees its signal abort by polling taskSignal(), and keeps its worker', async () => {
  const one = new ThreadPoolExecutor({ maxWorkers: 1, gracePeriod: 30_000 });
  try {
    const name = await one.submit(work.threadName);
    await assert.rejects(one.submitWith(work.pollAbort, [], { timeout: 20 }), {
      code: 'ERR_TIMEOUT',
    });
    assert.equal(await one.submit(work.threadName), name);
  } finally {
    await one.shutdown();
  }
});

test('a pool that becomes garbage shuts down: its workers exit', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const alive = (): boolean => enumerate().some((t) => t.name.startsWith('garbage_'));
  await (async () => {
    const forgotten = new ThreadPoolExecutor({ maxWorkers: 1, name: 'garbage' });
    assert.equal(await forgotten.submit(work.inc, 1), 2);
  })();
  assert.ok(alive());
  for (let i = 0; i < 200 && alive(); i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(!alive(), 'the workers of a collected pool exit');
});

test('without onStrayError, a stray error is printed like an uncaught error and the program goes on', async (t) => {
  const printed: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void printed.push(args);
  t.after(() => (console.error = original));
  const p = new ThreadPoolExecutor({ maxWorkers: 1 });
  t.after(() => p.terminate());
  const ident = await p.submit(work.workerIdent);
  assert.equal(await p.submit(work.leaveThrowingTimer, 10, 'printed stray'), 'left');
  const deadline = performance.now() + 30_000;
  while (printed.length === 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  console.error = original;
  assert.equal(printed.length, 1);
  const text = printed[0]!.map(String).join(' ');
  assert.match(text, /ThreadPoolExecutor worker \d+/);
  assert.match(text, /printed stray/);
  assert.notEqual(await p.submit(work.workerIdent), ident);
});

test('a result that cannot be rebuilt in this thread rejects its own future (ERR_SHAREABLE_UNKNOWN), never the process', () => {
  // The parent imports only weft/futures: shared, queue and threading shareables are unknown there.
  const r = spawnSync(
    process.execPath,
    ['--import', './scripts/register-tsx.mjs', 'test/fixtures/programs/unknown-shareable.ts'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const rejected = 'rejected ERR_SHAREABLE_UNKNOWN';
  assert.deepEqual(JSON.parse(r.stdout), {
    value: rejected,
    queue: rejected,
    lock: rejected,
    nested: rejected,
    after: rejected,
  });
});
