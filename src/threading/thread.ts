// A Thread object: its options, start() (a worker on threading/entry/thread),
// join(), and the messages its thread posts back. Who is who (currentThread,
// enumerate) lives in identity.ts, the excepthook in excepthook.ts, a
// subclass's crossing in internal/subclass.ts, the Node flags a thread gets
// in internal/worker-start.ts.

import type { WaitOptions, WaitSyncOptions } from '../internal/options.js';
import { threadId, type Worker } from 'node:worker_threads';
import type { ResourceLimits } from 'node:worker_threads';
import { encode, type SharedTable } from '../internal/codec.js';
import { loadTask } from '../internal/task-load.js';
import { argTypeError, codedError, describe, StateError } from '../internal/errors.js';
import type { AnyFunction, FunctionOf, Target, TaskSpec } from '../internal/task-ref.js';
import { toTaskSpec } from '../internal/task-ref.js';
import {
  checkOptions,
  checkSignal,
  checkTimeout,
  WAIT_FORM,
  WAIT_SYNC_FORM,
} from '../internal/validate.js';
import { deadlineOf, remaining } from '../internal/wait.js';
import * as registry from './registry.js';
import { weftModule } from '../internal/package-url.js';
import { startWorker } from '../internal/worker-start.js';
import {
  restoreFields,
  subclassData,
  type SubclassData,
  type SubclassKind,
} from '../internal/subclass.js';
import { errorOf, isErrorMessage, reportException } from './excepthook.js';
import { children, currentSlot, currentThread, setCurrentThread } from './identity.js';

/** Options of a {@link Thread}. */
export interface ThreadOptions<T extends Target> {
  /**
   * What the thread runs: a task reference (`tasks(url).name`) or a
   * self-contained function. Required unless a subclass overrides `run()`.
   */
  readonly target?: T;
  /** Arguments, copied by structured clone; shareables (locks, queues, values) arrive live. @default [] */
  readonly args?: Readonly<Parameters<FunctionOf<T>>>;
  /** The thread's name. @default `Thread-N` */
  readonly name?: string;
  /** A daemon thread never keeps the process alive. @default the creating thread's daemon flag (false on the main thread) */
  readonly daemon?: boolean;
  /** Node's worker resource limits for the thread's isolate. */
  readonly resourceLimits?: ResourceLimits;
}

let counter = 0;

/** What a thread's entry receives in `workerData`. */
export interface ThreadData {
  readonly weftRegistry: SharedArrayBuffer;
  readonly weftThread: {
    readonly spec: TaskSpec;
    readonly args: unknown;
    /** The shareables inside `args`, out of band (see internal/codec.ts). */
    readonly table: SharedTable | undefined;
    readonly name: string;
    readonly daemon: boolean;
    readonly slot: number;
    /** A subclass that overrides run(): where its class is, and the instance's own fields. */
    readonly self?: SubclassData;
  };
}

/** Message a subclass's thread posts when run() ends: its own fields, for the parent's instance. */
export interface ThreadFieldsMessage {
  readonly type: 'weft.thread.fields';
  readonly fields: unknown;
  readonly table: SharedTable | undefined;
}

/**
 * A thread of control, running its target in its own worker thread: real
 * parallelism, no GIL, and no shared globals (only shareables share memory).
 * Python's `threading.Thread`.
 *
 * @remarks The thread ends when its target returns (or its promise settles),
 * as in Python: timers or callbacks the target left pending do not run
 * (once threads it started itself have finished). Console output of a thread
 * reaches the main thread through its event loop: a thread blocked in a
 * `…Sync` call, or a main thread blocked likewise, holds it back until it
 * yields; `await join()` returns after the thread's output has arrived.
 *
 * @example
 * ```ts
 * import { Thread, Lock, tasks } from 'weft/threading';
 * import { SharedArray } from 'weft/shared';
 * // work.ts exports: increment(lock: Lock, counter: SharedArray<'i'>, n: number)
 * const work = tasks<typeof import('./work.js')>(new URL('./work.js', import.meta.url));
 * const lock = new Lock();
 * const counter = new SharedArray('i', 1);
 * const t = new Thread({ target: work.increment, args: [lock, counter, 1000], name: 'adder' });
 * t.start();
 * await t.join();
 * console.log(counter.get(0)); // 1000
 * ```
 */
