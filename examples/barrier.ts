// Barrier: seeds/003, "ThreadSync: Barriers".
//
// Ten threads sleep for a random while, then wait at the barrier: none goes
// on until all ten have arrived. Python sleeps 5-20 s; these sleep 25-100 ms.
// `barrier.wait()` returns each thread's distinct index in the round, 0..9.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/barrier.ts

import { Barrier, Thread } from 'weft/threading';

const THREADS = 10;

async function foo(c: number, msgBarrier: Barrier): Promise<void> {
  const { currentThread } = await import('weft/threading');
  const { setTimeout: sleep } = await import('node:timers/promises');
  const t = currentThread();
  console.log(`${t.name}: started...`);
  await sleep(c);
  console.log(`${t.name}: woke up...`);
  // Wait here till all the threads have arrived, then move ahead.
  const index = await msgBarrier.wait();
  console.log(`${t.name}: continuing... (arrived at the barrier as #${index})`);
}

// How many threads to wait for. (Python's barrier is a global; ours is passed
// to each thread, where it arrives as the same barrier.)
const msgBarrier = new Barrier(THREADS);

const threads: Thread[] = [];
for (let i = 0; i < THREADS; i++) {
  const sleepMs = 5 * (5 + Math.floor(Math.random() * 15)); // randrange(5, 20), in units of 5 ms
  const t = new Thread({ target: foo, args: [sleepMs, msgBarrier] });
  t.start();
  threads.push(t);
}
for (const t of threads) await t.join();
console.log('main done: all threads passed the barrier');
