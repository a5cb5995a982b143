// Producer/consumer with Semaphores: seeds/003, "ThreadSync: Semaphore"
// (the SimpleQueue example).
//
// Two semaphores count the queue's filled and free slots: `get` takes a
// filled one (waiting while there is none) and gives back a free one; `put`
// does the opposite, so the queue never holds more than `size` items. The
// items live in a ring buffer in shared memory, guarded by a Lock (the seed
// leans on deque being thread-safe under the GIL). Semaphores have no owner:
// the consumer releases what the producer acquires. Python's threads loop
// forever; here the producer makes ITEMS items, and main shows the queue
// (when it changed) until both threads are done.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/semaphore.ts

import { isMainThread } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { Lock, Semaphore, Thread, tasks } from 'weft/threading';
import { SharedArray } from 'weft/shared';

const SIZE = 5;
const ITEMS = 12;
const HEAD = 0;
const LENGTH = 1;

/** What a SimpleQueue is made of: shareables only, so it crosses into threads live. */
export interface QueueParts {
  readonly items: SharedArray<'i'>;
  readonly ring: SharedArray<'i'>; // [head, length]
  readonly reader: Semaphore; // filled slots
  readonly writer: Semaphore; // free slots
  readonly lock: Lock;
}

export class SimpleQueue {
  constructor(readonly parts: QueueParts) {}

  static create(size: number): SimpleQueue {
    return new SimpleQueue({
      items: new SharedArray('i', size),
      ring: new SharedArray('i', 2),
      reader: new Semaphore(0),
      writer: new Semaphore(size),
      lock: new Lock(),
    });
  }

  toString(): string {
    const { items, ring, lock } = this.parts;
    using _held = lock.holdSync();
    const values: number[] = [];
    for (let i = 0; i < ring.get(LENGTH); i++) {
      values.push(items.get((ring.get(HEAD) + i) % items.length));
    }
    return `[${values.join(', ')}]`;
  }

  async put(v: number): Promise<void> {
    const { items, ring, reader, writer, lock } = this.parts;
    await writer.acquire();
    {
      await using _held = await lock.hold();
      items.set((ring.get(HEAD) + ring.get(LENGTH)) % items.length, v);
      ring.set(LENGTH, ring.get(LENGTH) + 1);
    }
    reader.release();
  }

  async get(): Promise<number> {
    const { items, ring, reader, writer, lock } = this.parts;
    await reader.acquire();
    let v: number;
    {
      await using _held = await lock.hold();
      v = items.get(ring.get(HEAD));
      ring.set(HEAD, (ring.get(HEAD) + 1) % items.length);
      ring.set(LENGTH, ring.get(LENGTH) - 1);
    }
    writer.release();
    return v;
  }
}

export async function producer(parts: QueueParts, count: number): Promise<void> {
  const queue = new SimpleQueue(parts);
  for (let i = 0; i < count; i++) {
    const v = 1 + Math.floor(Math.random() * 100); // randint(1, 100)
    console.log(`Produced: ${v}`);
    await queue.put(v);
    await sleep(v / 10); // sleep(v / 100.0), 100x faster
  }
}

export async function consumer(parts: QueueParts, count: number): Promise<void> {
  const queue = new SimpleQueue(parts);
  for (let i = 0; i < count; i++) {
    const v = await queue.get();
    console.log(`Consumed: ${v}`);
    await sleep(v / 10 + 30); // sleep(v / 100.0 + 0.3), 10-100x faster
  }
}

// Every thread imports this module again to find its task function; like
// Python's `if __name__ == '__main__':`, only the main thread runs the program.
if (isMainThread) {
  const thisModule = tasks<typeof import('./semaphore.js')>(import.meta.url);
  const queue = SimpleQueue.create(SIZE);
  const p = new Thread({ target: thisModule.producer, args: [queue.parts, ITEMS] });
  const c = new Thread({ target: thisModule.consumer, args: [queue.parts, ITEMS] });
  p.start();
  c.start();
  // Python's `while True: queue.show(); sleep(0.5)`, showing only changes.
  let shown = '';
  while (p.isAlive() || c.isAlive()) {
    if (String(queue) !== shown) console.log(`queue: ${(shown = String(queue))}`);
    await sleep(20);
  }
  await p.join();
  await c.join();
  console.log(`main done: queue = ${String(queue)}`);
}
