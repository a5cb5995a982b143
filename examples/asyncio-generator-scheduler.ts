// Concurrent execution with generators: seeds/003, "concurrent execution
// using generators" (two_functions.py).
//
// A round-robin scheduler of generator tasks in a deque: run the task at the
// front until its next `yield`, then rotate it to the back; drop it when it
// is done. foo and bar take turns until bar is done, then foo runs alone.
// (The seed sleeps 0.5 s after each yield with time.sleep; here 10 ms.)
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/asyncio-generator-scheduler.ts

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function* foo(): Generator<void> {
  for (let i = 0; i < 10; i++) {
    console.log('foo: counting', i);
    yield;
    sleepSync(10);
  }
}

function* bar(): Generator<void> {
  for (let i = 0; i < 5; i++) {
    console.log('bar: counting', i);
    yield;
    sleepSync(10);
  }
}

// collections.deque([t1, t2]): an array used from the front (small, so shift is fine).
const tasks: Generator<void>[] = [foo(), bar()];
while (tasks.length > 0) {
  const t = tasks[0]!;
  if (t.next().done) {
    tasks.shift(); // StopIteration: tasks.popleft()
  } else {
    tasks.push(tasks.shift()!); // tasks.rotate(-1)
  }
}
