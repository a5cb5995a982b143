// "Data sharing between process: dict or list": seeds/003.
//
// A Manager serves a dict; foo and bar, each in its own process, edit it
// through the proxy they were passed, and main watches it change. The seed
// orders foo before bar with sleep(2) and sleep(3); the manager's Events
// order them here (foo writes, main looks, then bar deletes). (The seed's
// bar takes `arr` but uses the global `d`, which a forked child inherits;
// the port passes `d`.)
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/mp-manager-dict.ts

import { Manager, Process } from 'weft/multiprocessing';
import type { DictProxy, EventProxy } from 'weft/multiprocessing';

async function foo(d: DictProxy<string>, fooDone: EventProxy): Promise<void> {
  const { currentProcess } = await import('weft/multiprocessing');
  console.log(`In foo[${currentProcess().name}]: d contains ${JSON.stringify(await d.toObject())}`);
  await d.set('name', 'Smith');
  await d.set('country', 'India');
  fooDone.set();
}

async function bar(d: DictProxy<string>, watched: EventProxy): Promise<void> {
  const { currentProcess } = await import('weft/multiprocessing');
  await watched.wait();
  console.log(
    `In bar[${currentProcess().name}]: d  contains ${JSON.stringify(await d.toObject())}`,
  );
  await d.delete('role');
}

await using manager = await Manager.start();
const d = await manager.dict<string>();
await d.set('name', 'Jones');
await d.set('role', 'Developer');
await d.set('place', 'Hyderabad');

const fooDone = await manager.Event();
const watched = await manager.Event();
const t1 = new Process({ target: foo, args: [d, fooDone] });
const t2 = new Process({ target: bar, args: [d, watched] });
t1.start();
t2.start();
await fooDone.wait();
console.log(`In main (watching): d contains ${JSON.stringify(await d.toObject())}`);
watched.set();
await t1.join();
await t2.join();
console.log(`In main: contents of d = ${JSON.stringify(await d.toObject())}`);
console.log(`In main: d = ${String(d)}`);
