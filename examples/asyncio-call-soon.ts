// asyncio call_soon and functools.partial: seeds/002, "#4".
//
// `loop.callSoon(fn, ...args)` runs fn at the next pass of the loop, in the
// order scheduled. Python binds a keyword argument with functools.partial;
// JavaScript has no keyword arguments: an options object plays that part, and
// a closure (or fn.bind) plays partial. The seed then sleeps 5 s to let the
// callbacks run; 100 ms is plenty.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/asyncio-call-soon.ts

import { getEventLoop, sleep } from 'weft/asyncio';
import type { EventLoop } from 'weft/asyncio';

function callback(arg: number, { kwargs = 'default' }: { kwargs?: string } = {}): void {
  console.log(`callback invoked with ${arg} and ${kwargs}`);
}

async function main(loop: EventLoop): Promise<void> {
  console.log('registering callbacks');
  loop.callSoon(callback, 1);
  // functools.partial(callback, kwargs='not default')
  const wrapped = (arg: number): void => callback(arg, { kwargs: 'not default' });
  loop.callSoon(wrapped, 2);
  await sleep(100);
}

const eventLoop = getEventLoop();
try {
  console.log('entering event loop');
  await eventLoop.runUntilComplete(main(eventLoop));
} finally {
  console.log('closing event loop');
  eventLoop.close();
}
