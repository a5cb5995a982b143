// Random, non-deterministic scheduling: seeds/001, "#13".
//
// Each task sleeps 0, 1 or 2 ms at random, then prints. Run one after the
// other they finish in order and the times add up; spawned together they
// finish in the order their random sleeps end, and take about as long as
// the longest one. The randomness is in the inputs: the scheduler itself is
// deterministic (same sleeps, same order).
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/green-random.ts

import { joinAll, sleep, spawn } from 'weft/green';

function timethis<A extends unknown[]>(
  fn: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const start = performance.now();
    await fn(...args);
    console.log(`__main__.${fn.name} : ${((performance.now() - start) / 1000).toFixed(6)}`);
  };
}

/** Some non-deterministic task, like a random wait. */
async function task(pid: number): Promise<void> {
  await sleep(Math.floor(Math.random() * 3)); // random.randint(0, 2) ms
  console.log(`task ${pid} done`);
}

const synchronous = timethis(async function synchronous() {
  for (let i = 1; i < 10; i++) await task(i);
});

const asynchronous = timethis(async function asynchronous() {
  const threads = Array.from({ length: 10 }, (_, i) => spawn(task, i)); // only created, not run
  await joinAll(threads); // runs them until all are done
});

console.log('Synchronous');
await synchronous();
console.log('Async');
await asynchronous();
