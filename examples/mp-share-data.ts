// "Share data between processes": seeds/004, "6. Multiprocessing"
// (add_100 and add_100_to_array).
//
// Two processes add 1 to a Value('i') 100 times each, and two processes add
// 1 to every element of an Array('d') 100 times each. `+=` is a read and a
// write, so each update holds the object's lock (getLock(), Python's
// get_lock(); the seed forgets it, and may lose updates): the totals are
// exact. weft/multiprocessing's Value and Array are served by this process
// to the ones they are passed to (examples/shared-value.ts is the same with
// threads and weft/shared, which is shared memory).
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/mp-share-data.ts

import { Array as SharedArray, Process, Value } from 'weft/multiprocessing';

function add100(num: Value<'i'>): void {
  const lock = num.getLock();
  for (let i = 0; i < 100; i++) {
    lock.acquireSync();
    try {
      num.value += 1;
    } finally {
      lock.release();
    }
  }
}

function add100ToArray(nums: SharedArray<'d'>): void {
  const lock = nums.getLock();
  for (let i = 0; i < 100; i++) {
    lock.acquireSync();
    try {
      for (let j = 0; j < nums.lengthSync(); j++) nums.setSync(j, nums.getSync(j) + 1);
    } finally {
      lock.release();
    }
  }
}

const sharedNumber = new Value('i', 0);
console.log(`Value at beginning: ${sharedNumber.value}`);

const sharedArray = new SharedArray('d', [0.0, 100.0, 200.0]);
console.log(`Array at beginning: [${[...sharedArray].join(', ')}]`);

const processes = [
  new Process({ target: add100, args: [sharedNumber] }),
  new Process({ target: add100, args: [sharedNumber] }),
  new Process({ target: add100ToArray, args: [sharedArray] }),
  new Process({ target: add100ToArray, args: [sharedArray] }),
];
for (const p of processes) p.start();
for (const p of processes) await p.join();

console.log(`Value at end: ${sharedNumber.value}`);
console.log(`Array at end: [${[...sharedArray].join(', ')}]`);
console.log('end main');
