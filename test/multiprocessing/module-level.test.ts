// weft/multiprocessing's own Value, Array, Lock, RLock, Semaphore,
// BoundedSemaphore, Event, Condition, Barrier, Queue, JoinableQueue
// (Python's module-level ones): made with `new`, served by a private server
// of the thread that makes them, working from Processes, Pool tasks and
// Threads they are passed to.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import {
  Array as MpArray,
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  JoinableQueue,
  Lock,
  Manager,
  Pool,
  Process,
  Queue,
  RLock,
  Semaphore,
  Value,
} from '../../src/multiprocessing/index.js';
import { Thread, tasks } from '../../src/threading/index.js';
import { Value as ThreadValue } from '../../src/shared/index.js';
import type { All } from '../fixtures/mp-primitives.js';

const work = tasks<typeof import('../fixtures/mp-primitives.js')>(
  new URL('../fixtures/mp-primitives.ts', import.meta.url),
);
const DEADLINE = 60_000;

const code = (c: string, Class?: new (...args: never[]) => Error) => (e: unknown) =>
  (e as { code?: unknown }).code === c && (Class === undefined || e instanceof Class);

const pool = new Pool({ processes: 2 });
after(() => pool.terminate());

async function runAll(ps: readonly Process[]): Promise<void> {
  for (const p of ps) p.start();
  for (const p of ps) await p.join({ timeout: DEADLINE });
  assert.deepEqual(
    ps.map((p) => p.exitCode),
    ps.map(() => 0),
  );
}

function makeAll(): All {
  return {
    value: new Value('i', 0),
    array: new MpArray('d', [0, 100, 200]),
    lock: new Lock(),
    rlock: new RLock(),
    semaphore: new Semaphore(1),
    bounded: new BoundedSemaphore(1),
    event: new Event(),
    condition: new Condition(),
    barrier: new Barrier(1),
    queue: new Queue<string>(),
    joinable: new JoinableQueue<number>(),
  };
}

const CLASSES = {
  value: 'Value',
  array: 'Array',
  lock: 'Lock',
  rlock: 'RLock',
  semaphore: 'Semaphore',
  bounded: 'BoundedSemaphore',
  event: 'Event',
  condition: 'Condition',
  barrier: 'Barrier',
  queue: 'Queue',
  joinable: 'JoinableQueue',
};

function checkReport(report: Record<string, unknown>, all: All, who: string): void {
  assert.deepEqual(report.classes, CLASSES, 'each arrives as its own class');
  assert.equal(report.value, 1);
  assert.equal(report.lengths, 3);
  assert.equal(report.lock, true);
  assert.equal(report.reentered, true);
  assert.equal(report.semaphore, true);
  assert.equal(report.overreleased, 'ERR_SEMAPHORE_OVERRELEASED');
  assert.equal(report.barrier, 0);
  assert.equal(report.item, 5);
  assert.equal(report.typecodes, 'id');
  // What it did is seen here.
  assert.equal(all.value.value, 1);
  assert.deepEqual(all.array.toArraySync(), [0, 110, 200]);
  assert.equal(all.event.isSet(), true);
  assert.equal(all.queue.getSync({ timeout: 0 }), `from ${who}`);
  assert.equal(all.lock.locked(), false);
  assert.equal(all.semaphore.value, 1);
}

