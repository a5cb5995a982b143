import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Queue,
  PriorityQueue,
  LifoQueue,
  SimpleQueue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
} from '../../src/queue/index.js';
import { Barrier, Lock, tasks, Thread } from '../../src/threading/index.js';
import { SharedArray, Value } from '../../src/shared/index.js';

const fx = tasks<typeof import('../fixtures/queues.js')>(
  new URL('../fixtures/queues.ts', import.meta.url),
);
const DEADLINE = { timeout: 120_000 };

async function joinAll(threads: Thread[]): Promise<void> {
  for (const t of threads) assert.equal(await t.join(DEADLINE), true, `${t.name} did not finish`);
}

function start(threads: Thread[]): Thread[] {
  for (const t of threads) t.start();
  return threads;
}

for (const mode of ['sync', 'async'] as const) {
  test(`4 producers and 4 consumers (${mode}) move 200,000 items through Queue(64): each exactly once`, async () => {
    const total = 200_000;
    const q = new Queue<number>({ maxsize: 64 });
    const out = new SharedArray('i', 2);
    const seen = new SharedArray('i', total);
    const produce = mode === 'sync' ? fx.produce : fx.produceAsync;
    const consume = mode === 'sync' ? fx.consume : fx.consumeAsync;
    const consumers = start(
      Array.from({ length: 4 }, () => new Thread({ target: consume, args: [q, out, seen] })),
    );
    const producers = start(
      Array.from(
        { length: 4 },
        (_, i) => new Thread({ target: produce, args: [q, i * (total / 4), total / 4] }),
      ),
    );
    await joinAll(producers);
    q.shutdown();
    await joinAll(consumers);
    assert.equal(out.get(0), total);
    // Sum of 0..total-1 modulo 2^32, as Atomics.add on int32 wraps.
    assert.equal(out.get(1), Number(BigInt.asIntN(32, BigInt((total * (total - 1)) / 2))));
    const counts = seen.toArray();
    assert.equal(counts.filter((c) => c !== 1).length, 0, 'an item was lost or delivered twice');
    assert.equal(q.qsize(), 0);
  });
}

test('PriorityQueue filled first: each of 4 concurrent consumers sees non-decreasing priorities', async () => {
  const q = new PriorityQueue<[number, number]>();
  const n = 20_000;
  for (let i = 0; i < n; i++) q.putNowait([(i * 7919) % 1000, i]);
  const barrier = new Barrier(4);
  const outs = Array.from({ length: 4 }, () => new SharedArray('i', 2));
  const threads = start(
    outs.map((out) => new Thread({ target: fx.drainPriority, args: [q, barrier, out] })),
  );
  await joinAll(threads);
  assert.equal(
    outs.reduce((s, o) => s + o.get(0), 0),
    0,
    'a consumer saw a priority go down',
  );
  assert.equal(
    outs.reduce((s, o) => s + o.get(1), 0),
    n,
  );
});

test('a getter blocked in another thread is woken by put, and by shutdown with QueueShutDown', async () => {
  const q = new Queue<number>();
  const out = new SharedArray('i', 1);
  let t = new Thread({ target: fx.getOne, args: [q, out, 60_000] });
  t.start();
  await q.put(42);
  await t.join(DEADLINE);
  assert.equal(out.get(0), 42);
  t = new Thread({ target: fx.getOne, args: [q, out, 60_000] });
  t.start();
  // Let the getter block, then shut down: it must wake with QueueShutDown.
  while (t.isAlive() && !(await t.join({ timeout: 20 }))) {
    q.shutdown();
  }
  assert.equal(out.get(0), -2);
});

test('a putter blocked on a full queue in another thread wakes on get, and on shutdown', async () => {
  const q = new Queue<number>({ maxsize: 1 });
  q.putNowait(1);
  const out = new SharedArray('i', 1);
  let t = new Thread({ target: fx.putOne, args: [q, out, 2] });
  t.start();
  assert.equal(await q.get(), 1);
  await t.join(DEADLINE);
  assert.equal(out.get(0), 1);
  assert.equal(q.getNowait(), 2);
  q.putNowait(3);
  t = new Thread({ target: fx.putOne, args: [q, out, 4] });
  t.start();
  while (!(await t.join({ timeout: 20 }))) q.shutdown();
  assert.equal(out.get(0), -2);
  assert.equal(q.getNowait(), 3, 'graceful shutdown keeps queued items');
  assert.throws(() => q.getNowait(), QueueShutDown);
});

