// gevent foo and bar: seeds/003, "gevent" (gevent_simple.py).
//
// spawn() only creates and schedules the greenlets (so they print after
// the line showing them); joinAll runs them. Each yields with sleep(0) after
// every count, so they alternate strictly. A greenlet that blocked the
// thread instead (a busy loop, Atomics.wait) would stop the others: the
// switch happens only at an await.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/green-counting.ts

import { joinAll, sleep, spawn } from 'weft/green';

async function foo(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    console.log('foo: counting', i);
    await sleep(0); // the sleep time decides when the CPU is yielded
  }
}

async function bar(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    console.log('bar: counting', i);
    await sleep(0);
  }
}

const t1 = spawn(foo);
const t2 = spawn(bar);
console.log(t1, t2);
await joinAll([t1, t2]);
