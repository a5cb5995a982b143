// multiprocessing.Pool and ThreadPool: Python's API over weft's executors.
// Cases follow CPython's test_multiprocessing pool tests where they apply:
// map order, imap / imap_unordered completeness, chunksize, an error in a
// task, terminate with work pending, maxtasksperchild, join before close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AsyncResult,
  Pool,
  Process,
  ThreadPool,
  cpuCount,
} from '../../src/multiprocessing/index.js';
import { tasks } from '../../src/threading/index.js';
import { StateError, TimeoutError } from '../../src/internal/errors.js';

const work = tasks<typeof import('../fixtures/futures-work.js')>(
  new URL('../fixtures/futures-work.ts', import.meta.url),
);

for (const [name, make] of [
  ['Pool', (o: object = {}) => new Pool({ processes: 2, ...o })],
  ['ThreadPool', (o: object = {}) => new ThreadPool({ processes: 2, ...o })],
] as const) {
  test(`${name}: apply, map, starmap keep input order; chunksize any size`, async () => {
    await using pool = make();
    assert.equal(await pool.apply(work.add, [2, 3]), 5);
    const xs = Array.from({ length: 100 }, (_, i) => i);
    const expected = xs.map((x) => x + 1);
    assert.deepEqual(await pool.map(work.inc, xs), expected);
    for (const chunksize of [1, 3, 7, 100, 1000]) {
      assert.deepEqual(
        await pool.map(work.inc, xs, { chunksize }),
        expected,
        `chunksize ${chunksize}`,
      );
    }
    assert.deepEqual(await pool.map(work.inc, []), []);
    assert.deepEqual(
      await pool.starmap(work.gcd, [
        [12, 8],
        [30, 45],
        [7, 13],
      ]),
      [4, 15, 1],
    );
  });

  test(`${name}: imap yields in order, imapUnordered yields every result once`, async () => {
    await using pool = make();
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const ordered: number[] = [];
    for await (const y of pool.imap(work.inc, xs, { chunksize: 4 })) ordered.push(y);
    assert.deepEqual(
      ordered,
      xs.map((x) => x + 1),
    );
    for (const chunksize of [1, 6]) {
      const seen: number[] = [];
      for await (const y of pool.imapUnordered(work.inc, xs, { chunksize })) seen.push(y);
      assert.deepEqual(
        seen.sort((a, b) => a - b),
        xs.map((x) => x + 1),
      );
    }
    // Completion order: the fast task is yielded before the slow one.
    const first: unknown[] = [];
    for await (const v of pool.imapUnordered(work.sleep, [300, 1])) first.push(v);
    assert.equal(first.length, 2);
  });

  test(`${name}: applyAsync / mapAsync: get, wait, ready, successful, callbacks`, async () => {
    await using pool = make();
    const got: unknown[] = [];
    const r = pool.applyAsync(work.add, [1, 2], { callback: (v) => got.push(v) });
    assert.ok(r instanceof AsyncResult);
    assert.throws(() => {
      if (!r.ready()) r.successful();
      else throw new StateError('ERR_RESULT_NOT_READY', 'ready already');
    }, StateError);
    assert.equal(await r.get({ timeout: 30_000 }), 3);
    assert.equal(r.ready(), true);
    assert.equal(r.successful(), true);
    assert.deepEqual(got, [3]);

    const errors: unknown[] = [];
    const bad = pool.applyAsync(work.fail, ['boom'], { errorCallback: (e) => errors.push(e) });
    await assert.rejects(bad.get(), /boom/);
    assert.equal(bad.successful(), false);
    assert.equal(errors.length, 1);

    const slow = pool.applyAsync(work.sleep, [2000, 'late']);
    assert.equal(await slow.wait({ timeout: 20 }), false);
    await assert.rejects(slow.get({ timeout: 20 }), TimeoutError);

    const m = pool.mapAsync(work.inc, [1, 2, 3], { chunksize: 2 });
    assert.deepEqual(await m.get(), [2, 3, 4]);
    const s = pool.starmapAsync(work.add, [[1, 1]]);
    assert.deepEqual(await s.get(), [2]);
  });

  test(`${name}: an error in a task fails map at its position; others still run`, async () => {
    await using pool = make();
    await assert.rejects(pool.map(work.fail, ['x', 'y'], { chunksize: 1 }), /x|y/);
    await assert.rejects(pool.apply(work.fail, ['bad']), /bad/);
    assert.equal(await pool.apply(work.inc, [1]), 2);
  });

  test(`${name}: close then join waits for the submitted work; no new work after close`, async () => {
    const pool = make();
    const pending = pool.apply(work.sleep, [50, 'done']);
    await assert.rejects(
      pool.join(),
      (e: unknown) => (e as StateError).code === 'ERR_POOL_RUNNING',
    );
    pool.close();
    assert.throws(
      () => pool.apply(work.inc, [1]),
      (e: unknown) => (e as StateError).code === 'ERR_POOL_NOT_RUNNING',
    );
    await pool.join();
    assert.equal(await pending, 'done');
  });

  test(`${name}: terminate with work pending fails the pending work and stops the workers`, async () => {
    const pool = make();
    const running = pool.apply(work.sleep, [60_000, 'never']);
    const queued = pool.map(work.sleep, [60_000, 60_000, 60_000]);
    running.catch(() => undefined);
    queued.catch(() => undefined);
    await pool.terminate();
    await pool.join();
    await assert.rejects(running);
    await assert.rejects(queued);
  });

  test(`${name}: options are an object (Python's positional form is refused with its options form)`, () => {
    assert.throws(() => new Pool(4 as never), TypeError);
    assert.throws(() => new Pool({ processes: 0 }), RangeError);
  });
}

