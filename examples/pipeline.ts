// The download -> resize -> upload pipeline, done right: seeds/000, "2 -
// Pipeline using a Queue class with Locks ( done wrong )".
//
// What was wrong in the seed's version, and what replaces it here:
// - Busy waiting. Its MyQueue.get() raised IndexError when empty, so every
//   Worker polled in a loop with sleep(0.01): a stage waiting on a slow
//   earlier stage burned CPU doing nothing but checking, and then reacted up
//   to 10 ms late. Here `for await (… of inbox)` waits on the queue itself:
//   no polling, woken as soon as an item is put.
// - Unbounded queues. A deque grows without limit when a later stage is
//   slower, until the program runs out of memory. Here every queue is a
//   Queue({ maxsize: 10 }): a stage that gets ahead waits in `put`
//   (backpressure), so at most 10 items wait between two stages.
// - No end. Its threads loop forever, and main could only tell that the work
//   was over by busy waiting on done_queue until it held 1000 items. Here
//   main shuts the first queue down after the last item; each stage, once
//   its inbox is shut down and empty, shuts its outbox down in turn, so the
//   end flows down the line behind the last item and every thread returns.
//   Main drains the last queue the same way, and the program exits by itself.
// - A hand-made queue. A Lock around a deque gives no way to wait for "not
//   empty" or "not full"; weft's Queue is Python's queue.Queue, across threads.
// A stage that fails also shuts its outbox down (so later stages finish) and
// its inbox (so the stage before it stops waiting to put).
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/pipeline.ts

import { isMainThread } from 'node:worker_threads';
import { Queue } from 'weft/queue';
import { Thread, tasks } from 'weft/threading';

const ITEMS = 1000;
const MAXSIZE = 10;

// The seed's stage functions, minus their print of every item.
const download = (x: string): string => x;
const resize = (x: string): string => x;
const upload = (x: string): string => x;
const STAGES = { download, resize, upload };
export type StageName = keyof typeof STAGES;

/** One stage: takes items from `inbox`, passes `work(item)` on to `outbox`, reports its count. */
export async function stage(
  name: StageName,
  inbox: Queue<string>,
  outbox: Queue<string>,
  stats: Queue<[StageName, number]>,
): Promise<void> {
  const work = STAGES[name];
  let handled = 0;
  try {
    // Waits (without polling) for each item; ends once inbox is shut down and empty.
    for await (const item of inbox) {
      await outbox.put(work(item)); // waits while the next stage is behind
      handled++;
    }
  } catch (error) {
    inbox.shutdown({ immediate: true }); // the stage before stops waiting to put
    throw error;
  } finally {
    outbox.shutdown(); // the end flows on to the next stage
    await stats.put([name, handled]);
  }
}

// Every thread imports this module again to find `stage`; like Python's
// `if __name__ == '__main__':`, only the main thread runs the program.
if (isMainThread) {
  const thisModule = tasks<typeof import('./pipeline.js')>(import.meta.url);
  const downloadQueue = new Queue<string>({ maxsize: MAXSIZE });
  const resizeQueue = new Queue<string>({ maxsize: MAXSIZE });
  const uploadQueue = new Queue<string>({ maxsize: MAXSIZE });
  const doneQueue = new Queue<string>({ maxsize: MAXSIZE });
  const stats = new Queue<[StageName, number]>();

  const threads = [
    new Thread({
      name: 'download',
      target: thisModule.stage,
      args: ['download', downloadQueue, resizeQueue, stats],
    }),
    new Thread({
      name: 'resize',
      target: thisModule.stage,
      args: ['resize', resizeQueue, uploadQueue, stats],
    }),
    new Thread({
      name: 'upload',
      target: thisModule.stage,
      args: ['upload', uploadQueue, doneQueue, stats],
    }),
  ];
  for (const thread of threads) thread.start();

  // Feed the first queue and drain the last one at the same time: with
  // bounded queues, feeding all 1000 items first would wait forever once
  // every queue is full.
  const feed = async (): Promise<void> => {
    for (let i = 0; i < ITEMS; i++) await downloadQueue.put(String(i));
    downloadQueue.shutdown();
  };
  const drain = async (): Promise<string[]> => {
    const done: string[] = [];
    for await (const item of doneQueue) done.push(item);
    return done;
  };
  const [, done] = await Promise.all([feed(), drain()]);
  for (const thread of threads) await thread.join();

  const handled = new Map<StageName, number>();
  while (!stats.empty()) {
    const [name, count] = stats.getNowait();
    handled.set(name, count);
  }
  for (const name of Object.keys(STAGES) as StageName[]) {
    console.log(`${name}: ${handled.get(name) ?? 0}`);
  }
  const inOrder = done.every((item, i) => item === String(i));
  console.log(`main done: ${done.length} items through all three stages, in order: ${inOrder}`);
}
