// Entry of every weft Thread: decode the arguments, load the target, run it,
// report an escaping error to the parent (which calls the excepthook), and
// mark the thread finished in the registry so joiners wake.

import { parentPort, threadId, workerData } from 'node:worker_threads';
import { decode } from '../../internal/codec.js';
import { loadTask } from '../../internal/task-load.js';
import * as registry from '../registry.js';
import { liveChildren } from '../thread.js';
import type { ThreadData, ThreadErrorMessage } from '../thread.js';
// Every shareable class registers its reviver on import.
import '../index.js';
import '../../shared/index.js';
import '../../queue/index.js';

const { slot, spec, args, table } = (workerData as ThreadData).weftThread;
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

process.on('exit', finish);
process.on('uncaughtException', (error) => {
  report(error);
  finish();
  process.exit(1);
});

try {
  const fn = await loadTask(spec);
  // Manager proxies need node:net and friends: loaded only when one is passed.
  if (table?.some((tag, i) => i % 3 === 1 && tag === 'weft.manager.proxy')) {
    await import('../../multiprocessing/index.js');
  }
  await fn(...(decode(args, table) as unknown[]));
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
