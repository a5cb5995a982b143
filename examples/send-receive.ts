// A sender and a receiver thread sharing a bounded Queue: seeds/003, "Inbuilt-
// Queue" (the Send / Recieve example).
//
// Send puts 1, 2, 3, … into a Queue(10); Recieve prints each count it gets.
// The seed's threads loop forever, once a second; these send COUNTS counts,
// every 5 ms, and the receiver takes one every 10 ms, so the sender runs
// ahead; were it to get 10 counts ahead, it would wait in put() for room.
// After the last count the sender shuts the queue down; the receiver's loop
// ends once it has taken everything left, and the program exits.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/send-receive.ts

import { isMainThread } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'weft/queue';
import { Thread, tasks } from 'weft/threading';

const COUNTS = 20;

export async function send(queue: Queue<number>, counts: number): Promise<void> {
  let count = 0;
  while (count < counts) {
    count += 1;
    await queue.put(count); // waits while the queue holds 10 counts
    await sleep(5);
  }
  queue.shutdown(); // no more counts: the receiver ends after the last one
  console.log(`Send: sent ${count} counts`);
}

export async function recieve(queue: Queue<number>): Promise<void> {
  for await (const count of queue) {
    console.log('Count: ', count); // Python's print("Count: ", x) prints two spaces, as here
    await sleep(10);
  }
}

// Every thread imports this module again to find its target; like Python's
// `if __name__ == '__main__':`, only the main thread runs the program.
if (isMainThread) {
  const thisModule = tasks<typeof import('./send-receive.js')>(import.meta.url);
  const dataQueue = new Queue<number>({ maxsize: 10 });

  const sender = new Thread({ name: 'Send', target: thisModule.send, args: [dataQueue, COUNTS] });
  const reciever = new Thread({ name: 'Recieve', target: thisModule.recieve, args: [dataQueue] });

  sender.start();
  reciever.start();
  await sender.join();
  await reciever.join();
  console.log('main done');
}
