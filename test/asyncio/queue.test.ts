// weft/asyncio's queues: the shared queue contract (test/queue/contract.ts),
// then what is specific to in-thread queues: items held by reference, the
// direct hand-off that makes aborts lose nothing, and leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
} from '../../src/asyncio/index.js';
import { pending } from '../../src/internal/scheduler.js';
import { queueContract } from '../queue/contract.js';

queueContract('asyncio', { Queue, LifoQueue, PriorityQueue });

test('items are held by reference, never copied', async () => {
  const q = new Queue<{ n: number }>();
  const item = { n: 1 };
  await q.put(item);
  assert.equal(await q.get(), item);
  const pq = new PriorityQueue<[number, { n: number }]>();
  const pair: [number, { n: number }] = [1, item];
  pq.putNowait(pair);
  assert.equal(pq.getNowait(), pair);
});

test('the errors are the shared classes with their codes', () => {
  const q = new Queue({ maxsize: 1 });
  assert.throws(
    () => q.getNowait(),
    (e) => e instanceof QueueEmpty && e.code === 'ERR_QUEUE_EMPTY',
  );
  q.putNowait(1);
  assert.throws(
    () => q.putNowait(2),
    (e) => e instanceof QueueFull && e.code === 'ERR_QUEUE_FULL',
  );
  q.shutdown();
  assert.throws(
    () => q.putNowait(2),
    (e) => e instanceof QueueShutDown,
  );
  assert.equal(q.isShutdown, true);
});

test('an item put while a get waits goes straight to it: aborting afterwards loses nothing', async () => {
  const q = new Queue<number>();
  const controller = new AbortController();
  const get = q.get({ signal: controller.signal });
  q.putNowait(42);
  controller.abort(new Error('too late'));
  assert.equal(await get, 42);
  assert.equal(q.qsize(), 0);
});

test('aborting one of several waiting gets: the others get the items in order', async () => {
  const q = new Queue<number>();
  const controllers = Array.from({ length: 5 }, () => new AbortController());
  const gets = controllers.map((c) => q.get({ signal: c.signal }));
  controllers[1]!.abort(new Error('one'));
  controllers[3]!.abort(new Error('three'));
  for (let i = 0; i < 3; i++) q.putNowait(i);
  const results = await Promise.allSettled(gets);
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
    [0, 'one', 1, 'three', 2],
  );
  assert.equal(q.qsize(), 0);
});

test('waiting gets and puts are served first come, first served (an item goes to the oldest get)', async () => {
  const classes: (new (options: { maxsize: number }) => Queue<number>)[] = [
    Queue,
    LifoQueue,
    PriorityQueue,
  ];
  for (const Q of classes) {
    const q = new Q({ maxsize: 1 });
    const gets = [q.get(), q.get(), q.get()];
    q.putNowait(1);
    q.putNowait(2);
    q.putNowait(3);
    assert.deepEqual(await Promise.all(gets), [1, 2, 3], Q.name);
    q.putNowait(0);
    const puts = [q.put(1), q.put(2), q.put(3)];
    const got: number[] = [];
    for (let i = 0; i < 4; i++) got.push(await q.get());
    await Promise.all(puts);
    assert.deepEqual(got, [0, 1, 2, 3], Q.name);
  }
});

test('a timed-out put leaves the queue as it was; a waiting put is admitted as room is made', async () => {
  const q = new Queue<number>({ maxsize: 1 });
  q.putNowait(1);
  await assert.rejects(q.put(2, { timeout: 5 }), QueueFull);
  const put = q.put(3);
  assert.equal(q.getNowait(), 1);
  assert.equal(q.qsize(), 1, 'the waiting put took the room at once');
  await put;
  assert.equal(q.getNowait(), 3);
});

test('a PriorityQueue hands a waiting put its turn in priority order', async () => {
  const q = new PriorityQueue<number>({ maxsize: 2 });
  q.putNowait(5);
  q.putNowait(1);
  const put = q.put(0);
  assert.equal(q.getNowait(), 1);
  await put;
  assert.deepEqual([q.getNowait(), q.getNowait()], [0, 5]);
});

test('no timer, listener or handle is left behind by waits that time out, abort or succeed', async () => {
  const q = new Queue<number>({ maxsize: 1 });
  const controller = new AbortController();
  const waits = [
    q.get({ timeout: 60_000, signal: controller.signal }),
    q.get({ timeout: 5 }).catch(() => -1),
    q.get({ signal: controller.signal }).catch(() => -2),
  ];
  q.putNowait(7);
  controller.abort();
  assert.deepEqual(await Promise.all(waits), [7, -1, -2]);
  q.putNowait(1);
  const put = q.put(2, { timeout: 60_000, signal: controller.signal }).catch(() => {});
  await put;
  await q.get();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(pending(), { timers: 0, ready: 0, handles: 0 });
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('raising maxsize admits waiting puts; join({ timeout }) returns false no sooner than it', async () => {
  const q = new Queue<number>({ maxsize: 1 });
  q.putNowait(1);
  const puts = [q.put(2), q.put(3), q.put(4)];
  q.maxsize = 3;
  assert.equal(q.qsize(), 3);
  q.maxsize = 0;
  await Promise.all(puts);
  assert.equal(q.qsize(), 4);
  assert.throws(() => (q.maxsize = -1), RangeError);
  const start = performance.now();
  assert.equal(await q.join({ timeout: 15 }), false);
  assert.ok(performance.now() - start >= 15);
  for (let i = 0; i < 4; i++) {
    q.getNowait();
    q.taskDone();
  }
  assert.equal(await q.join({ timeout: 0 }), true);
});

test('shutdown is idempotent and toString describes the queue', () => {
  const q = new LifoQueue<number>({ maxsize: 3 });
  q.putNowait(1);
  assert.equal(String(q), '<LifoQueue maxsize=3 qsize=1 tasks=1>');
  q.shutdown();
  q.shutdown();
  assert.equal(String(q), '<LifoQueue maxsize=3 qsize=1 tasks=1 shutdown>');
});

test('bad options are rejected with messages naming them', async () => {
  assert.throws(() => new Queue({ maxsize: 1.5 }), /`maxsize`/);
  const q = new Queue();
  await assert.rejects(q.get({ block: 'no' as never }), /`block`/);
  await assert.rejects(q.get({ signal: 1 as never }), /`signal`/);
  assert.throws(() => q.shutdown({ immediate: 1 as never }), /`immediate`/);
});
