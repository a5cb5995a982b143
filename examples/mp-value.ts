// Process vs Thread, the Process form, and "Data sharing between process:
// Value": seeds/003.
//
// Python's Process example passes a plain object to two processes: each
// gets a copy, so foo's write is lost to bar and to main ("In main: value =
// 100"). Its Value example passes a multiprocessing.Value instead: both
// processes and main see one value ("In main: value = 1234"). weft does the
// same: a plain object is copied into each process; weft/multiprocessing's
// Value is served by this process (a server thread started with the first
// one), and every process it is passed to reads and writes it there.
// (Between threads, weft/shared's Value is the shared-memory one:
// examples/process-vs-thread.ts.)
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/mp-value.ts

import { Barrier, Event, Process, Value } from 'weft/multiprocessing';

/** Anything with a `.value`: a plain object, or a weft/multiprocessing Value. */
interface Box {
  value: number;
}

// Python orders the steps with sleep(2) in foo and sleep(3) in bar; a
// Barrier and an Event of weft/multiprocessing order them here: both
// processes read, then foo writes, then bar reads again.

async function foo(val: Box, bothRead: Barrier, written: Event): Promise<void> {
  const { currentProcess } = await import('weft/multiprocessing');
  const t = currentProcess();
  console.log(`In foo[${t.name}]: value = ${val.value}`);
  await bothRead.wait();
  val.value = 1234;
  console.log(`In foo[${t.name}]: value is set to ${val.value}`);
  written.set();
}

async function bar(val: Box, bothRead: Barrier, written: Event): Promise<void> {
  const { currentProcess } = await import('weft/multiprocessing');
  const t = currentProcess();
  console.log(`In bar[${t.name}]: value = ${val.value}`);
  await bothRead.wait();
  await written.wait();
  console.log(`In bar[${t.name}]: value = ${val.value}`);
}

async function run(value: Box): Promise<void> {
  const bothRead = new Barrier(2);
  const written = new Event();
  const t1 = new Process({ target: foo, args: [value, bothRead, written] });
  const t2 = new Process({ target: bar, args: [value, bothRead, written] });
  t1.start();
  t2.start();
  await t1.join();
  await t2.join();
  console.log(`In main: value = ${value.value}`);
}

console.log("-- a plain object is copied into each process (the seed's Process example)");
await run({ value: 100 });

console.log(
  "-- a weft/multiprocessing Value is shared by the processes (the seed's Value example)",
);
await run(new Value('i', 100));
