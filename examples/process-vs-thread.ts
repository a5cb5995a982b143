// Process vs Thread: seeds/003, "Process vs Thread" (and "Data sharing
// between process: Value").
//
// In Python, threads share every object (the Thread version ends with
// "In main: value = 1234") while processes each get a copy (the Process
// version ends with "In main: value = 100").
//
// Node threads are in between, and weft is honest about it: a Thread is a
// worker_threads isolate, with no GIL and no shared globals. What crosses into
// it is copied (structured clone), exactly like Python's Process version;
// only shareables (weft's Value, SharedArray, locks, events, queues…) are
// backed by shared memory and arrive as the same object, like Python's
// Thread version, or its multiprocessing.Value.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/process-vs-thread.ts

import { Barrier, Event, Thread } from 'weft/threading';
import { Value } from 'weft/shared';

/** Anything with a `.value`: a plain object, or a weft Value. */
interface Box {
  value: number;
}

// Python orders the steps with sleep(2) in foo and sleep(3) in bar. A Node
// thread takes tens of ms to start, so a Barrier and an Event order them
// instead (both are shareables: the two threads see the same ones): both
// threads read, then foo writes, then bar reads again.

async function foo(val: Box, bothRead: Barrier, written: Event): Promise<void> {
  const { currentThread } = await import('weft/threading');
  const t = currentThread();
  console.log(`In foo[${t.name}]: value = ${val.value}`);
  await bothRead.wait();
  val.value = 1234;
  console.log(`In foo[${t.name}]: value is set to ${val.value}`);
  written.set();
}

async function bar(val: Box, bothRead: Barrier, written: Event): Promise<void> {
  const { currentThread } = await import('weft/threading');
  const t = currentThread();
  console.log(`In bar[${t.name}]: value = ${val.value}`);
  await bothRead.wait();
  await written.wait();
  console.log(`In bar[${t.name}]: value = ${val.value}`);
}

async function run(value: Box): Promise<void> {
  const bothRead = new Barrier(2);
  const written = new Event();
  const t1 = new Thread({ target: foo, args: [value, bothRead, written] });
  const t2 = new Thread({ target: bar, args: [value, bothRead, written] });
  t1.start();
  t2.start();
  await t1.join();
  await t2.join();
  console.log(`In main: value = ${value.value}`);
}

console.log("-- a plain object is copied into each thread (like Python's Process version)");
await run({ value: 100 });

console.log("-- a weft Value is shared memory (like Python's Thread version)");
await run(new Value('i', 100));