export class Thread<T extends Target = Target<AnyFunction>> {
  #spec: TaskSpec | undefined;
  #args: unknown[];
  #name: string;
  #daemon: boolean;
  #resourceLimits: ResourceLimits | undefined;
  #slot = -1;
  #ident: number | undefined;
  #started = false;
  #exited: Promise<void> | undefined;

  constructor(options?: ThreadOptions<T>) {
    const subclassed = new.target.prototype.run !== Thread.prototype.run;
    if (options === undefined && subclassed) options = {};
    if (typeof options !== 'object' || options === null) {
      throw argTypeError(
        `Expected \`options\` to be an object with a \`target\`, got ${describe(options)}`,
      );
    }
    if ((options as unknown) === ATTACH) {
      this.#spec = undefined;
      this.#args = [];
      this.#name = '';
      this.#daemon = false;
      this.#resourceLimits = undefined;
      return;
    }
    const { target, args = [], name, daemon, resourceLimits } = options;
    // A subclass that overrides run() needs no target (Python's rule).
    this.#spec =
      subclassed && target === undefined ? SUBCLASS : toTaskSpec(target, 'Thread `target`');
    if (!Array.isArray(args))
      throw argTypeError(`Expected \`args\` to be an array, got ${describe(args)}`);
    if (name !== undefined && typeof name !== 'string') {
      throw argTypeError(`Expected \`name\` to be a string, got ${describe(name)}`);
    }
    if (daemon !== undefined && typeof daemon !== 'boolean') {
      throw argTypeError(`Expected \`daemon\` to be a boolean, got ${describe(daemon)}`);
    }
    this.#args = [...(args as unknown[])];
    this.#name = name ?? `Thread-${++counter}`;
    this.#daemon = daemon ?? currentThread().daemon;
    this.#resourceLimits = resourceLimits;
  }