test('Pool: maxtasksperchild replaces a worker after that many tasks', async () => {
  await using pool = new Pool({ processes: 1, maxtasksperchild: 2 });
  const pids = await pool.starmap(work.pid, [[], [], [], [], [], []], { chunksize: 1 });
  assert.ok(new Set(pids).size >= 3, `pids: ${pids.join(',')}`);
});

test('cpuCount is the parallelism this process may use', () => {
  assert.ok(Number.isInteger(cpuCount()) && cpuCount() >= 1);
});

// Python's positional habits: every options parameter is checked (never ignored).
const POSITIONAL = [1, '2', null, [2], () => undefined, true] as const;

function coded(code: string): (e: unknown) => boolean {
  return (e: unknown) => (e as { code?: unknown }).code === code;
}

test('every options parameter of Pool, AsyncResult and Process refuses a non-object (ERR_INVALID_ARG_TYPE)', async () => {
  await using pool = new ThreadPool({ processes: 1 });
  const r = pool.applyAsync(work.inc, [1]);
  await r.get();
  const p = new Process({ target: work.inc, args: [1] });
  p.start();
  await p.join();
  const calls: [string, (bad: never) => unknown][] = [
    ['new Pool', (bad) => new Pool(bad)],
    ['new ThreadPool', (bad) => new ThreadPool(bad)],
    ['applyAsync', (bad) => pool.applyAsync(work.inc, [1], bad)],
    ['map', (bad) => pool.map(work.inc, [1], bad)],
    ['mapAsync', (bad) => pool.mapAsync(work.inc, [1], bad)],
    ['starmap', (bad) => pool.starmap(work.inc, [[1]], bad)],
    ['starmapAsync', (bad) => pool.starmapAsync(work.inc, [[1]], bad)],
    ['imap', (bad) => pool.imap(work.inc, [1], bad)],
    ['imapUnordered', (bad) => pool.imapUnordered(work.inc, [1], bad)],
    ['get', (bad) => r.get(bad)],
    ['wait', (bad) => r.wait(bad)],
    ['join', (bad) => p.join(bad)],
    ['joinSync', (bad) => p.joinSync(bad)],
  ];
  for (const [name, call] of calls) {
    for (const bad of POSITIONAL) {
      // Thrown at the call, or the returned promise rejects: never accepted.
      await assert.rejects(
        Promise.resolve().then(() => call(bad as never)),
        coded('ERR_INVALID_ARG_TYPE'),
        `${name}(${String(bad)})`,
      );
    }
  }
  // A non-function callback is refused too; a non-integer chunksize is refused.
  assert.throws(() => pool.applyAsync(work.inc, [1], { callback: 1 as never }), TypeError);
  assert.throws(() => pool.map(work.inc, [1], { chunksize: '2' as never }), TypeError);
});

test('map-like calls: a missing iterable is ERR_MISSING_ARGS, a non-iterable or a starmap item that is not an argument list ERR_INVALID_ARG_TYPE', () => {
  const pool = new ThreadPool({ processes: 1 });
  try {
    const maps = ['map', 'mapAsync', 'starmap', 'starmapAsync', 'imap', 'imapUnordered'] as const;
    for (const name of maps) {
      const call = pool[name].bind(pool) as (...args: unknown[]) => unknown;
      assert.throws(() => call(work.inc), coded('ERR_MISSING_ARGS'), name);
      assert.throws(() => call(work.inc, 5), coded('ERR_INVALID_ARG_TYPE'), name);
    }
    for (const name of ['starmap', 'starmapAsync'] as const) {
      const call = pool[name].bind(pool) as (...args: unknown[]) => unknown;
      assert.throws(() => call(work.add, [1, 2]), coded('ERR_INVALID_ARG_TYPE'), name);
    }
  } finally {
    void pool.terminate();
  }
});

for (const name of ['imap', 'imapUnordered'] as const) {
  test(`${name} reads an endless input lazily, a bounded look-ahead ahead of what it yields`, async () => {
    await using pool = new ThreadPool({ processes: 2 });
    let pulled = 0;
    function* naturals(): Generator<number> {
      for (let i = 0; ; i++) {
        pulled++;
        // Far past any bounded look-ahead: the input is being drained.
        if (pulled > 100_000) throw new Error('the input was drained');
        yield i;
      }
    }
    const got: number[] = [];
    for await (const x of pool[name](work.inc, naturals())) {
      got.push(x);
      if (got.length === 5) break;
    }
    assert.equal(got.length, 5);
    assert.ok(pulled < 100_000, `pulled ${pulled}`);
  });
}
