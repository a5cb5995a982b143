// A daemon monitor thread: seeds/003, "Background daemon threads".
//
// Two threads and the main thread count; a daemon thread monitors forever.
// The program ends when the non-daemon threads have finished, with the
// monitor still looping: a daemon thread never keeps the process alive (and
// is stopped abruptly, so it should hold nothing that needs cleaning up).
// Python counts 5, 15 and 7 times, once a second; these count 3, 6 and 4
// times, every 40 ms, and the monitor reports every 25 ms.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/daemon.ts

import { Barrier, Thread, currentThread } from 'weft/threading';

async function foo(x: number, ready: Barrier): Promise<void> {
  const { currentThread } = await import('weft/threading');
  const { setTimeout: sleep } = await import('node:timers/promises');
  const t = currentThread();
  await ready.wait();
  for (let i = 0; i < x; i++) {
    console.log(`${t.name}: counting ${i}`);
    await sleep(40);
  }
}

async function monitor(interval: number, ready: Barrier): Promise<void> {
  const { currentThread } = await import('weft/threading');
  const { setTimeout: sleep } = await import('node:timers/promises');
  const t = currentThread();
  await ready.wait();
  for (let i = 0; ; i++) {
    console.log(`${t.name}: monitoring ${i}`);
    await sleep(interval);
  }
}

// A Node thread takes tens of ms to start (a new V8 isolate), a Python one
// microseconds: the barrier starts the counting once all four are running.
const ready = new Barrier(4);
const a = new Thread({ target: foo, args: [3, ready] });
const b = new Thread({ target: foo, args: [6, ready] });
const c = new Thread({ target: monitor, name: 'MonitorThread', args: [25, ready], daemon: true });

a.start();
b.start();
c.start();

// Node exits once nothing but daemon threads is left running.
process.on('exit', () => {
  console.log(`${currentThread().name}: exiting, ${c.name} still alive: ${c.isAlive()}`);
});

await foo(4, ready); // the main thread counts too
