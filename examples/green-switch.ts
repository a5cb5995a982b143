// Concurrency using gevent: seeds/001, "#11" (both versions).
//
// Only one greenlet runs at a time; `await sleep(0)` is the explicit switch:
// the greenlets already waiting run first, in order, then this one goes on.
// So the order is fixed: greenlets start in the order they were spawned and
// take turns at each sleep(0). That also answers the seed's question about
// why the order of spawning decides the order of the steps.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/green-switch.ts

import { joinAll, sleep, spawn } from 'weft/green';

async function foo(): Promise<void> {
  console.log('Running in foo');
  await sleep(0); // forcing a yield
  console.log('Explicit context switch to foo again');
}

async function bar(): Promise<void> {
  console.log('Explicit context switch to bar');
  await sleep(0);
  console.log('Implicit context switch back to bar');
}

await joinAll([spawn(foo), spawn(bar)]);

// The same with a decorator, "just for the sake of it".
function logger(f: () => Promise<void>): () => Promise<void> {
  return async function inner() {
    console.log('>> ', f.name);
    await f();
    console.log('<< ', f.name);
  };
}

const foo2 = logger(async function foo() {
  await sleep(0);
});
const bar2 = logger(async function bar() {
  await sleep(0);
});

await joinAll([spawn(foo2), spawn(bar2)]);