  /**
   * What the thread does: calls the target with the args. Override it in a
   * subclass (Python's "method 2"); then `start()` runs your `run()` in the
   * new thread on a copy of the instance, and `await join()` copies the
   * instance's own fields back. The subclass must be exported from its
   * module and say where that module is: `static module = import.meta.url`.
   *
   * @remarks Fields cross as arguments do (structured clone; shareables
   * live, functions only as task references). They come back once, when
   * `run()` ends, before `await join()` returns; `joinSync()` cannot receive
   * them until the event loop turns.
   * @example
   * ```ts
   * // @filename: counter-thread.ts
   * import { Thread } from 'weft/threading';
   * export class CounterThread extends Thread {
   *   static module = import.meta.url;
   *   count = 0;
   *   constructor(readonly limit: number) { super(); }
   *   override run(): void { while (this.count < this.limit) this.count++; }
   * }
   * ```
   * The module is loaded again in the new thread, so the code that starts the
   * thread lives in another one:
   * ```ts
   * import { CounterThread } from './counter-thread.js';
   * const t = new CounterThread(10);
   * t.start();
   * await t.join();
   * console.log(t.count); // 10
   * ```
   */
  run(): unknown {
    const spec = this.#spec;
    if (spec === undefined || spec === SUBCLASS) {
      throw new StateError('ERR_THREAD_STATE', 'This thread has no target to run');
    }
    return loadTask(spec).then((fn) => fn(...this.#args));
  }

  /** @internal In a subclass's thread: the instance run() is called on, with this thread's identity. */
  static adopt(
    cls: abstract new (...args: never[]) => Thread,
    own: ThreadData['weftThread'],
  ): Thread {
    const t = Reflect.construct(Thread, [ATTACH], cls) as Thread;
    t.#name = own.name;
    t.#daemon = own.daemon;
    t.#slot = own.slot;
    t.#ident = threadId;
    t.#started = true;
    setCurrentThread(t);
    return t;
  }

  /** @internal A view of a thread this object did not start (registry entry). */
  static attach(entry: registry.ThreadEntry): Thread {
    const t = new Thread(ATTACH as never);
    t.#name = entry.name;
    t.#daemon = entry.daemon;
    t.#slot = entry.slot;
    t.#ident = entry.ident;
    t.#started = true;
    return t;
  }

  /** The thread's name (settable before and after start, like Python; others see the start-time name). */
  get name(): string {
    return this.#name;
  }
  /** @throws {TypeError} for a name that is not a string. */
  set name(value: string) {
    if (typeof value !== 'string')
      throw argTypeError(`Expected \`name\` to be a string, got ${describe(value)}`);
    this.#name = value;
  }

  /** Whether the thread is a daemon; settable only before `start()`. */
  get daemon(): boolean {
    return this.#daemon;
  }
  /** @throws {StateError} `ERR_THREAD_STATE` once the thread has started. */
  set daemon(value: boolean) {
    if (this.#started)
      throw new StateError('ERR_THREAD_STATE', 'Cannot set `daemon` of a thread that has started');
    if (typeof value !== 'boolean')
      throw argTypeError(`Expected \`daemon\` to be a boolean, got ${describe(value)}`);
    this.#daemon = value;
  }

  /** The thread's id (`worker_threads` threadId), once started; `undefined` before. */
  get ident(): number | undefined {
    return this.#ident;
  }

  /**
   * Starts the thread. Call it at most once.
   *
   * @throws {StateError} `ERR_THREAD_STATE` when called twice.
   * @throws {TypeError} `ERR_NOT_CLONEABLE` when an argument cannot be copied
   * into the thread (a function, a symbol…); the message names `args[i]`.
   */
  start(): void {
    if (this.#started)
      throw new StateError('ERR_THREAD_STATE', `Thread ${this.#name} can only be started once`);
    const spec = this.#spec;
    if (spec === undefined)
      throw new StateError('ERR_THREAD_STATE', 'This thread was not created here');
    const self = spec === SUBCLASS ? subclassData(this, THREAD_SUBCLASS) : undefined;
    // Before claiming a slot: an argument may be refused (ERR_IN_THREAD_ONLY).
    const { value: args, table } = encode(this.#args);
    const slot = registry.claim(this.#name, this.#daemon);
    this.#started = true;
    this.#slot = slot;
    const data: ThreadData = {
      weftRegistry: registry.registryBuffer(),
      weftThread: {
        spec,
        args,
        table,
        name: this.#name,
        daemon: this.#daemon,
        slot,
        ...(self === undefined ? {} : { self }),
      },
    };
    let worker: Worker;
    try {
      worker = startWorker(ENTRY, {
        workerData: { ...data },
        name: this.#name,
        ...(this.#resourceLimits ? { resourceLimits: this.#resourceLimits } : {}),
      });
    } catch (error) {
      registry.markDone(slot, -1);
      throw (error as Error | undefined)?.name === 'DataCloneError'
        ? argsNotCloneable(this.#args, error)
        : error;
    }
    const ident = worker.threadId;
    this.#ident = ident;
    registry.setIdent(slot, ident);
    children.set(ident, this);
    let reported = false;
    worker.on('message', (message: unknown) => {
      if (isErrorMessage(message)) {
        reported = true;
        reportException(errorOf(message), this);
      } else if (isFieldsMessage(message)) {
        restoreFields(this, message.fields, message.table);
      }
    });
    worker.on('error', (error: Error) => {
      // Out of memory under `resourceLimits`: weft's isolate limit killed it
      // mid-instruction, which shared primitives must know (registry.ts).
      if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        registry.markKilled(ident);
      }
      if (!reported) reportException(error, this);
      reported = true;
    });
    this.#exited = new Promise((resolve) => {
      worker.on('exit', () => {
        registry.markDone(slot, ident);
        children.delete(ident);
        resolve();
      });
    });
    // After the listeners: attaching a 'message' listener refs the worker again.
    if (this.#daemon) worker.unref();
  }

  /** True from the moment `start()` returns until the target has finished. */
  isAlive(): boolean {
    return this.#ident !== undefined && registry.isAlive(this.#slot, this.#ident);
  }

  /**
   * Waits until the thread's target has finished, without blocking the event loop.
   *
   * @param options.timeout - Most ms to wait. @default Infinity
   * @param options.signal - Aborts the wait (rejects with `signal.reason`); the thread runs on.
   * @returns `true` if the thread finished, `false` on timeout.
   * @throws {StateError} `ERR_THREAD_STATE` if the thread was not started.
   */
  async join(options?: WaitOptions): Promise<boolean> {
    options = checkOptions(options, 'thread.join(options)', WAIT_FORM);
    const timeout = checkTimeout(options.timeout);
    const signal = checkSignal(options.signal);
    const ident = this.#joinable();
    const deadline = deadlineOf(timeout);
    if (!(await registry.join(this.#slot, ident, timeout, signal))) return false;
    // The target has finished. A thread this thread started also has its
    // worker exit first, so everything it printed has been relayed here.
    const exited = this.#exited;
    if (exited !== undefined) {
      const grace = Math.min(remaining(deadline), EXIT_GRACE);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, grace)))]);
      clearTimeout(timer);
    }
    return true;
  }

  /**
   * Blocks the calling thread until the thread's target has finished.
   *
   * @remarks Blocking: on the main thread this stops the event loop, so
   * messages and console output relayed from threads wait until it returns.
   * @returns `true` if the thread finished, `false` on timeout.
   */
  joinSync(options?: WaitSyncOptions): boolean {
    options = checkOptions(options, 'thread.joinSync(options)', WAIT_SYNC_FORM);
    const timeout = checkTimeout(options.timeout);
    const ident = this.#joinable();
    return registry.joinSync(this.#slot, ident, timeout);
  }

  #joinable(): number {
    if (!this.#started || this.#ident === undefined) {
      throw new StateError('ERR_THREAD_STATE', 'Cannot join a thread before it is started');
    }
    if (this.#ident === threadId && this.#slot === currentSlot) {
      throw new StateError('ERR_THREAD_STATE', 'Cannot join the current thread');
    }
    return this.#ident;
  }

  /** `<Thread(name, started ident)>`, as Python prints it. */
  toString(): string {
    const state = !this.#started ? 'initial' : this.isAlive() ? 'started' : 'stopped';
    return `<Thread(${this.#name}, ${state}${this.#ident === undefined ? '' : ` ${this.#ident}`}${this.#daemon ? ' daemon' : ''})>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

const ATTACH = Object.freeze({ target: undefined });
// The spec of a subclass that overrides run(): its class crosses instead.
const SUBCLASS: TaskSpec = Object.freeze({ source: '', name: 'run' });

/** @internal How a Thread subclass crosses into its thread (internal/subclass.ts). */
export const THREAD_SUBCLASS: SubclassKind = {
  base: 'Thread',
  where: 'thread',
  noModule: 'ERR_THREAD_CLASS_MODULE',
};

function isFieldsMessage(message: unknown): message is ThreadFieldsMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'weft.thread.fields'
  );
}
// How long join() waits, after the target finished, for the worker to exit.
const EXIT_GRACE = 2000;
const ENTRY = weftModule('threading/entry/thread');
/** Names the first argument that structured clone refuses (a function, a class instance with private state…). */
function argsNotCloneable(args: readonly unknown[], error: unknown): TypeError {
  const index = args.findIndex((arg) => {
    try {
      structuredClone(encode(arg));
      return false;
    } catch {
      return true;
    }
  });
  const what = index === -1 ? '`args`' : `\`args[${index}]\` (${describe(args[index])})`;
  return codedError(
    TypeError,
    'ERR_NOT_CLONEABLE',
    `Thread ${what} cannot be copied into a thread: ${(error as Error).message}. Pass data, a shareable, or a task reference instead`,
    { cause: error },
  );
}
