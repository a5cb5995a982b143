// Entry of a ProcessPoolExecutor child process. It announces itself with
// { t: 'ready' } once loaded (on Node 20, IPC messages sent to a child before
// its ES module has loaded can be lost), receives { t: 'init' }, then runs
// tasks. It exits when told to, or when the parent goes away: through the
// IPC 'disconnect' when its main thread is free, and through the parent
// watchdog thread when a task holds it (or the parent was SIGKILLed).
//
// fd 4 is the ledger (../ledger.ts): before each task, one blocking write
// carries the results finished so far and the mark that this child takes the
// task. The pool reads it to the end when this process dies, so it knows
// which of its tasks began and loses no finished result.

import { writeSync } from 'node:fs';
import { watchParent } from '../../internal/parent-watchdog.js';
import { LedgerWriter } from '../ledger.js';
import type { WorkerInit } from '../protocol.js';
import { WorkerLoop } from '../worker-loop.js';
import { loadRevivers } from './revivers.js';
import type { ProcessRequest } from '../../multiprocessing/process.js';

const LEDGER = 4;
const nap = new Int32Array(new SharedArrayBuffer(4));

function writeLedger(bytes: Buffer): void {
  let done = 0;
  for (;;) {
    try {
      done += writeSync(LEDGER, bytes, done);
      if (done === bytes.length) return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // Full pipe: the parent is busy; wait for it to read (the task must not start unrecorded).
      if (code === 'EAGAIN') {
        Atomics.wait(nap, 0, 0, 1);
        continue;
      }
      // EPIPE and the like: the parent is gone, and so is everyone this would report to.
      process.kill(process.pid, 'SIGKILL');
    }
  }
}

let loop: WorkerLoop | undefined;

// A Process child runs its target with the public weft/multiprocessing
// modules (kept external by scripts/build.mjs), never a copy bundled here:
// a Process subclass in the user's module extends that public Process, and
// must be adopted by the same class. A child forked for a Process (argv[3])
// starts loading them at once, while it waits as the warm spare.
type ChildModule = typeof import('../../multiprocessing/child.js');
let child: Promise<ChildModule> | undefined;
const loadChild = (): Promise<ChildModule> => (child ??= import('../../multiprocessing/child.js'));

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
    void loadChild().then((c) => c.runProcess(message as ProcessRequest));
    return;
  }
  if ((message as { t?: unknown }).t === 'init') {
    loop = new WorkerLoop(send, message as WorkerInit, loadRevivers, new LedgerWriter(writeLedger));
    loop.start();
  }
});
process.on('disconnect', () => process.exit(0));
process.on('exit', () => loop?.flush());
// An error escaping the tasks is reported as a stray error of this child (the
// pool replaces it); before the loop exists, there is nobody to report to.
process.on('uncaughtException', (error) => {
  if (loop === undefined) throw error;
  loop.stray(error);
});
send({ t: 'ready' });
// After 'ready', so the watchdog thread boots while the pool answers with 'init'.
// The parent passes its pid: if it died before now, process.ppid is already the new parent's.
const parent = Number(process.argv[2]);
watchParent(Number.isInteger(parent) && parent > 0 ? parent : process.ppid);
if (process.argv[3] === 'process') void loadChild();
