// A LifoQueue is a stack with blocking: seeds/003, "Builtin: LifoQueue"
// ("Stack with blocking capabilities else you can use list").
//
// First, in one thread: the last item put is the first one out. Then the
// blocking part, across threads: three threads walk a binary tree depth
// first through one shared stack. Each pops a node (waiting while the stack
// is empty, for another thread may be about to push), visits it, and pushes
// its children. A plain array cannot do this across threads: an empty array
// does not mean the walk is over. The walk is over when every node pushed has
// been visited, which is what taskDone() / join() track: a node's children
// are pushed before its taskDone(), so the count of unfinished nodes reaches
// 0 only after the last leaf. Main then shuts the stack down, which ends the
// threads' loops.
//
// Run: npm run build && node --import ./scripts/register-tsx.mjs examples/lifo-stack.ts

import { isMainThread } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { LifoQueue, Queue } from 'weft/queue';
import { Thread, currentThread, tasks } from 'weft/threading';

const THREADS = 3;
const DEPTH = 4; // nodes 1 .. 2^DEPTH - 1; the children of node n are 2n and 2n + 1
const NODES = 2 ** DEPTH - 1;

export async function walker(stack: LifoQueue<number>, visited: Queue<number>): Promise<void> {
  const name = currentThread().name;
  for await (const node of stack) {
    console.log(`${name}: visit ${node}`);
    await sleep(2); // visiting takes a moment, so the other threads get work too
    await visited.put(node);
    for (const child of [2 * node + 1, 2 * node]) {
      if (child <= NODES) await stack.put(child);
    }
    stack.taskDone();
  }
}

// Every thread imports this module again to find `walker`; like Python's
// `if __name__ == '__main__':`, only the main thread runs the program.
if (isMainThread) {
  const stack = new LifoQueue<number>();
  for (const item of [1, 2, 3]) await stack.put(item);
  const popped = [await stack.get(), await stack.get(), await stack.get()];
  console.log(`put 1, 2, 3; got ${popped.join(', ')}`);
  for (let i = 0; i < popped.length; i++) stack.taskDone();

  const thisModule = tasks<typeof import('./lifo-stack.js')>(import.meta.url);
  const visited = new Queue<number>();
  const threads = Array.from(
    { length: THREADS },
    (_, i) =>
      new Thread({ name: `walker-${i + 1}`, target: thisModule.walker, args: [stack, visited] }),
  );
  for (const t of threads) t.start();

  await stack.put(1); // the root
  await stack.join(); // every node pushed has been visited
  stack.shutdown(); // the walkers' loops end
  for (const t of threads) await t.join();

  const order: number[] = [];
  while (!visited.empty()) order.push(visited.getNowait());
  const once = new Set(order).size === NODES && order.length === NODES;
  console.log(`main done: ${order.length} of ${NODES} nodes visited, each once: ${once}`);
}
