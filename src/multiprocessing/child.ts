// The child side of a Process: runs in a process-pool child (the same entry,
// futures/entry/process-worker) when it receives a { t: 'process' } request
// instead of a pool's { t: 'init' }.

import { packedOnly, prepare, preparePacked, unpack } from '../internal/codec.js';
import { loadSubclass, ownFields, restoreFields } from '../internal/subclass.js';
import { loadTask } from '../internal/task-load.js';
import {
  Process,
  PROCESS_SUBCLASS,
  setCurrentProcess,
  type ProcessFields,
  type ProcessRequest,
} from './process.js';

/** Runs the request's target (or subclass run()), reports, and exits 0 or 1. */
export async function runProcess(request: ProcessRequest): Promise<void> {
  setCurrentProcess(request.name, request.parentPid);
  let code = 0;
  try {
    if (request.self !== undefined) await runSubclass(request);
    else {
      const fn = await loadTask(request.spec);
      // Manager proxies need the Manager's client (node:net and friends):
      // loaded only when one is passed.
      if (request.packed && !packedOnly(request.args, ['weft.task', 'weft.class'])) {
        await import('./index.js');
      }
      await preparePacked(request.args, request.packed);
      const args = (request.packed ? unpack(request.args) : request.args) as unknown[];
      await fn(...args);
    }
  } catch (error) {
    // Python prints "Process NAME:" and the traceback, and exits with 1.
    const text = error instanceof Error ? (error.stack ?? String(error)) : String(error);
    process.stderr.write(`Process ${request.name}:\n${text}\n`);
    code = 1;
  }
  process.exitCode = code;
  if (process.connected) process.disconnect();
  process.exit(code);
}

async function runSubclass(request: ProcessRequest): Promise<void> {
  const self = request.self!;
  const cls = await loadSubclass(self, Process, PROCESS_SUBCLASS);
  const instance = Process.adopt(cls, request.name);
  await prepare(self.table);
  restoreFields(instance, self.fields, self.table);
  try {
    await instance.run();
  } finally {
    const { value, table } = ownFields(instance);
    const message: ProcessFields = { t: 'process-fields', fields: value, table };
    await new Promise<void>((resolve) => {
      if (!process.connected) resolve();
      else process.send!(message, () => resolve());
    });
  }
}
