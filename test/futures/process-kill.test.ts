// Every task runs at most once and every failure is the right one when
// ProcessPoolExecutor children are SIGKILLed: a task whose result was
// delivered never ran twice, only the task a dead child was running fails
// (ERR_WORKER_KILLED), and tasks it had not begun run on another child.
// Each task appends `<id> <pid>` to a file when it runs, so re-runs show.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessPoolExecutor, WorkerExitError, type Future } from '../../src/futures/index.js';
import { work } from './contract.js';
import { valueOf } from '../fixtures/futures-work.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-kill-'));
const pools: ProcessPoolExecutor[] = [];
after(async () => {
  await Promise.all(pools.map((p) => p.terminate()));
  rmSync(dir, { recursive: true, force: true });
});

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs per id, and the pids each ran in. */
function readRuns(file: string): Map<number, number[]> {
  const runs = new Map<number, number[]>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return runs;
  }
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [id, pid] = line.split(' ').map(Number) as [number, number];
    let list = runs.get(id);
    if (list === undefined) runs.set(id, (list = []));
    list.push(pid);
  }
  return runs;
}

/** The latest run on record: [id, pid]. */
function lastRun(file: string): [number, number] | undefined {
  const text = readFileSync(file, 'utf8').trimEnd();
  if (text === '') return undefined;
  const line = text.slice(text.lastIndexOf('\n') + 1);
  return line.split(' ').map(Number) as [number, number];
}

function isKilled(error: unknown): boolean {
  return error instanceof WorkerExitError && error.code === 'ERR_WORKER_KILLED';
}

test('SIGKILL at random moments: no task runs twice, only the running one fails, the rest run later', async () => {
  const deadline = performance.now() + 6_000;
  let rounds = 0;
  let totalKills = 0;
  while (rounds < 3 && performance.now() < deadline) {
    rounds++;
    const file = join(dir, `stream-${rounds}`);
    writeFileSync(file, '');
    const pool = new ProcessPoolExecutor({ maxWorkers: 2 });
    pools.push(pool);
    const futures: Future<number>[] = [];
    // Blocks of tiny tasks (a child batches their results) each ending in a
    // longer one of the same function, the moment a kill is most likely to hit.
    const n = 160;
    const long = (id: number): boolean => id % 20 === 19;
    for (let id = 0; id < n; id++) {
      futures.push(pool.submit(work.recordRun, file, id, long(id) ? 5 + Math.random() * 20 : 0));
    }
    const killed = new Set<number>();
    let settled = false;
    const all = Promise.allSettled(futures).then((r) => {
      settled = true;
      return r;
    });
    // Kill the child that began the latest task, at random moments, while the stream runs.
    while (!settled && killed.size < 4) {
      await pause(1 + Math.random() * 8);
      const last = lastRun(file);
      if (last === undefined || killed.has(last[1]) || settled) continue;
      if (!long(last[0]) && Math.random() < 0.7) continue;
      try {
        process.kill(last[1], 'SIGKILL');
        killed.add(last[1]);
      } catch {
        // already gone
      }
    }
    const outcomes = await all;
    await pool.terminate();
    const runs = readRuns(file);
    let failed = 0;
    for (let id = 0; id < n; id++) {
      const outcome = outcomes[id]!;
      const ran = runs.get(id) ?? [];
      assert.ok(ran.length <= 1, `task ${id} ran ${ran.length} times (pids ${ran.join(', ')})`);
      if (outcome.status === 'fulfilled') {
        assert.equal(outcome.value, id);
        assert.equal(ran.length, 1, `task ${id} delivered without a run on record`);
      } else {
        failed++;
        assert.ok(isKilled(outcome.reason), `task ${id} failed with ${String(outcome.reason)}`);
        // It was running on a child we killed (or had begun there and not yet written its record).
        for (const pid of ran) assert.ok(killed.has(pid), `task ${id} failed, but ran in ${pid}`);
      }
    }
    // Each dead child was running at most one task.
    assert.ok(failed <= killed.size, `${failed} tasks failed for ${killed.size} kills`);
    totalKills += killed.size;
  }
  assert.ok(totalKills > 0, 'the test killed children');
});

