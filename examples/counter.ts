// Counter with and without locking: seeds/000, "#1 - Counter with and without locking".
//
// Five threads each increment one shared counter HOW_MANY times. Python's
// `self.count += offset` is a read, an add and a write; so is ours, spelled
// out. Under Python's GIL the unlocked counter loses updates only when a
// thread switch lands between the read and the write; weft threads run truly
// in parallel (each is a worker_threads isolate), so the unlocked counter loses
// many, and only the locked one is exact.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/counter.ts

import { isMainThread } from 'node:worker_threads';
import { Barrier, Lock, Thread, tasks } from 'weft/threading';
import { Value } from 'weft/shared';

const HOW_MANY = 20_000;
const THREADS = 5;

/** `count.value += offset` in three steps: read, a little work, write. */
function increment(count: Value<'i'>, offset: number): void {
  const seen = count.value;
  let next = seen;
  for (let step = 0; step < 10; step++) next += offset / 10; // a little work, in small steps
  count.value = Math.round(next);
}

/** A thread of Python's `run_threads(worker, how_many, StupidCounter())`: no lock. */
export function stupidWorker(count: Value<'i'>, howMany: number, start: Barrier): void {
  // Starting a Node thread takes tens of ms (a new V8 isolate), a Python one
  // microseconds: line the threads up so that they really count at the same time.
  start.waitSync();
  for (let i = 0; i < howMany; i++) increment(count, 1);
}

/** A thread of `run_threads(worker, how_many, LockingCounter())`: `with self.lock:` is `using`. */
export function lockingWorker(
  count: Value<'i'>,
  howMany: number,
  start: Barrier,
  lock: Lock,
): void {
  start.waitSync();
  for (let i = 0; i < howMany; i++) {
    using _held = lock.holdSync();
    increment(count, 1);
  }
}

// Every thread imports this module again to find its task function; like
// Python's `if __name__ == '__main__':`, only the main thread runs the program.
if (isMainThread) {
  const thisModule = tasks<typeof import('./counter.js')>(import.meta.url);

  async function runThreads(
    start: (count: Value<'i'>, barrier: Barrier) => Thread,
  ): Promise<number> {
    // Node threads share no globals: the counter lives in shared memory.
    const count = new Value('i', 0);
    const barrier = new Barrier(THREADS);
    const threads = Array.from({ length: THREADS }, () => start(count, barrier));
    for (const thread of threads) thread.start();
    for (const thread of threads) await thread.join();
    return count.value;
  }

  const lock = new Lock();
  const locked = await runThreads(
    (count, barrier) =>
      new Thread({ target: thisModule.lockingWorker, args: [count, HOW_MANY, barrier, lock] }),
  );
  console.log(`LockingCounter: should be ${THREADS * HOW_MANY}, found ${locked}`);

  const unlocked = await runThreads(
    (count, barrier) =>
      new Thread({ target: thisModule.stupidWorker, args: [count, HOW_MANY, barrier] }),
  );
  console.log(`StupidCounter: should be ${THREADS * HOW_MANY}, found ${unlocked}`);
  console.log(`Updates lost without the lock: ${THREADS * HOW_MANY - unlocked}`);
}
