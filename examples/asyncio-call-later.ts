// asyncio call_later: seeds/002, "#5".
//
// Callbacks run by time, not by the order they were scheduled in: the
// callSoon one first, then the 100 ms one, then the 200 ms one. Delays are
// in milliseconds (Python: seconds).
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/asyncio-call-later.ts

import { getEventLoop, sleep } from 'weft/asyncio';
import type { EventLoop } from 'weft/asyncio';

function callback(n: number): void {
  console.log(`callback ${n} invoked`);
}

async function main(loop: EventLoop): Promise<void> {
  console.log('registering callbacks');
  loop.callLater(200, callback, 1);
  loop.callLater(100, callback, 2);
  loop.callSoon(callback, 3);
  await sleep(400);
}

const eventLoop = getEventLoop();
try {
  console.log('entering event loop');
  await eventLoop.runUntilComplete(main(eventLoop));
} finally {
  console.log('closing event loop');
  eventLoop.close();
}