describe('each primitive works where it is passed', () => {
  test('from a Process: every one arrives as its class and works; its effects are seen here', async () => {
    const all = makeAll();
    all.joinable.putSync(5);
    const out = new Queue<Record<string, unknown>>();
    await runAll([new Process({ target: work.exerciseInto, args: [all, 'process', out] })]);
    checkReport(out.getSync({ timeout: 0 }), all, 'process');
    await all.joinable.join();
  });

  test('from a Pool task: the same, the report coming back as the result', async () => {
    const all = makeAll();
    all.joinable.putSync(5);
    const report = await pool.apply(work.exercise, [all, 'pool']);
    checkReport(report, all, 'pool');
    await all.joinable.join();
  });

  test('from a Thread: the same', async () => {
    const all = makeAll();
    all.joinable.putSync(5);
    const out = new Queue<Record<string, unknown>>();
    const t = new Thread({ target: work.exerciseInto, args: [all, 'thread', out] });
    t.start();
    await t.join();
    checkReport(await out.get({ timeout: DEADLINE }), all, 'thread');
  });

  test('one made in a child lives in that child (its own server) and is reachable from here while it lives', async () => {
    const v = await pool.apply(work.makeHere, [7]);
    assert.ok(v instanceof Value);
    assert.equal(v.value, 7);
    assert.equal(v.addSync(1), 8);
    assert.notDeepEqual(v.address, new Value('i', 0).address);
  });
});

describe('locked read-modify-write across processes is exact', () => {
  test('2 processes x 150 `v.value += 1` under getLock(): 300', async () => {
    const v = new Value('i', 0);
    await runAll([0, 1].map(() => new Process({ target: work.increment, args: [v, 150] })));
    assert.equal(v.value, 300);
  });

  test('2 processes x 100 Array increments under getLock(): every element +200 (seed 004)', async () => {
    const a = new MpArray('d', [0, 100, 200]);
    await runAll([0, 1].map(() => new Process({ target: work.incrementArray, args: [a, 100] })));
    assert.deepEqual([...a], [200, 300, 400]);
  });

  test('2 Pool tasks x 150 increments through a lock of their own: 300', async () => {
    const lock = new Lock();
    const v = new Value('i', 0, { lock });
    assert.equal(v.getLock(), lock);
    await pool.starmap(work.increment, [
      [v, 150],
      [v, 150],
    ]);
    assert.equal(v.value, 300);
  });
});

describe('queues and synchronization across processes', () => {
  test('Queue: two producer processes, every item arrives once', async () => {
    const q = new Queue<number>({ maxsize: 10 });
    const producers = [0, 100].map(
      (first) => new Process({ target: work.produce, args: [q, first, 50] }),
    );
    for (const p of producers) p.start();
    const got: number[] = [];
    for (let i = 0; i < 100; i++) got.push(await q.get({ timeout: DEADLINE }));
    for (const p of producers) await p.join({ timeout: DEADLINE });
    const expected = [
      ...Array.from({ length: 50 }, (_, i) => i),
      ...Array.from({ length: 50 }, (_, i) => 100 + i),
    ];
    assert.deepEqual(
      got.sort((x, y) => x - y),
      expected,
    );
    assert.equal(q.empty(), true);
  });

  test('JoinableQueue: join() resolves once two consumer processes marked every item done', async () => {
    const q = new JoinableQueue<number | null>();
    const out = new Queue<number>();
    const consumers = [0, 1].map(() => new Process({ target: work.consume, args: [q, out] }));
    for (const p of consumers) p.start();
    for (let i = 1; i <= 20; i++) await q.put(i);
    await q.put(null);
    await q.put(null);
    await q.join();
    // join() resolved: every item was taken and done, so every result is in `out`.
    const results: number[] = [];
    while (!out.empty()) results.push(out.getNowait());
    assert.deepEqual(
      results.sort((x, y) => x - y),
      Array.from({ length: 20 }, (_, i) => 2 * (i + 1)),
    );
    for (const p of consumers) await p.join({ timeout: DEADLINE });
  });

  test('Event: a process sets one and waits for another set here', async () => {
    const ready = new Event();
    const go = new Event();
    const p = new Process({ target: work.handshake, args: [ready, go] });
    p.start();
    assert.equal(await ready.wait({ timeout: DEADLINE }), true);
    go.set();
    await p.join({ timeout: DEADLINE });
    assert.equal(p.exitCode, 0);
  });

  test('Barrier: two processes and this one pass together, with distinct indexes', async () => {
    const barrier = new Barrier(3);
    const out = new Queue<number>();
    const ps = [0, 1].map(() => new Process({ target: work.meet, args: [barrier, out] }));
    for (const p of ps) p.start();
    const mine = await barrier.wait({ timeout: DEADLINE });
    const theirs = [await out.get({ timeout: DEADLINE }), await out.get({ timeout: DEADLINE })];
    assert.deepEqual([mine, ...theirs].sort(), [0, 1, 2]);
    for (const p of ps) await p.join({ timeout: DEADLINE });
  });

  test('Condition: a process waits for a value this one sets and notifies', async () => {
    const lock = new Lock();
    const cond = new Condition(lock);
    const box = new Value('i', 0, { lock: false });
    const out = new Queue<number>();
    const p = new Process({ target: work.awaitBox, args: [cond, box, out] });
    p.start();
    {
      using _ = await cond.hold();
      box.value = 42;
      cond.notifyAll();
    }
    assert.equal(await out.get({ timeout: DEADLINE }), 42);
    await p.join({ timeout: DEADLINE });
    assert.equal(p.exitCode, 0);
  });

  test("a Condition over a Manager's lock is made in that manager", async () => {
    await using manager = await Manager.start();
    const lock = await manager.Lock();
    const cond = new Condition(lock);
    assert.deepEqual(cond.address, manager.address);
    cond.acquireSync();
    assert.equal(lock.locked(), true);
    cond.release();
  });
});

