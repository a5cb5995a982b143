// A PriorityQueue hands out the smallest item first: seeds/003, "Builtin:
// PriorityQueue" (the PriorityQueue example).
//
// The seed reads ten values with input() and puts them, as strings, into a
// PriorityQueue(10); here the same ten values are given. Strings compare as
// strings, character by character, so '2123' comes before '23', as in
// Python. The seed's commented-out `queue.put((len(value), value))` orders
// by length first; in weft that is `queue.put([value.length, value])`, a
// `[priority, item]` pair, and items of equal priority come out in the order
// they were put (Python would compare the strings next).
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/priority-queue.ts

import { PriorityQueue } from 'weft/queue';

const inputs = ['10', '23', '124', '434', '123', '2123', '3213', '123', '123', '123'];

const queue = new PriorityQueue<string>({ maxsize: 10 });

for (const value of inputs) {
  // queue.put([value.length, value]);
  await queue.put(value);
}

for (let i = 0; i < inputs.length; i++) {
  const v = await queue.get();
  console.log('Value:', v);
}
