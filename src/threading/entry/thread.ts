// Entry of every weft Thread: decode the arguments, load the target, run it,
// report an escaping error to the parent (which calls the excepthook), and
// mark the thread finished in the registry so joiners wake.

import { parentPort, threadId, workerData } from 'node:worker_threads';
import { decode, encode, prepare } from '../../internal/codec.js';
import { codedError } from '../../internal/errors.js';
import { loadModule, loadTask } from '../../internal/task-load.js';
import * as registry from '../registry.js';
import { liveChildren } from '../thread.js';
import { Thread } from '../thread.js';
import type {
  SubclassData,
  ThreadData,
  ThreadErrorMessage,
  ThreadFieldsMessage,
} from '../thread.js';
// Every shareable class registers its reviver on import.
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
  const e = error instanceof Error ? error : new Error(`Non-error thrown: ${String(error)}`);
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(e)) {
    const value = (e as unknown as Record<string, unknown>)[key];
    try {
      structuredClone(value);
      props[key] = value;
    } catch {
      // not cloneable: left out
    }
  }
  const message: ThreadErrorMessage = {
    type: 'weft.thread.error',
    name: e.name,
    message: e.message,
    stack: e.stack,
    props,
  };
  parentPort?.postMessage(message);
}

// A subclass of Thread: rebuild the instance from its class and fields, call
// run(), and send the fields back (Python's thread object is shared; here
// the parent's copy is updated once, when run() ends).
async function runSubclass(data: SubclassData): Promise<void> {
  const mod = await loadModule(data.module);
  const cls =
    mod[data.name] ??
    Object.values(mod).find((v) => typeof v === 'function' && v.name === data.name);
  if (typeof cls !== 'function' || !(cls.prototype instanceof Thread)) {
    throw codedError(
      TypeError,
      'ERR_TASK_NOT_EXPORTED',
      `Module ${data.module} does not export the Thread subclass \`${data.name}\`: export it so its thread can load it`,
    );
  }
  const instance = Thread.adopt(cls as new () => Thread, own);
  await prepare(data.table);
  Object.assign(instance, decode(data.fields, data.table));
  try {
    await instance.run();
  } finally {
    const fields: Record<string, unknown> = {};
    for (const key of Object.keys(instance))
      fields[key] = (instance as unknown as Record<string, unknown>)[key];
    const { value, table: back } = encode(fields);
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
