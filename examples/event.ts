// Event: seeds/003, "ThreadSync: Events" (five readers wait for an updater).
//
// The updater clears the event, refills the shared list, and sets the event;
// readers wait on it and print the list. Python's version loops forever; this
// one publishes UPDATES lists and ends. Python's `data` is a global list; here
// it is a SharedArray passed to every thread (Node threads share no globals).
//
// An Event is a state, not a queue: it stays set until the next clear(), so a
// reader back early sees the update it already read (the seed's readers print
// it again and again); ours check the update number and wait again. A reader
// that comes back late may skip an update, as in Python.
//
// The threads wait with the async forms (`await updated.wait()`): a thread's
// console output is relayed by the main thread and flushed by the thread's
// own event loop, so a thread blocked in a Sync wait would print nothing
// until it unblocks.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/event.ts

import { Barrier, Event, Thread } from 'weft/threading';
import { SharedArray, Value } from 'weft/shared';

const READERS = 5;
const UPDATES = 3;

async function updateData(
  updated: Event,
  data: SharedArray<'i'>,
  generation: Value<'i'>,
  updates: number,
  start: Barrier,
): Promise<void> {
  const { setTimeout: sleep } = await import('node:timers/promises');
  const randint = (a: number, b: number): number => a + Math.floor(Math.random() * (b - a + 1));
  await start.wait();
  for (let n = 1; n <= updates; n++) {
    updated.clear();
    await sleep(randint(20, 60));
    // data[:] = sample(range(100), 10)
    const pool = Array.from({ length: 100 }, (_, i) => i);
    for (let i = 0; i < data.length; i++) data.set(i, pool.splice(randint(0, 99 - i), 1)[0]!);
    generation.value = n;
    console.log(`updater: list update ${n} = [${data.toArray().join(', ')}]`);
    updated.set();
    await sleep(randint(30, 50));
  }
}

async function getData(
  name: string,
  updated: Event,
  data: SharedArray<'i'>,
  generation: Value<'i'>,
  updates: number,
  start: Barrier,
): Promise<void> {
  const { setTimeout: sleep } = await import('node:timers/promises');
  await start.wait(); // everyone ready before the first update (threads start slowly in Node)
  for (let seen = 0; seen < updates;) {
    console.log(`${name} waiting for list update...`);
    // Set, but still for the update already read? The updater has not cleared it yet.
    while ((await updated.wait()) && generation.value === seen) await sleep(5);
    seen = generation.value;
    const list = data.toArray();
    console.log(`In ${name}: top 5 = [${list.slice(0, 5).join(', ')}]`);
    console.log(`In ${name}: bottom 5 = [${list.slice(-5).join(', ')}]`);
  }
}

const updated = new Event();
const data = new SharedArray('i', 10);
const generation = new Value('i', 0);
const start = new Barrier(READERS + 1);

const updateThread = new Thread({
  target: updateData,
  args: [updated, data, generation, UPDATES, start],
});
updateThread.start();

const readers: Thread[] = [];
for (let i = 0; i < READERS; i++) {
  const reader = new Thread({
    target: getData,
    args: [`Reader-${i}`, updated, data, generation, UPDATES, start],
  });
  reader.start();
  readers.push(reader);
}

await updateThread.join();
for (const reader of readers) await reader.join();
console.log('main done');
