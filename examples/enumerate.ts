// Listing live threads: seeds/003, "threading.enumerate() example".
//
// Ten threads count; main lists every live thread with `enumerate()` (the
// main thread included), then joins each one but itself. Python counts 10
// times a second; these count 3 times, every 30 ms.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/enumerate.ts

import { Thread, enumerate } from 'weft/threading';

async function foo(x: number): Promise<void> {
  const { currentThread } = await import('weft/threading');
  const { setTimeout: sleep } = await import('node:timers/promises');
  const th = currentThread();
  for (let i = 0; i < x; i++) {
    console.log(`foo[${th.name}]: counting ${i}`);
    await sleep(30);
  }
}

for (let i = 0; i < 10; i++) {
  const t = new Thread({ target: foo, args: [3] });
  t.start();
}

for (const t of enumerate()) {
  console.log(`Thread ${t.name} running`);
}

for (const t of enumerate()) {
  if (t.name === 'MainThread') continue;
  await t.join();
  console.log(`Thread ${t.name} completed.`);
}
