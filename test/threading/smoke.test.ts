import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lock, Thread, tasks, Event } from '../../src/threading/index.js';
import { SharedArray, Value } from '../../src/shared/index.js';

const work = tasks<typeof import('../fixtures/work.js')>(
  new URL('../fixtures/work.ts', import.meta.url),
);

test('locked increments across 4 threads are exact', async () => {
  const lock = new Lock();
  const counter = new SharedArray('i', 1);
  const threads = Array.from(
    { length: 4 },
    () => new Thread({ target: work.increment, args: [lock, counter, 50_000] }),
  );
  for (const t of threads) t.start();
  for (const t of threads) assert.equal(await t.join({ timeout: 60_000 }), true);
  assert.equal(counter.get(0), 200_000);
});

test('inline function thread sets an event', async () => {
  const ev = new Event();
  const done = new Value('i', 0);
  const t = new Thread({
    target: (e: Event, d: Value<'i'>) => {
      d.value = 7;
      e.set();
    },
    args: [ev, done],
  });
  t.start();
  assert.equal(await ev.wait({ timeout: 10_000 }), true);
  await t.join();
  assert.equal(done.value, 7);
});
