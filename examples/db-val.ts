// The db_val race and its fix with a Lock: seeds/004, "5. Multithreading".
//
// Two threads each read db_val, add one, "process" for a while, and write it
// back. Without a lock both read 0 and both write 1: one update is lost
// (End db_val: 1). With a lock the second thread reads after the first wrote
// (End db_val: 2).
//
// Python keeps db_val in a global that both threads see. Node threads share no
// globals: each Thread is a worker_threads isolate that loads its own copy of
// every module, so a module-level `let dbVal = 0` would be a separate variable
// in each thread, and main would still see 0. Shared state must live in shared
// memory: a weft Value, passed to each thread, which arrives as the same Value.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/db-val.ts

import { Barrier, Lock, Thread } from 'weft/threading';
import { Value } from 'weft/shared';

// Thread targets are self-contained functions: they cross into the thread as
// source, so they use only their arguments and globals.

function increase(dbVal: Value<'i'>, start: Barrier): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  // Starting a Node thread takes tens of ms (a new V8 isolate), a Python one
  // microseconds: line both threads up so that they really run side by side.
  start.waitSync();
  let localVal = dbVal.value;
  localVal += 1;
  Atomics.wait(nap, 0, 0, 100); // time.sleep(0.1): the other thread reads meanwhile
  dbVal.value = localVal;
}

function increaseWithLock(dbVal: Value<'i'>, start: Barrier, lock: Lock): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  start.waitSync();
  // Python's `with lock:`. (`using held = lock.holdSync()` is the same, in a
  // task module; an inline function keeps to plain JavaScript.)
  lock.acquireSync();
  try {
    let localVal = dbVal.value;
    localVal += 1;
    Atomics.wait(nap, 0, 0, 100);
    dbVal.value = localVal;
  } finally {
    lock.release();
  }
}

{
  const dbVal = new Value('i', 0);
  console.log(`Start db_val: ${dbVal.value}`);
  const start = new Barrier(2);
  const t1 = new Thread({ target: increase, args: [dbVal, start] });
  const t2 = new Thread({ target: increase, args: [dbVal, start] });
  t1.start();
  t2.start();
  await t1.join();
  await t2.join();
  console.log(`End db_val: ${dbVal.value}`);
}

console.log('-- again, with a Lock');
{
  const dbVal = new Value('i', 0);
  console.log(`Start db_val: ${dbVal.value}`);
  const start = new Barrier(2);
  const lock = new Lock();
  const t1 = new Thread({ target: increaseWithLock, args: [dbVal, start, lock] });
  const t2 = new Thread({ target: increaseWithLock, args: [dbVal, start, lock] });
  t1.start();
  t2.start();
  await t1.join();
  await t2.join();
  console.log(`End db_val: ${dbVal.value}`);
}
