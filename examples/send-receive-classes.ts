// The Send / Recieve example of seeds/003 ("Inbuilt-Queue") as the seed
// writes it: two Thread subclasses that override run() and share a
// Queue(10) held in a field. (examples/send-receive.ts is the same program
// with target functions.) The seed's threads loop forever, once a second;
// here Send sends COUNTS counts every 5 ms and then shuts the queue down, and
// Recieve's loop ends after the last one. Each keeps a count in a field that
// main reads after join().
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/send-receive-classes.ts

import { isMainThread } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'weft/queue';
import { Thread } from 'weft/threading';

const COUNTS = 20;

export class Send extends Thread {
  static module = import.meta.url;
  count = 0;

  constructor(readonly queue: Queue<number>) {
    super({ name: 'Send' });
  }

  override async run(): Promise<void> {
    while (this.count < COUNTS) {
      this.count += 1;
      await this.queue.put(this.count); // waits while the queue holds 10 counts
      await sleep(5);
    }
    this.queue.shutdown();
  }
}

export class Recieve extends Thread {
  static module = import.meta.url;
  received = 0;

  constructor(readonly queue: Queue<number>) {
    super({ name: 'Recieve' });
  }

  override async run(): Promise<void> {
    for await (const count of this.queue) {
      console.log('Count: ', count);
      this.received++;
      await sleep(10);
    }
  }
}

if (isMainThread) {
  const dataQueue = new Queue<number>({ maxsize: 10 });
  const sender = new Send(dataQueue);
  const reciever = new Recieve(dataQueue);
  sender.start();
  reciever.start();
  await sender.join();
  await reciever.join();
  console.log(`sent ${sender.count}, received ${reciever.received}`);
}
