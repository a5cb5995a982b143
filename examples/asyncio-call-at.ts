// asyncio call_at: seeds/002, "#6".
//
// `loop.time()` is the loop's monotonic clock (ms here, seconds in Python),
// unrelated to the wall clock; `callAt(when)` schedules on it. A callback
// never runs before its time, so each prints a time at or after its `when`.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/asyncio-call-at.ts

import { getEventLoop, sleep } from 'weft/asyncio';
import type { EventLoop } from 'weft/asyncio';

function callback(n: number, loop: EventLoop): void {
  console.log(`callback ${n} invoked at ${loop.time().toFixed(3)}`);
}

async function main(loop: EventLoop): Promise<void> {
  const now = loop.time();
  console.log(`clock time: ${Date.now() / 1000}`);
  console.log(`loop time: ${now.toFixed(3)}`);
  console.log('registering callbacks');
  loop.callAt(now + 200, callback, 1, loop);
  loop.callAt(now + 100, callback, 2, loop);
  loop.callSoon(callback, 3, loop);
  await sleep(1000);
}

const eventLoop = getEventLoop();
try {
  console.log('entering event loop');
  await eventLoop.runUntilComplete(main(eventLoop));
} finally {
  console.log('closing event loop');
  eventLoop.close();
}
