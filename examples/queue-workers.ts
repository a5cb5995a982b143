// A pool of daemon worker threads fed by a Queue: seeds/004, "5.1 Queues for
// mt-mp data exchange".
//
// Ten daemon threads take items from one Queue; each prints what it got
// (under a Lock, as in the seed) and calls taskDone(); main puts 20 items and
// waits with join() until every one of them is done. The daemon threads then
// die with the program, still waiting for more work.
//
// One fix to the seed: its worker takes a single item and returns, so ten
// threads handle 10 of the 20 items and `q.join()` waits forever (the seed's
// output stops after ten lines, with no `main done`). Here each worker loops,
// like the long-lived consumer the text describes.
//
// A thread's console output reaches the terminal through the main thread.
// The worker waits for its line to be handed over before calling taskDone(),
// so every line is out before `main done`, even though the daemon threads
// are stopped abruptly at exit.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/queue-workers.ts

import { isMainThread } from 'node:worker_threads';
import { Queue } from 'weft/queue';
import { Lock, Thread, currentThread, tasks } from 'weft/threading';

const NUM_THREADS = 10;
const ITEMS = 20;

/** Writes a line and resolves once it has left this thread. */
function print(line: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(`${line}\n`, () => resolve()));
}

export async function worker(q: Queue<number>, lock: Lock): Promise<void> {
  for (;;) {
    const val = await q.get(); // waits until an item is available

    // do stuff...
    await using _held = await lock.hold(); // prevent printing at the same time
    await print(`in ${currentThread().name} got ${val}`);
    // For each get(), a later taskDone() tells the queue that the processing
    // of that item is complete; once all are, q.join() returns.
    q.taskDone();
  }
}

// Every thread imports this module again to find `worker`; like Python's
// `if __name__ == '__main__':`, only the main thread runs the program.
if (isMainThread) {
  const thisModule = tasks<typeof import('./queue-workers.js')>(import.meta.url);
  const q = new Queue<number>();
  const lock = new Lock();

  for (let i = 0; i < NUM_THREADS; i++) {
    const t = new Thread({
      name: `thread_num_${i + 1}`,
      target: thisModule.worker,
      args: [q, lock],
    });
    t.daemon = true; // dies when the main thread ends
    t.start();
  }

  // fill the queue with items
  for (let i = 0; i < ITEMS; i++) await q.put(i);

  await q.join(); // waits until every item put has been taken and processed
  console.log('main done');
}
