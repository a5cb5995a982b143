// Entry of a ThreadPoolExecutor worker thread: wires the shared worker loop
// to parentPort. An error escaping the tasks (a throw in a timer, an
// unhandled rejection) is reported as a stray error of this worker with its
// class, code and stack; the worker keeps running what it has begun and the
// pool replaces it.

import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerInit } from '../protocol.js';
import { WorkerLoop } from '../worker-loop.js';
import { loadRevivers } from './revivers.js';

const port = parentPort!;
const loop = new WorkerLoop(
  (message, transfer) => port.postMessage(message, transfer),
  (workerData as { weftPool: WorkerInit }).weftPool,
  loadRevivers,
);
port.on('message', (message: unknown) => {
  if ((message as { t?: unknown }).t === 'exit') {
    // Leave by running out of work (not terminate()), so stdout written by
    // tasks still reaches the parent.
    loop.flush();
    port.close();
    return;
  }
  loop.onMessage(message);
});
process.on('exit', () => loop.flush());
process.on('uncaughtException', (error) => loop.stray(error));
loop.start();
