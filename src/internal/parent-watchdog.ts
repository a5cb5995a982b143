// No child outlives its parent. A child process notices its parent's death
// through its IPC channel ('disconnect'), but only when its main thread is
// free: a task spinning on it holds the event loop forever, and a parent
// killed by SIGKILL runs no code that could stop the child. Node cannot ask
// the kernel for PR_SET_PDEATHSIG, so a watchdog thread polls the parent
// process id instead: when the parent dies the child is re-parented (to init
// or a subreaper), `process.ppid` changes, and the watchdog kills the whole
// process with SIGKILL (no exit handler runs: there is nobody left to report
// to). The thread is unref'd, so it never keeps the child alive itself.

import { Worker } from 'node:worker_threads';

/** How often the watchdog looks at the parent, in ms (a child dies within about this). */
export const WATCH_MS = 100;

// CommonJS source run with `eval: true`: no module to resolve or load, so the
// thread starts as cheaply as a worker can.
const SOURCE = `
const { workerData } = require('node:worker_threads');
const check = () => {
  if (process.ppid !== workerData.ppid) process.kill(process.pid, 'SIGKILL');
};
check();
setInterval(check, workerData.ms);
`;

let watchdog: Worker | undefined;

/**
 * Starts (once per process) the thread that kills this process when its
 * parent dies, whatever its main thread is doing.
 *
 * @param ppid - The parent's pid as this process first saw it. @default process.ppid
 */
export function watchParent(ppid: number = process.ppid): void {
  if (watchdog !== undefined) return;
  watchdog = new Worker(SOURCE, {
    eval: true,
    workerData: { ppid, ms: WATCH_MS },
    name: 'weft-parent-watchdog',
    // No loader preloads (a tsx --import costs a thread 150-350 ms): it runs plain CommonJS.
    execArgv: [],
    stdout: false,
    stderr: false,
  });
  watchdog.unref();
  // A watchdog that cannot start leaves the child as it was (IPC 'disconnect' still works).
  watchdog.on('error', () => {});
}