test('join waits for taskDone from worker threads (seed: 10 daemon workers, 20 items)', async () => {
  const q = new Queue<number>();
  const done = new SharedArray('i', 1);
  const workers = start(
    Array.from(
      { length: 4 },
      () => new Thread({ target: fx.worker, args: [q, done], daemon: true }),
    ),
  );
  for (let i = 0; i < 20; i++) await q.put(i);
  assert.equal(await q.join(DEADLINE), true);
  assert.equal(done.get(0), 20);
  q.shutdown();
  await joinAll(workers);
});

test('shareables inside items arrive live in another thread and back', async () => {
  const input = new Queue<unknown>();
  const output = new Queue<unknown>();
  const lock = new Lock();
  const value = new Value('i', 5);
  const t = new Thread({ target: fx.echo, args: [input, output, 2] });
  t.start();
  await input.put({ lock, nested: [value], raw: new Int32Array(new SharedArrayBuffer(8)) });
  const back = (await output.get(DEADLINE)) as {
    lock: Lock;
    nested: [Value<'i'>];
    raw: Int32Array;
  };
  assert.ok(back.lock instanceof Lock);
  back.lock.acquireSync();
  assert.equal(lock.locked(), true, 'the lock that came back is the same lock');
  lock.release();
  back.nested[0].value = 9;
  assert.equal(value.value, 9);
  Atomics.store(back.raw, 1, 7);
  // A queue inside an item.
  const inner = new Queue<string>();
  await input.put(inner);
  const innerBack = (await output.get(DEADLINE)) as Queue<string>;
  innerBack.putNowait('through');
  assert.equal(inner.getNowait(), 'through');
  await t.join(DEADLINE);
});

test('shared memory first put by a thread that has since ended reaches the thread that made the queue', async () => {
  // The buffers are announced from the producer thread; this thread's event
  // loop turns (join) before it reads them, and the producer (and any buffer
  // directory it started) is gone by then.
  const q = new Queue<unknown>();
  const t = new Thread({ target: fx.putFresh, args: [q] });
  t.start();
  assert.equal(await t.join(DEADLINE), true);
  const item = (await q.get({ timeout: 5000 })) as { value: Value<'i'>; raw: Int32Array };
  assert.ok(item.value instanceof Value);
  assert.equal(item.value.value, 41);
  assert.equal(item.raw[0], 7);
});

test('a non-cloneable item throws DataCloneError and leaves the queue unchanged', () => {
  for (const q of [new Queue<unknown>(), new LifoQueue<unknown>()]) {
    q.putNowait(1);
    assert.throws(
      () => q.putNowait(() => 1),
      (e: unknown) => e instanceof DOMException && e.name === 'DataCloneError',
    );
    assert.throws(
      () => q.putNowait(Symbol('s')),
      (e: unknown) => e instanceof DOMException && e.name === 'DataCloneError',
    );
    assert.throws(
      () => q.putNowait({ f: () => 1 }),
      (e: unknown) => e instanceof DOMException && e.name === 'DataCloneError',
    );
    assert.equal(q.qsize(), 1);
    assert.equal(q.getNowait(), 1);
    assert.throws(() => q.getNowait(), QueueEmpty);
  }
});

test('bad arguments: negative maxsize or timeout and block:false with timeout are RangeErrors', async () => {
  assert.throws(() => new Queue({ maxsize: -1 }), RangeError);
  const q = new Queue<number>({ maxsize: 1 });
  await assert.rejects(q.put(1, { timeout: -1 }), RangeError);
  assert.throws(() => q.getSync({ timeout: -1 }), RangeError);
  assert.throws(() => q.getSync({ block: false, timeout: 5 }), RangeError);
  assert.throws(() => q.putSync(1, { timeout: Number.NaN }), TypeError);
  q.putNowait(1);
  assert.throws(() => q.putNowait(2), QueueFull);
  assert.throws(() => q.putSync(2, { timeout: 0 }), QueueFull);
});

test('PriorityQueue orders numbers, strings, bigints and pairs; mixing kinds throws and changes nothing', () => {
  const strings = new PriorityQueue<string>();
  for (const v of ['10', '23', '124', '434', '123', '2123', '3213', '123', '123', '123'])
    strings.putNowait(v);
  const got: string[] = [];
  while (!strings.empty()) got.push(strings.getNowait());
  // The seed's (Python's) output order.
  assert.deepEqual(got, ['10', '123', '123', '123', '123', '124', '2123', '23', '3213', '434']);
  const big = new PriorityQueue<bigint>();
  for (const v of [10n ** 20n, -5n, 3n]) big.putNowait(v);
  assert.deepEqual([big.getNowait(), big.getNowait(), big.getNowait()], [-5n, 3n, 10n ** 20n]);
  const pairs = new PriorityQueue<[number, string]>();
  pairs.putNowait([2, 'b1']);
  pairs.putNowait([1, 'a']);
  pairs.putNowait([2, 'b2']);
  pairs.putNowait([2, 'b3']);
  assert.throws(
    () => (pairs as unknown as PriorityQueue<[string, string]>).putNowait(['x', 'y']),
    TypeError,
  );
  assert.throws(() => (pairs as unknown as PriorityQueue<unknown>).putNowait({}), TypeError);
  assert.equal(pairs.qsize(), 4);
  assert.deepEqual(
    [pairs.getNowait(), pairs.getNowait(), pairs.getNowait(), pairs.getNowait()],
    [
      [1, 'a'],
      [2, 'b1'],
      [2, 'b2'],
      [2, 'b3'],
    ],
  );
});

