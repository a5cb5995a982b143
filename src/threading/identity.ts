// Who is who: this thread's own Thread object, the main thread's, the
// threads this thread started (so `enumerate()` returns their objects and a
// thread's entry waits for its non-daemon children), and views of every
// other thread in the registry.

import { isMainThread, threadId, workerData } from 'node:worker_threads';
import * as registry from './registry.js';
import { Thread, type ThreadData } from './thread.js';

// This thread's own identity, as its parent described it.
const own = (workerData as Partial<ThreadData> | null)?.weftThread;
/** This thread's registry slot (0 on the main thread, -1 in a thread weft did not start). */
export const currentSlot = isMainThread ? 0 : (own?.slot ?? -1);
let current: Thread | undefined;
let main: Thread | undefined;

/** Threads started from this thread and still running, by ident. */
export const children = new Map<number, Thread>();

/** @internal In a subclass's thread: the instance run() is called on is this thread's. */
export function setCurrentThread(thread: Thread): void {
  current = thread;
}

/** @internal Threads started from this thread that keep it alive (entry waits for them). */
export function liveChildren(): Thread[] {
  return [...children.values()].filter((t) => !t.daemon && t.isAlive());
}

/**
 * The thread this code runs in. In a thread weft did not start it is a
 * `Dummy-<threadId>` view.
 *
 * @example
 * ```ts
 * console.log(`in ${currentThread().name}`);
 * ```
 */
export function currentThread(): Thread {
  if (current === undefined) {
    if (isMainThread) current = mainThread();
    else if (own !== undefined) {
      current = Thread.attach({
        slot: own.slot,
        ident: threadId,
        name: own.name,
        daemon: own.daemon,
      });
    } else {
      current = Thread.attach({
        slot: -1,
        ident: threadId,
        name: `Dummy-${threadId}`,
        daemon: true,
      });
    }
  }
  return current;
}

/**
 * The main thread (`MainThread`, ident 0), from any thread.
 *
 * @example
 * ```ts
 * currentThread() === mainThread(); // true on the main thread
 * ```
 */
export function mainThread(): Thread {
  return (main ??= Thread.attach({ slot: 0, ident: 0, name: 'MainThread', daemon: false }));
}

/**
 * Every live thread weft knows of (started with `Thread`, from any thread, plus
 * the main thread), like Python's `threading.enumerate()`.
 *
 * @example
 * ```ts
 * for (const t of enumerate()) console.log(t.name);
 * ```
 */
export function enumerate(): Thread[] {
  return registry.list().map((entry) => {
    if (entry.slot === 0) return mainThread();
    if (entry.slot === currentSlot && entry.ident === threadId) return currentThread();
    return children.get(entry.ident) ?? Thread.attach(entry);
  });
}

/**
 * How many threads `enumerate()` would list.
 *
 * @example
 * ```ts
 * activeCount(); // 1 when only the main thread runs
 * ```
 */
export function activeCount(): number {
  return registry.list().length;
}
