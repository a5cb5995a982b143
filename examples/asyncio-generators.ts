// Generators: seeds/003, "Generators" (fib, fib_list, fib_gen).
//
// A generator yields each value as soon as it is ready, instead of building
// the whole list first: the loop below prints 0 at once, then one number per
// step, while fibList would make you wait for all of them. The seed sleeps
// 0.5 s per step with time.sleep, which blocks; so does sleepSync here (an
// Atomics.wait), 20 ms per step.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/asyncio-generators.ts

const STEP_MS = 20;

/** time.sleep: blocks the thread. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The basic version: prints as it goes. */
export function fib(n: number): void {
  let [a, b] = [0, 1];
  for (let i = 0; i < n; i++) {
    console.log(a);
    [a, b] = [b, a + b];
  }
}

/** Builds the whole list, then returns it. */
export function fibList(n: number): number[] {
  const series = [0, 1];
  for (let i = 0; i < n - 2; i++) {
    series.push(series.at(-1)! + series.at(-2)!);
    sleepSync(STEP_MS);
  }
  return series;
}

/** Yields each number as soon as it is known. */
function* fibGen(n: number): Generator<number> {
  let [a, b] = [0, 1];
  for (let i = 0; i < n; i++) {
    yield a;
    [a, b] = [b, a + b];
    sleepSync(STEP_MS);
  }
}

for (const i of fibGen(10)) console.log(i);
