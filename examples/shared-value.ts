// Sharing a Value and an Array: seeds/004, "6. Multiprocessing" ("Share data
// between processes": add_100 and add_100_to_array).
//
// Two threads add 1 to a shared Value 100 times each, and two threads add 1
// to every element of a shared array 100 times each. `+=` is a read and a
// write, so each update holds the object's lock (Python's seed forgets to,
// and can lose updates). weft's Value and SharedArray are Python's
// multiprocessing.Value and Array: typed, in shared memory, with a lock.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/shared-value.ts

import { Thread } from 'weft/threading';
import { SharedArray, Value } from 'weft/shared';

function add100(num: Value<'i'>): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const lock = num.getLock();
  for (let i = 0; i < 100; i++) {
    Atomics.wait(nap, 0, 0, 1); // time.sleep(0.01), shortened
    lock.acquireSync();
    try {
      num.value += 1; // (or num.add(1): one atomic step, no lock needed)
    } finally {
      lock.release();
    }
  }
}

function add100ToArray(nums: SharedArray<'d'>): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const lock = nums.getLock();
  for (let i = 0; i < 100; i++) {
    Atomics.wait(nap, 0, 0, 1);
    lock.acquireSync();
    try {
      for (let j = 0; j < nums.length; j++) nums.set(j, nums.get(j) + 1);
    } finally {
      lock.release();
    }
  }
}

const sharedNumber = new Value('i', 0);
console.log(`Value at beginning: ${sharedNumber.value}`);

const sharedArray = new SharedArray('d', [0.0, 100.0, 200.0]);
console.log(`Array at beginning: [${sharedArray.toArray().join(', ')}]`);

const threads = [
  new Thread({ target: add100, args: [sharedNumber] }),
  new Thread({ target: add100, args: [sharedNumber] }),
  new Thread({ target: add100ToArray, args: [sharedArray] }),
  new Thread({ target: add100ToArray, args: [sharedArray] }),
];
for (const t of threads) t.start();
for (const t of threads) await t.join();

console.log(`Value at end: ${sharedNumber.value}`);
console.log(`Array at end: [${sharedArray.toArray().join(', ')}]`);
console.log('end main');
