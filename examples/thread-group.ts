// Waiting on a group of threads: seeds/003, "Thread group" (thread_join.py).
//
// We do not know which thread ends first, so main joins each in turn with a
// short timeout and rotates the deque until every thread has completed: a
// join-any loop. Python counts 15 and 10 times every 0.5 s; these count
// every 20 ms, and `join({ timeout: 100 })` blocks for at most 100 ms (and
// never blocks the event loop).
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/thread-group.ts

import { Thread } from 'weft/threading';

async function foo(): Promise<void> {
  const { setTimeout: sleep } = await import('node:timers/promises');
  for (let i = 0; i < 15; i++) {
    console.log(`foo: counting ${i}`);
    await sleep(20);
  }
}

async function bar(): Promise<void> {
  const { setTimeout: sleep } = await import('node:timers/promises');
  for (let i = 0; i < 10; i++) {
    console.log(`bar: counting ${i}`);
    await sleep(20);
  }
}

const t1 = new Thread({ target: foo, name: 'foo' });
const t2 = new Thread({ target: bar, name: 'testfn' });
t1.start();
t2.start();
console.log(`Created two threads: ${String(t1)} ${String(t2)}`);

const threads = [t1, t2]; // used as a deque
while (threads.length > 0) {
  const t = threads[0]!;
  await t.join({ timeout: 100 }); // block for at most 0.1 s
  if (!t.isAlive()) {
    threads.shift(); // no longer active: popleft()
    console.log(`${t.name} completed...`);
  } else {
    threads.push(threads.shift()!); // still running: rotate(-1), check the other one
  }
}
