// Producer/consumer with Condition: seeds/003, "ThreadSync: Condition"
// (the SynchronizedQueue example).
//
// One producer and four consumers share a bounded queue. Its storage is a
// ring buffer in shared memory (a SharedArray plus a head and a length), so
// every thread works on the same queue; one Lock guards it, and two
// Conditions over that lock say "not full" and "not empty", as CPython's own
// queue.Queue does. Two fixes to the seed's version: a woken thread re-checks
// its condition in a `while` (another consumer may have taken the item
// first), and both conditions share the queue's lock (the seed's three
// separate locks let a put and a get interleave between check and change).
// Python's threads loop forever; here the producer makes ITEMS items, then
// one DONE marker per consumer.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/condition.ts

import { isMainThread } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { Condition, Lock, Thread, currentThread, tasks } from 'weft/threading';
import { SharedArray } from 'weft/shared';

const CAPACITY = 5;
const ITEMS = 20;
const CONSUMERS = 4;
const DONE = -1;
const HEAD = 0;
const LENGTH = 1;

/** What a SynchronizedQueue is made of: shareables only, so it crosses into threads live. */
export interface QueueParts {
  readonly items: SharedArray<'i'>;
  readonly ring: SharedArray<'i'>; // [head, length]
  readonly lock: Lock;
  readonly notFull: Condition;
  readonly notEmpty: Condition;
}

export class SynchronizedQueue {
  constructor(readonly parts: QueueParts) {}

  static create(capacity: number): SynchronizedQueue {
    const lock = new Lock();
    return new SynchronizedQueue({
      items: new SharedArray('i', capacity),
      ring: new SharedArray('i', 2),
      lock,
      notFull: new Condition(lock),
      notEmpty: new Condition(lock),
    });
  }

  async put(value: number): Promise<void> {
    const { items, ring, lock, notFull, notEmpty } = this.parts;
    await using _held = await lock.hold();
    while (ring.get(LENGTH) >= items.length) await notFull.wait();
    items.set((ring.get(HEAD) + ring.get(LENGTH)) % items.length, value);
    ring.set(LENGTH, ring.get(LENGTH) + 1);
    notEmpty.notify();
  }

  async get(): Promise<number> {
    const { items, ring, lock, notFull, notEmpty } = this.parts;
    await using _held = await lock.hold();
    while (ring.get(LENGTH) === 0) await notEmpty.wait();
    const value = items.get(ring.get(HEAD));
    ring.set(HEAD, (ring.get(HEAD) + 1) % items.length);
    ring.set(LENGTH, ring.get(LENGTH) - 1);
    notFull.notify();
    return value;
  }

  toString(): string {
    const { items, ring, lock } = this.parts;
    using _held = lock.holdSync();
    const values: string[] = [];
    for (let i = 0; i < ring.get(LENGTH); i++) {
      const value = items.get((ring.get(HEAD) + i) % items.length);
      values.push(value === DONE ? 'DONE' : String(value));
    }
    return `[${values.join(', ')}]`;
  }
}

const randint = (a: number, b: number): number => a + Math.floor(Math.random() * (b - a + 1));

export async function producer(parts: QueueParts, items: number, consumers: number): Promise<void> {
  const data = new SynchronizedQueue(parts);
  for (let i = 0; i < items; i++) {
    const v = randint(10, 99);
    console.log(`producer: adding ${v}, queue = ${String(data)}`);
    await data.put(v);
    await sleep(Math.random() * 5); // faster than the consumers: the queue fills up
  }
  for (let i = 0; i < consumers; i++) await data.put(DONE);
}

export async function consumer(parts: QueueParts): Promise<void> {
  const data = new SynchronizedQueue(parts);
  const name = currentThread().name;
  for (;;) {
    const v = await data.get();
    if (v === DONE) break;
    console.log(`${name}: fetched ${v}, queue = ${String(data)}`);
    await sleep(Math.random() * 60); // sleep(random()), in ms
  }
}

// Every thread imports this module again to find its task function; like
// Python's `if __name__ == '__main__':`, only the main thread runs the program.
if (isMainThread) {
  const thisModule = tasks<typeof import('./condition.js')>(import.meta.url);
  const data = SynchronizedQueue.create(CAPACITY);
  const threads = [
    new Thread({ target: thisModule.producer, args: [data.parts, ITEMS, CONSUMERS] }),
    ...Array.from(
      { length: CONSUMERS },
      (_, i) =>
        new Thread({ target: thisModule.consumer, args: [data.parts], name: `consumer-${i + 1}` }),
    ),
  ];
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
  console.log(`main done: ${ITEMS} items produced and consumed, queue = ${String(data)}`);
}
