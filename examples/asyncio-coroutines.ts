// Coroutines driven by send: seeds/000, "#3 - coroutine yield and send
// together", and seeds/003, "Co-routine" (total).
//
// A JavaScript generator is Python's generator-based coroutine:
// `gen.next(value)` is `gen.send(value)`: it resumes the generator, the
// paused `yield` evaluates to `value`, and it returns what the generator
// yields next. A fresh generator must first be advanced to its first `yield`
// (Python's `next(it)`), or the first value sent is lost; `coroutine()` from
// weft/asyncio does that priming for you.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/asyncio-coroutines.ts

import { coroutine } from 'weft/asyncio';

/** Python's `it.send(value)`. */
function send<Y, S>(it: Generator<Y, unknown, S>, value: S): Y {
  return it.next(value).value as Y;
}

// def my_coroutine(): while True: received = yield; print('Received ', received)
function* myCoroutine(): Generator<undefined, never, string> {
  for (;;) {
    const received = yield;
    console.log('Received ', received);
  }
}

const it = myCoroutine();
it.next(); // next(it): run to the first yield
send(it, 'First');
send(it, 'Second');

// minimize(), primed by coroutine(): no next(it) needed.
const minimize = coroutine(function* (): Generator<number | undefined, never, number> {
  let current = yield;
  for (;;) {
    const value = yield current;
    current = Math.min(value, current);
  }
});

const m = minimize();
console.log(send(m, 4)); // 4
console.log(send(m, 22)); // 4
console.log(send(m, -1)); // -1

// total(): receives a value, yields the running total, waits again.
function* total(): Generator<number | undefined, never, number | undefined> {
  console.log('In total...');
  let t = 0;
  for (;;) {
    console.log('total(): waiting for input...');
    const v = (yield) as number; // yield on the right-hand side waits for input
    console.log('total(): got', v);
    t += v;
    console.log('total(): yielding out', t);
    yield t; // send something to the caller
  }
}

const g = total();
g.next(); // next(g)
send(g, 10); // g.send(10)
g.next(); // next(g)