test('a bounded queue keeps big items beside its ring: FIFO with small ones, memory reused, ceiling enforced', () => {
  // maxsize 64 takes the lock-free ring; items over a cell's 112 bytes live in its heap.
  const q = new Queue<unknown>({ maxsize: 64, maxBytes: 64 * 1024 });
  const big = (i: number): string => `${i}:${'y'.repeat(3000)}`;
  const bytes = (i: number): Uint8Array => new Uint8Array(500).fill(i & 255);
  for (let round = 0; round < 200; round++) {
    // Interleaved small and big items of every payload kind, in order.
    const items = [round, big(round), { round, list: [1, 2, 3] }, bytes(round), `s${round}`];
    for (const item of items) q.putNowait(item);
    for (const item of items) assert.deepEqual(q.getNowait(), item);
  }
  assert.equal(q.qsize(), 0);
  // Past the ceiling: a coded error, nothing put, the queue still consistent.
  let put = 0;
  let error: unknown;
  try {
    for (; put < 64; put++) q.putNowait(big(put));
  } catch (e) {
    error = e;
  }
  assert.equal((error as { code?: string }).code, 'ERR_QUEUE_MEMORY');
  assert.ok(put >= 4 && put < 64, `${put} big items fit in 64 KiB`);
  assert.equal(q.qsize(), put);
  q.putNowait(7);
  for (let i = 0; i < put; i++) assert.equal(q.getNowait(), big(i));
  assert.equal(q.getNowait(), 7);
  // Freed blocks are reused: as many fit again.
  for (let i = 0; i < put; i++) q.putNowait(big(i));
  assert.equal(q.qsize(), put);
});

test('big items cross threads through a bounded queue intact and in order', async () => {
  const input = new Queue<unknown>({ maxsize: 4 });
  const output = new Queue<unknown>({ maxsize: 4 });
  const count = 300;
  const t = new Thread({ target: fx.echo, args: [input, output, count] });
  t.start();
  const item = (i: number): unknown =>
    i % 3 === 0 ? `${i}:${'z'.repeat(i * 7)}` : { i, pad: 'p'.repeat(i) };
  const sending = (async () => {
    for (let i = 0; i < count; i++) await input.put(item(i), DEADLINE);
  })();
  for (let i = 0; i < count; i++) assert.deepEqual(await output.get(DEADLINE), item(i));
  await sending;
  assert.equal(await t.join(DEADLINE), true);
});

test('unbounded storage grows, compacts, and stops at maxBytes with ERR_QUEUE_MEMORY, staying consistent', () => {
  const q = new Queue<string>({ maxBytes: 256 * 1024 });
  const item = 'x'.repeat(400);
  let put = 0;
  let error: unknown;
  try {
    for (;;) {
      q.putNowait(`${String(put).padStart(6, '0')}:${item}`);
      put++;
    }
  } catch (e) {
    error = e;
  }
  assert.equal((error as { code?: string }).code, 'ERR_QUEUE_MEMORY');
  assert.ok(put > 200, `only ${put} items fit`);
  assert.equal(q.qsize(), put);
  // Interleave gets and puts to force compaction, checking FIFO order throughout.
  let next = 0;
  const rounds = 3 * put;
  for (let round = 0; round < rounds; round++) {
    assert.equal(q.getNowait(), `${String(next).padStart(6, '0')}:${item}`);
    next++;
    q.putNowait(`${String(put).padStart(6, '0')}:${item}`);
    put++;
  }
  assert.throws(
    () => q.putNowait('y'.repeat(300_000)),
    (e: unknown) => (e as { code?: string }).code === 'ERR_QUEUE_MEMORY',
  );
  while (!q.empty()) assert.equal(q.getNowait(), `${String(next++).padStart(6, '0')}:${item}`);
  assert.equal(next, put);
});

