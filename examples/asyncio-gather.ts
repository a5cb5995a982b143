// asyncio gather: seeds/003, "Concurrency: asyncio".
//
// Two coroutines count concurrently in one thread, each sleeping between
// counts; `gather` waits for both. The seed sleeps 0.5 s per count; 50 ms
// shows the same interleaving: foo and bar take turns, foo first, because
// timers due in order fire in order.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/asyncio-gather.ts

import { gather, getEventLoop, sleep } from 'weft/asyncio';

async function foo(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    console.log(`foo: counting ${i}`);
    await sleep(50);
  }
}

async function bar(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    console.log(`bar: counting ${i}`);
    await sleep(50);
  }
}

const loop = getEventLoop();
await loop.runUntilComplete(gather(foo(), bar()));
