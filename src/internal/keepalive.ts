// Atomics.waitAsync does not keep Node's event loop alive (node-atomics-facts):
// a process whose only pending work is an async wait exits with the promise
// unsettled. Every pending async wait therefore holds one reference on this
// counter, and a single ref'd timer exists while the count is above zero.

let count = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/** Marks one more pending async wait; the thread stays alive until `release`. */
export function hold(): void {
  if (count++ === 0) {
    if (timer === undefined) timer = setInterval(noop, 2 ** 30);
    else timer.ref();
  }
}

/** Ends one pending async wait. */
export function release(): void {
  if (--count === 0) timer?.unref();
}

function noop(): void {}
