// Entry of every weft Thread (a composition root: nothing imports it; see
// docs/architecture.md). Decodes the arguments, loads the target, runs it,
// reports an escaping error to the parent (which calls the excepthook), and
// marks the thread finished in the registry so joiners wake.

import { parentPort, threadId, workerData } from 'node:worker_threads';
import { decode, prepare } from '../../internal/codec.js';
import { loadSubclass, ownFields, restoreFields } from '../../internal/subclass.js';
import { loadTask } from '../../internal/task-load.js';
import { errorMessage } from '../excepthook.js';
import { liveChildren } from '../identity.js';
import * as registry from '../registry.js';
import { Thread, THREAD_SUBCLASS, type ThreadData, type ThreadFieldsMessage } from '../thread.js';
import type { SubclassData } from '../../internal/subclass.js';
// The shareable classes an argument may hold register their revivers on import.
import '../index.js';
import '../../shared/index.js';
import '../../queue/index.js';

const own = (workerData as ThreadData).weftThread;
const { slot, spec, args, table, self } = own;
registry.setIdent(slot, threadId);
let finished = false;

function finish(): void {
  if (finished) return;
  finished = true;
  registry.markDone(slot, threadId);
}

function report(error: unknown): void {
  parentPort?.postMessage(errorMessage(error));
}

// A subclass of Thread: rebuild the instance from its class and fields, call
// run(), and send the fields back (Python's thread object is shared; here
// the parent's copy is updated once, when run() ends).
async function runSubclass(data: SubclassData): Promise<void> {
  const cls = await loadSubclass(data, Thread, THREAD_SUBCLASS);
  const instance = Thread.adopt(cls, own);
  await prepare(data.table);
  restoreFields(instance, data.fields, data.table);
  try {
    await instance.run();
  } finally {
    const { value, table: back } = ownFields(instance);
    const message: ThreadFieldsMessage = { type: 'weft.thread.fields', fields: value, table: back };
    parentPort?.postMessage(message);
  }
}

process.on('exit', finish);
process.on('uncaughtException', (error) => {
  report(error);
  finish();
  process.exit(1);
});

try {
  // Manager proxies need node:net and friends: loaded only when one is passed.
  if (table?.some((tag, i) => i % 3 === 1 && tag === 'weft.manager.proxy')) {
    await import('../../multiprocessing/index.js');
  }
  if (self !== undefined) await runSubclass(self);
  else {
    const fn = await loadTask(spec);
    await prepare(table);
    await fn(...(decode(args, table) as unknown[]));
  }
} catch (error) {
  report(error);
} finally {
  finish();
}
// The target is done, so the thread ends (Python's semantics): whatever it
// left pending does not run. Threads it started itself would die with this
// worker, so they are waited for first.
for (let live = liveChildren(); live.length > 0; live = liveChildren()) {
  await Promise.all(live.map((t) => t.join()));
}
process.exit(0);
