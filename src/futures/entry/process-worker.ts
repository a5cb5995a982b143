// Entry of a ProcessPoolExecutor child process. It announces itself with
// { t: 'ready' } once loaded (on Node 20, IPC messages sent to a child before
// its ES module has loaded can be lost), receives { t: 'init' }, then runs
// tasks. It exits when told to, or when the parent goes away.

import type { WorkerInit } from '../protocol.js';
import { WorkerLoop } from '../worker-loop.js';
import { runProcess } from '../../multiprocessing/child.js';
import type { ProcessRequest } from '../../multiprocessing/process.js';

let loop: WorkerLoop | undefined;

function send(message: unknown): void {
  if (process.connected) process.send!(message);
}

process.on('message', (message: unknown) => {
  if (loop !== undefined) {
    if ((message as { t?: unknown }).t === 'exit') {
      loop.flush();
      process.disconnect();
      return;
    }
    loop.onMessage(message);
    return;
  }
  if ((message as { t?: unknown }).t === 'process') {
    void runProcess(message as ProcessRequest);
    return;
  }
  if ((message as { t?: unknown }).t === 'init') {
    loop = new WorkerLoop(send, message as WorkerInit);
    loop.start();
  }
});
process.on('disconnect', () => process.exit(0));
process.on('exit', () => loop?.flush());
process.on('uncaughtException', (error) => {
  loop?.crash(error);
  process.exit(1);
});
send({ t: 'ready' });
