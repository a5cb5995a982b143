// Thread subclasses that override run() (Python's "method 2"): run() runs in
// the new thread on a copy of the instance; its own fields come back at join.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lock, setExcepthook, StateError, Thread } from '../../src/threading/index.js';
import type { ExceptHookArgs } from '../../src/threading/index.js';
import { Queue } from '../../src/queue/index.js';
import { CounterThread, Failing, NoModule, Producer } from '../fixtures/thread-classes.js';

test('a subclass runs its run() in its own thread; fields come back after join', async () => {
  const threads = [new CounterThread(10), new CounterThread(7)];
  for (const t of threads) t.start();
  for (const t of threads) assert.equal(await t.join({ timeout: 30_000 }), true);
  assert.deepEqual(
    threads.map((t) => [t.count, t.seenName === t.name, t.sameThread]),
    [
      [10, true, true],
      [7, true, true],
    ],
  );
  assert.notEqual(threads[0]!.ident, undefined);
});

test('shareables in a subclass instance are live in its thread', async () => {
  const queue = new Queue<number>({ maxsize: 2 });
  const lock = new Lock();
  const producers = [new Producer(queue, lock, 50, 'p1'), new Producer(queue, lock, 50, 'p2')];
  for (const p of producers) p.start();
  let sum = 0;
  for (let i = 0; i < 100; i++) sum += await queue.get({ timeout: 30_000 });
  for (const p of producers) await p.join({ timeout: 30_000 });
  assert.equal(sum, 2 * ((49 * 50) / 2));
  assert.deepEqual(
    producers.map((p) => [p.name, p.put]),
    [
      ['p1', 50],
      ['p2', 50],
    ],
  );
});

test('an error in run() reaches the excepthook; the fields still come back', async () => {
  const seen: ExceptHookArgs[] = [];
  const previous = setExcepthook((args) => seen.push(args));
  try {
    const t = new Failing();
    t.start();
    await t.join({ timeout: 30_000 });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.excType, 'RangeError');
    assert.equal(seen[0]!.thread, t);
    assert.equal(t.reached, 1);
  } finally {
    setExcepthook(previous);
  }
});

test('a subclass without `static module` is refused at start() with a coded error', () => {
  const t = new NoModule();
  assert.throws(
    () => t.start(),
    (e: unknown) => e instanceof StateError && e.code === 'ERR_THREAD_CLASS_MODULE',
  );
});

test('a plain Thread still needs a target; calling run() on one runs its target here', async () => {
  assert.throws(() => new Thread(), TypeError);
  let ran = 0;
  const t = new Thread({ target: (n: number) => n * 2, args: [21] });
  ran = (await t.run()) as number;
  assert.equal(ran, 42);
});
