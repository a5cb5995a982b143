// The seed's pipeline in its own class form: seeds/000, "2 - Pipeline using a
// Queue class with Locks ( done wrong )", class Worker(Thread) with
// `func`, `in_queue`, `out_queue`, `polled_count` and `work_done`.
//
// The seed's Worker polls: get() raises when the queue is empty, so it
// sleeps 10 ms and tries again, and `polled_count` ends far above
// `work_done` — the number that shows the waste. Here the same class waits
// on a weft Queue instead (a blocking get, no polling), and main reads both
// counters after join(), as the seed does: polled_count is work_done + 1
// (the last poll finds the queue shut down). examples/pipeline.ts explains
// the rest of what was wrong (unbounded queues, no end).
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/pipeline-workers.ts

import { isMainThread } from 'node:worker_threads';
import { Queue, QueueShutDown } from 'weft/queue';
import { Thread } from 'weft/threading';

const ITEMS = 1000;

const download = (x: string): string => x;
const resize = (x: string): string => x;
const upload = (x: string): string => x;
// A field crosses into the thread as a copy, and a function cannot be
// copied: the thread finds its function by name in its own copy of this module.
const FUNCS = { download, resize, upload };

export class Worker extends Thread {
  static module = import.meta.url;
  polledCount = 0;
  workDone = 0;

  constructor(
    readonly func: keyof typeof FUNCS,
    readonly inQueue: Queue<string>,
    readonly outQueue: Queue<string>,
  ) {
    super();
  }

  override async run(): Promise<void> {
    const func = FUNCS[this.func];
    for (;;) {
      this.polledCount += 1;
      let item: string;
      try {
        item = await this.inQueue.get(); // waits: no IndexError, no sleep(0.01)
      } catch (error) {
        if (error instanceof QueueShutDown) break;
        throw error;
      }
      await this.outQueue.put(func(item));
      this.workDone += 1;
    }
    this.outQueue.shutdown();
  }
}

if (isMainThread) {
  const downloadQueue = new Queue<string>({ maxsize: 10 });
  const resizeQueue = new Queue<string>({ maxsize: 10 });
  const uploadQueue = new Queue<string>({ maxsize: 10 });
  const doneQueue = new Queue<string>({ maxsize: 10 });
  const threads = [
    new Worker('download', downloadQueue, resizeQueue),
    new Worker('resize', resizeQueue, uploadQueue),
    new Worker('upload', uploadQueue, doneQueue),
  ];
  for (const t of threads) t.start();
  const feeding = (async () => {
    for (let i = 0; i < ITEMS; i++) await downloadQueue.put(`item-${i}`);
    downloadQueue.shutdown();
  })();
  let done = 0;
  for await (const _ of doneQueue) done++;
  await feeding;
  for (const t of threads) await t.join();
  console.log(`${done} items done`);
  for (const t of threads) {
    console.log(`${t.func}: polled ${t.polledCount} times, did ${t.workDone} items`);
  }
}