test('a task that kills its child fails alone: it is not retried, and results before it arrive', async () => {
  const file = join(dir, 'killer');
  writeFileSync(file, '');
  const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  pools.push(pool);
  // Warm up: recordRun is now known to be tiny, so the child batches its results.
  for (let i = 0; i < 20; i++) await pool.submit(work.recordRun, file, 10_000 + i, 0);
  for (let round = 0; round < 2; round++) {
    // Many tiny tasks of the same function, then one that kills its child: the child batches the results.
    const base = round * 100;
    const ids = Array.from({ length: 40 }, (_, i) => base + i);
    const before = ids.map((id) => pool.submit(work.recordRun, file, id, 0));
    const killer = pool.submit(work.recordRun, file, base + 40, 0, true);
    const afterwards = [41, 42].map((i) => pool.submit(work.recordRun, file, base + i, 0));
    assert.deepEqual(await Promise.all(before), ids);
    await assert.rejects(killer, isKilled);
    assert.deepEqual(await Promise.all(afterwards), [base + 41, base + 42]);
  }
  await pool.shutdown();
  const runs = readRuns(file);
  for (const [id, pids] of runs)
    assert.equal(pids.length, 1, `task ${id} ran ${pids.length} times`);
  assert.equal(runs.size, 20 + 2 * 43);
});

test('a task sent to a child that had just died runs on a new child', async () => {
  const file = join(dir, 'idle');
  writeFileSync(file, '');
  const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  pools.push(pool);
  for (let round = 0; round < 3; round++) {
    const pid = await pool.submit(work.pid);
    process.kill(pid, 'SIGKILL');
    // Sent at once, before the pool has seen the exit: the child never took it.
    assert.equal(await pool.submit(work.recordRun, file, round, 0), round);
    assert.notEqual(await pool.submit(work.pid), pid);
  }
  await pool.shutdown();
  for (const [id, pids] of readRuns(file)) assert.equal(pids.length, 1, `task ${id}`);
});

test('a kill loses no finished result of any kind: numbers, strings, objects, bytes, errors, large ones', async () => {
  const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  pools.push(pool);
  const kinds = [
    'number',
    'boolean',
    'null',
    'undefined',
    'string',
    'object',
    'bytes',
    'throw',
    'large',
  ];
  // Warm up: valueOrKill is known tiny, so nothing but the ledger keeps its results.
  for (let i = 0; i < 12; i++) await pool.submit(work.valueOrKill, 'number', i, false);
  for (let round = 0; round < 2; round++) {
    const n = 40 + round * 17;
    const kindOf = (id: number): string => kinds[(id + round) % kinds.length]!;
    const futures: Future<unknown>[] = [];
    for (let id = 0; id < n; id++)
      futures.push(pool.submit(work.valueOrKill, kindOf(id), id, false));
    const killer = pool.submit(work.valueOrKill, 'number', -1, true);
    const later = pool.submit(work.valueOrKill, 'string', 1000, false);
    const outcomes = await Promise.allSettled(futures);
    outcomes.forEach((outcome, id) => {
      const kind = kindOf(id);
      if (kind === 'throw') {
        assert.equal(outcome.status, 'rejected', `task ${id}`);
        assert.equal((outcome.reason as Error).message, `e${id}`);
        return;
      }
      assert.equal(
        outcome.status,
        'fulfilled',
        `${kind}: task ${id} failed: ${String((outcome as PromiseRejectedResult).reason)}`,
      );
      assert.deepEqual(outcome.value, valueOf(kind, id), `${kind}: task ${id}`);
    });
    await assert.rejects(killer, isKilled);
    assert.equal(await later, 's1000');
  }
});