describe('the API', () => {
  test('Value: .value, get/set/add and their Sync twins, type, typecode, toString; bigint types', async () => {
    const v = new Value('int32', 5);
    assert.equal(v.type, 'int32');
    assert.equal(v.typecode, 'i');
    assert.equal(v.value, 5);
    v.value = 6;
    assert.equal(await v.get(), 6);
    await v.set(7);
    assert.equal(v.getSync(), 7);
    assert.equal(await v.add(3), 10);
    assert.equal(v.addSync(-1), 9);
    assert.equal(String(v), '<Value(i, 9)>');
    assert.equal(new Value('d').value, 0);
    const big = new Value('q');
    assert.equal(big.value, 0n);
    big.value = 2n ** 40n;
    assert.equal(big.addSync(1n), 2n ** 40n + 1n);
    assert.ok(v.getLock() instanceof RLock, "Python's default lock is an RLock");
  });

  test('Array: from values or a size, negative indexes, iteration, length without a call', async () => {
    const a = new MpArray('i', 3);
    assert.deepEqual([...a], [0, 0, 0]);
    assert.equal(a.lengthSync(), 3);
    assert.equal(await a.length(), 3);
    await a.set(-1, 9);
    assert.equal(a.getSync(2), 9);
    assert.equal(a.addSync(0, 4), 4);
    assert.equal(String(a), '<Array(i, [4, 0, 9])>');
    const bytes = new MpArray('B', Buffer.from('hi'));
    assert.equal(Buffer.from(bytes.toArraySync()).toString(), 'hi');
  });

  test('lock: false has no lock (ERR_NO_LOCK), as Python has no get_lock() then', () => {
    const v = new Value('i', 0, { lock: false });
    assert.throws(() => v.getLock(), code('ERR_NO_LOCK'));
    const a = new MpArray('d', 2, { lock: false });
    assert.throws(() => a.getLock(), code('ERR_NO_LOCK'));
  });

  test('bad input: coded TypeErrors and RangeErrors, nothing made', () => {
    assert.throws(() => new Value('x' as 'i', 0), code('ERR_INVALID_ARG_VALUE', TypeError));
    assert.throws(() => new Value(3 as never, 0 as never), code('ERR_INVALID_ARG_TYPE', TypeError));
    assert.throws(() => new Value('B', 300), code('ERR_OUT_OF_RANGE', RangeError));
    assert.throws(() => new Value('i', 1.5), code('ERR_INVALID_ARG_TYPE', TypeError));
    assert.throws(() => new Value('q', 1 as never), code('ERR_INVALID_ARG_TYPE', TypeError));
    assert.throws(() => new Value('i', 0, 5 as never), code('ERR_INVALID_ARG_TYPE', TypeError));
    assert.throws(
      () => new Value('i', 0, { lock: 'yes' as never }),
      code('ERR_INVALID_ARG_TYPE', TypeError),
    );
    const v = new Value('i', 1);
    assert.throws(() => (v.value = 2 ** 40), code('ERR_OUT_OF_RANGE', RangeError));
    assert.throws(() => v.setSync(0.5), code('ERR_INVALID_ARG_TYPE', TypeError));
    assert.equal(v.value, 1, 'a refused write changes nothing');
    assert.throws(() => new MpArray('i', -1), code('ERR_OUT_OF_RANGE', RangeError));
    assert.throws(() => new MpArray('i', 1.5), code('ERR_INVALID_ARG_TYPE', TypeError));
    assert.throws(() => new MpArray('i', {} as never), code('ERR_INVALID_ARG_TYPE', TypeError));
    assert.throws(() => new MpArray('h', [1, 70_000]), code('ERR_OUT_OF_RANGE', RangeError));
    const a = new MpArray('i', 2);
    assert.throws(() => a.getSync(2), code('ERR_OUT_OF_RANGE', RangeError));
    assert.throws(() => a.setSync(0, 2 ** 40), code('ERR_OUT_OF_RANGE', RangeError));
    assert.throws(() => new Semaphore(-1), code('ERR_OUT_OF_RANGE', RangeError));
    assert.throws(() => new BoundedSemaphore(1.5), code('ERR_INVALID_ARG_TYPE', TypeError));
    assert.throws(() => new Barrier(0), code('ERR_OUT_OF_RANGE', RangeError));
    assert.throws(() => new Barrier(2, { timeout: -1 }), code('ERR_OUT_OF_RANGE', RangeError));
    assert.throws(
      () => new Barrier(2, { action: () => undefined } as never),
      code('ERR_INVALID_ARG_TYPE', TypeError),
    );
    assert.throws(() => new Queue({ maxsize: -1 }), code('ERR_OUT_OF_RANGE', RangeError));
    assert.throws(() => new JoinableQueue(3 as never), code('ERR_INVALID_ARG_TYPE', TypeError));
    assert.throws(
      () => new Condition(new Semaphore() as never),
      code('ERR_INVALID_ARG_TYPE', TypeError),
    );
  });

  test("a thread-only weft/shared Value is refused by Process and Pool, naming weft/multiprocessing's forms", async () => {
    const p = new Process({ target: work.increment, args: [new ThreadValue('i', 0) as never, 1] });
    const named = (e: unknown): boolean =>
      code('ERR_SHAREABLE_PROCESS', TypeError)(e) &&
      /weft\/multiprocessing/.test((e as Error).message) &&
      /new Value\(/.test((e as Error).message);
    assert.throws(() => p.start(), named);
    await assert.rejects(
      async () => pool.apply(work.increment, [new ThreadValue('i', 0) as never, 1]),
      named,
    );
  });
});

test("the private server never keeps a program alive, and its socket's directory goes at exit", () => {
  const r = spawnSync(
    process.execPath,
    ['--import', './scripts/register-tsx.mjs', 'test/fixtures/programs/mp-primitives-exit.ts'],
    { encoding: 'utf8', timeout: DEADLINE },
  );
  assert.equal(r.signal, null, `the program did not end by itself: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  const [path, done] = r.stdout.split('\n');
  assert.equal(done, 'done 2');
  assert.ok(path !== undefined && path.length > 0);
  assert.equal(existsSync(path), false, 'the socket directory was removed');
});