test('items of every cloneable kind round-trip', () => {
  const q = new Queue<unknown>();
  const items: unknown[] = [
    0,
    -1.5,
    Number.NaN,
    Infinity,
    '',
    'é😀',
    '\ud800 lone'.repeat(100),
    { lone: '\udc00', nested: [{ deep: [1, 2.5, 'x'] }], empty: {} },
    [-0, 1],
    { u: undefined },
    // eslint-disable-next-line no-sparse-arrays -- holes must survive the trip
    [1, , 3],
    'z'.repeat(2000),
    true,
    false,
    null,
    undefined,
    12n,
    { a: 1, b: [1, 'two', { c: null }] },
    [1, [2, [3]]],
    new Map([['k', new Set([1, 2])]]),
    new Date(0),
    new Uint8Array([1, 2, 3]),
    /re/g,
  ];
  for (const item of items) q.putNowait(item);
  for (const item of items) assert.deepEqual(q.getNowait(), item);
});

test('flat objects keep keys, key order, -0, NaN, undefined and an own __proto__ key', () => {
  const cases: Record<string, unknown>[] = [
    { id: 1, name: 'item-1' },
    { a: -0, b: NaN, c: -Infinity, d: undefined, e: null, f: true, g: false, h: '' },
    { 10: 'ten', 2: 'two', x: 'x' },
    {},
    JSON.parse('{"__proto__": 1, "k\\"ey": "v\\u0000\\ud800"}') as Record<string, unknown>,
    { id: 2, name: 'item-2' },
  ];
  for (const q of [
    new Queue<unknown>({ maxsize: 8 }),
    new Queue<unknown>(),
    new LifoQueue<unknown>(),
  ]) {
    for (const item of cases) {
      q.putNowait(item);
      const back = q.getNowait() as Record<string, unknown>;
      assert.equal(Object.getPrototypeOf(back), Object.prototype);
      assert.deepEqual(Object.keys(back), Object.keys(item));
      for (const key of Object.keys(item)) assert.ok(Object.is(back[key], item[key]), key);
    }
  }
});

test('short strings of every length up to the long-string path survive exactly', () => {
  const q = new Queue<string>();
  const units = 'aé😀\ud800z\udc00\u0000\uffff';
  const strings = Array.from({ length: 80 }, (_, n) =>
    Array.from({ length: n }, (_, i) => units[(i * 7 + n) % units.length]).join(''),
  );
  for (const s of strings) q.putNowait(s);
  for (const s of strings) assert.equal(q.getNowait(), s);
});

test('SimpleQueue: put never blocks, get waits, FIFO', async () => {
  const q = new SimpleQueue<number>();
  for (let i = 0; i < 1000; i++) q.put(i);
  assert.equal(q.qsize(), 1000);
  for (let i = 0; i < 1000; i++) assert.equal(await q.get(), i);
  assert.equal(q.empty(), true);
  assert.throws(() => q.getNowait(), QueueEmpty);
  const start = performance.now();
  assert.throws(() => q.getSync({ timeout: 30 }), QueueEmpty);
  assert.ok(performance.now() - start >= 29);
});

test('an aborted get takes nothing and an aborted put puts nothing', async () => {
  const q = new Queue<number>({ maxsize: 1 });
  const ac = new AbortController();
  const getting = q.get({ signal: ac.signal });
  ac.abort(new Error('stop'));
  await assert.rejects(getting, /stop/);
  q.putNowait(1);
  const ac2 = new AbortController();
  const putting = q.put(2, { signal: ac2.signal });
  ac2.abort(new Error('stop2'));
  await assert.rejects(putting, /stop2/);
  assert.equal(q.qsize(), 1);
  assert.equal(await q.get(), 1);
  assert.equal(q.qsize(), 0);
});

test('storage grown by one thread is seen by the others', async () => {
  const q = new Queue<string>();
  const t = new Thread({
    target: (queue: Queue<string>) => {
      for (let i = 0; i < 3000; i++) queue.putSync(`${i}:${'y'.repeat(1000)}`);
    },
    args: [q],
  });
  t.start();
  for (let i = 0; i < 3000; i++)
    assert.equal(await q.get({ timeout: 60_000 }), `${i}:${'y'.repeat(1000)}`);
  await t.join(DEADLINE);
  // And the other way round: grown here, read there.
  for (let i = 0; i < 3000; i++) q.putNowait(`${i}:${'z'.repeat(1000)}`);
  const out = new Queue<number>();
  const reader = new Thread({
    target: (queue: Queue<string>, result: Queue<number>) => {
      let ok = 0;
      for (let i = 0; i < 3000; i++) if (queue.getSync() === `${i}:${'z'.repeat(1000)}`) ok++;
      result.putSync(ok);
    },
    args: [q, out],
  });
  reader.start();
  assert.equal(await out.get({ timeout: 60_000 }), 3000);
  await reader.join(DEADLINE);
});
