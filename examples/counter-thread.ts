// A thread written as a class that overrides run(): seeds/003, "Method 2 of
// creating thread" (threads_oo.py, CounterThread).
//
// As in Python, the subclass calls the base constructor and implements
// run(); start() runs run() in a new thread. weft needs one more line: the
// class says where its module is (`static module = import.meta.url`) so the
// new thread can load it. The thread works on a copy of the instance (its
// own fields cross as arguments do) and the fields come back when run()
// ends, so main reads `counted` after join() as it would in Python.
// The seed ignores its `c` argument and counts to 10 every 0.5 s; this port
// counts to `c`, every 20 ms.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/counter-thread.ts

import { isMainThread } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { Thread } from 'weft/threading';

export class CounterThread extends Thread {
  static module = import.meta.url;
  counted = 0;

  constructor(readonly c: number) {
    super(); // Python: Thread.__init__(self)
  }

  override async run(): Promise<void> {
    for (let i = 0; i < this.c; i++) {
      console.log(`${this.name}: counting ${i}`);
      this.counted++;
      await sleep(20);
    }
  }
}

// Like Python's `if __name__ == '__main__':` (each thread imports this module).
if (isMainThread) {
  const c1 = new CounterThread(10);
  const c2 = new CounterThread(7);
  c1.start();
  c2.start();
  await c1.join();
  await c2.join();
  console.log(`${c1.name} counted ${c1.counted}, ${c2.name} counted ${c2.counted}`);
}
