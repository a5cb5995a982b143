// What ThreadPoolExecutor and ProcessPoolExecutor share: validation, the
// submit path, shutdown. The submit path is the hot one: a WeakMap lookup
// for the task's id, one TaskFuture, a scan of the arguments that only does
// work for object arguments, and a push onto the pool's queue.

import { rejected } from '../internal/reject.js';
import { pack, packedOnly, PROCESS_SAFE } from '../internal/codec.js';
import { argTypeError, describe, outOfRangeError, StateError } from '../internal/errors.js';
import { toTaskSpec, type AnyFunction, type Target } from '../internal/task-ref.js';
import {
  checkInt,
  checkOptions,
  checkSignal,
  checkTimeout,
  WAIT_FORM,
} from '../internal/validate.js';
import { BrokenExecutorError } from './errors.js';
import {
  Executor,
  type ShutdownOptions,
  type SubmitOptions,
  type TaskArgs,
  type TaskResult,
} from './executor.js';
import type { Future } from './future.js';
import { TaskFuture, type Transport } from './lane.js';
import { PoolCore, type StrayErrorSource } from './pool.js';
import * as P from './protocol.js';
import { unwrapTransfer } from './transfer.js';
import { availableParallelism } from 'node:os';
import type { TransferListItem } from 'node:worker_threads';

/** Options both pools take. */
export interface PoolOptions {
  /** How many workers at most; they start on demand. @default os.availableParallelism() */
  readonly maxWorkers?: number;
  /** Runs first in every worker, with `initargs`; if it fails the pool is broken (`BrokenExecutorError`). */
  readonly initializer?: Target<AnyFunction>;
  /** Arguments of `initializer`. @default [] */
  readonly initargs?: readonly unknown[];
  /** Ms a worker may stay idle before it exits (a new one starts on demand). @default Infinity */
  readonly idleTimeout?: number;
  /**
   * How many tasks may wait beyond one running per worker; past that,
   * `submit` throws `StateError` `ERR_EXECUTOR_QUEUE_FULL` at once (fail
   * fast), while `map` waits for room. @default Infinity
   */
  readonly maxQueue?: number;
  /** Ms a cancelled or timed-out running task has to finish before its worker is terminated. @default 1000 */
  readonly gracePeriod?: number;
  /**
   * Ms that the end of an `await using` scope waits for a graceful shutdown
   * (every submitted task finishes, as Python's `with`) before it forces one:
   * tasks not started are cancelled, running ones fail with
   * `WorkerExitError` (`ERR_WORKER_KILLED`) and every worker is killed, so a
   * scope exit never hangs on a stuck task. `Infinity` waits as long as the
   * tasks take. @default 30000
   */
  readonly disposeTimeout?: number;
  /**
   * Called with each *stray error* of a worker: an error that escaped every
   * task, thrown from a timer or callback a task left behind, or a rejection
   * nobody handled. Which task it belongs to cannot be known (the task that
   * left the timer may have finished long ago), so it never fails a task:
   * it is reported here, with the worker it happened in. That worker is then
   * unsafe to reuse (Node's rule after an uncaught error): it takes no new
   * tasks; in a thread pool its tasks not yet begun move to other workers
   * (a child process first runs the tasks already sent to it); what it has
   * may finish within `gracePeriod` (then it is killed: the task it was
   * running fails with `ERR_WORKER_KILLED`, the ones it had not begun run
   * elsewhere), and a fresh worker replaces it on demand.
   * piscina emits such errors as the pool's `'error'` event; Python prints
   * them through `threading.excepthook`.
   *
   * An error thrown by the hook itself becomes the program's uncaught error.
   *
   * @default Prints the error to stderr as Node prints an uncaught error,
   * naming the executor and worker; the program keeps running.
   * @example
   * ```ts
   * const pool = new ThreadPoolExecutor({
   *   onStrayError: (error, { worker }) => console.error(`stray error in worker ${worker}:`, error),
   * });
   * ```
   */
  readonly onStrayError?: (error: unknown, source: StrayErrorSource) => void;
}

/** @internal What a concrete pool passes up. */
export interface PoolSetup {
  readonly kind: string;
  readonly transport: Transport;
  readonly maxTasksPerWorker: number;
}

/** The common implementation of the two pools. */
export abstract class PoolExecutor extends Executor {
  readonly #core: PoolCore;
  readonly #kind: string;
  readonly #shared: boolean;
  readonly #maxWorkers: number;
  readonly #ids = new WeakMap<object, number>();
  readonly #keys = new Map<string, number>();
  readonly #disposeTimeout: number;
  // Set by #prepare: whether the arguments held shareables.
  #encoded = false;

  protected constructor(options: PoolOptions, setup: PoolSetup) {
    super();
    const { kind, transport } = setup;
    this.#kind = kind;
    this.#shared = transport.shared;
    const maxWorkers = options.maxWorkers ?? defaultWorkers();
    if (typeof maxWorkers === 'number' && Number.isInteger(maxWorkers) && maxWorkers < 1) {
      throw outOfRangeError(
        `Expected \`maxWorkers\` to be greater than 0, got ${describe(maxWorkers)}`,
      );
    }
    this.#maxWorkers = checkInt(maxWorkers, 'maxWorkers', 1);
    const maxQueue =
      options.maxQueue === undefined || options.maxQueue === Infinity
        ? Infinity
        : checkInt(options.maxQueue, 'maxQueue', 0);
    const initargs = options.initargs ?? [];
    if (!Array.isArray(initargs)) {
      throw argTypeError(`Expected \`initargs\` to be an array, got ${describe(initargs)}`);
    }
    let init: P.WorkerInit = { capacity: P.CAPACITY };
    if (options.initializer !== undefined) {
      const initializer = toTaskSpec(options.initializer, `${kind} \`initializer\``);
      const encoded = pack(initargs);
      if (encoded !== initargs && !this.#shared && !packedOnly(encoded, PROCESS_SAFE)) {
        throw shareableError('initargs');
      }
      init = { ...init, initializer, initargs: encoded, initShared: encoded !== initargs };
    }
    const { onStrayError } = options;
    if (onStrayError !== undefined && typeof onStrayError !== 'function') {
      throw argTypeError(
        `Expected \`onStrayError\` to be a function, got ${describe(onStrayError)}`,
      );
    }
    this.#disposeTimeout =
      options.disposeTimeout === undefined
        ? DISPOSE_TIMEOUT
        : checkTimeout(options.disposeTimeout, 'disposeTimeout');
    this.#core = new PoolCore(transport, {
      kind,
      onStrayError,
      maxWorkers: this.#maxWorkers,
      maxQueue,
      idleTimeout: checkTimeout(options.idleTimeout, 'idleTimeout'),
      gracePeriod:
        options.gracePeriod === undefined ? 1000 : checkTimeout(options.gracePeriod, 'gracePeriod'),
      maxTasksPerWorker: setup.maxTasksPerWorker,
      init,
    });
    // A pool that becomes garbage shuts down gracefully (its tasks still finish).
    collected.register(this, this.#core);
  }

  /** The most workers this pool runs at once. */
  get maxWorkers(): number {
    return this.#maxWorkers;
  }

  override submitWith<T extends Target<AnyFunction>>(
    task: T,
    args: TaskArgs<T>,
    options?: SubmitOptions,
  ): Future<TaskResult<T>> {
    if (!Array.isArray(args)) {
      throw argTypeError(`Expected \`args\` to be an array, got ${describe(args)}`);
    }
    return this.#submit(task, args.slice(), options, 0) as Future<TaskResult<T>>;
  }

  override submit<T extends Target<AnyFunction>>(
    task: T,
    ...args: TaskArgs<T>
  ): Future<TaskResult<T>> {
    return this.#submit(task, args, undefined, 0) as Future<TaskResult<T>>;
  }

  /**
   * Shuts the pool down: no new tasks; workers exit once the submitted tasks
   * are done (`cancelFutures` cancels those not started). Python's
   * `shutdown(wait, cancel_futures)`; safe to call more than once.
   *
   * @returns A promise that resolves when every task is done and every
   * worker has exited (`wait: true`, the default), or at once.
   * @example
   * ```ts
   * await pool.shutdown({ cancelFutures: true });
   * ```
   */
  override shutdown(options: ShutdownOptions = {}): Promise<void> {
    try {
      return this.#shutdown(options);
    } catch (error) {
      return rejected(error);
    }
  }

  #shutdown(options: ShutdownOptions): Promise<void> {
    checkOptions(options, 'pool.shutdown(options)', '{ wait: false, cancelFutures: true }');
    const { wait = true, cancelFutures = false } = options;
    if (typeof wait !== 'boolean')
      throw argTypeError(`Expected \`wait\` to be a boolean, got ${describe(wait)}`);
    if (typeof cancelFutures !== 'boolean') {
      throw argTypeError(
        `Expected \`cancelFutures\` to be a boolean, got ${describe(cancelFutures)}`,
      );
    }
    if (cancelFutures) this.#core.cancelPending();
    const closed = this.#core.shutdown();
    return wait ? closed : Promise.resolve();
  }

  /**
   * Stops now: tasks not started are cancelled, running ones fail with
   * `WorkerExitError` (`ERR_WORKER_KILLED`), and every worker is killed.
   *
   * @returns A promise that resolves when every worker has exited.
   * @example
   * ```ts
   * await pool.terminate();
   * ```
   */
  terminate(): Promise<void> {
    return this.#core.terminate();
  }

  /**
   * `await using pool = …`: shuts the pool down and waits for its tasks, as
   * Python's `with`; after `disposeTimeout` ms (default 30 s) it terminates
   * the pool instead (see {@link PoolOptions.disposeTimeout}).
   */
  override async [Symbol.asyncDispose](): Promise<void> {
    const closed = this.shutdown({ wait: true });
    const bound = this.#disposeTimeout;
    if (bound === Infinity) return closed;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = await Promise.race([
      closed.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(resolve, bound, true))),
    ]);
    clearTimeout(timer);
    if (late) await this.terminate();
  }

  /** @internal Task time and count reported by the workers (for `weft bench`). */
  get workStats(): { readonly busyMs: number; readonly tasks: number } {
    return { busyMs: this.#core.busyMs, tasks: this.#core.tasksRun };
  }

  protected override submitChunk(task: Target<AnyFunction>, list: unknown[][]): Future<unknown[]> {
    return this.#submit(task, list, undefined, P.F_CHUNK) as Future<unknown[]>;
  }

  protected override whenRoom(): Promise<void> {
    return this.#core.whenRoom();
  }

  protected override defaultMapBuffer(): number {
    return 256 * this.#maxWorkers;
  }

  #submit(
    task: unknown,
    args: unknown[],
    options: SubmitOptions | undefined,
    flags: number,
  ): Future<unknown> {
    const core = this.#core;
    if (core.closing || core.broken !== undefined) this.#refuse();
    if (!core.hasRoom()) {
      throw new StateError(
        'ERR_EXECUTOR_QUEUE_FULL',
        `The ${this.#kind} queue is full (maxQueue); retry when a task has finished`,
      );
    }
    let id =
      typeof task === 'object' || typeof task === 'function' ? this.#ids.get(task!) : undefined;
    if (id === undefined) id = this.#register(task);
    const f = new TaskFuture();
    let code = id * P.CODE_SHIFT + flags;
    let a: unknown = args;
    for (let i = 0; i < args.length; i++) {
      const v = args[i];
      if (typeof v === 'object' && v !== null) {
        a = this.#prepare(f, args, flags === 0);
        if (this.#encoded) code |= P.F_SHARED;
        break;
      }
    }
    f.c = code;
    f.a = a;
    if (options !== undefined) this.#watch(f, options);
    core.enqueue(f);
    if (f.w !== undefined) core.watch(f);
    return f;
  }

  // Unwraps transfer markers and encodes shareables; returns the arguments to send.
  #prepare(f: TaskFuture, args: unknown[], top: boolean): unknown {
    let list = args;
    if (top) {
      let transfer: TransferListItem[] | undefined;
      for (let i = 0; i < list.length; i++) {
        const marker = unwrapTransfer(list[i]);
        if (marker === undefined) continue;
        if (list === args) list = args.slice();
        list[i] = marker.value;
        if (this.#shared) (transfer ??= []).push(...marker.list);
      }
      f.x = transfer;
    }
    const encoded = pack(list);
    this.#encoded = encoded !== list;
    if (this.#encoded && !this.#shared && !packedOnly(encoded, PROCESS_SAFE)) {
      throw shareableError('task arguments');
    }
    return encoded;
  }

  #watch(f: TaskFuture, options: SubmitOptions): void {
    checkOptions(options, 'pool.submitWith(task, args, options)', WAIT_FORM);
    const timeout = checkTimeout(options.timeout);
    const signal = checkSignal(options.signal);
    if (signal === undefined && timeout === Infinity) return;
    signal?.throwIfAborted();
    f.w = { timeout, signal, onAbort: undefined, timer: undefined, grace: undefined };
    f.c |= P.F_WATCH;
  }

  #register(task: unknown): number {
    const spec = toTaskSpec(task, `${this.#kind} task`);
    const key = 'module' in spec ? `${spec.module}#${spec.name}` : spec.source;
    let id = this.#keys.get(key);
    if (id === undefined) {
      id = this.#core.define(spec);
      this.#keys.set(key, id);
    }
    this.#ids.set(task as object, id);
    return id;
  }

  #refuse(): never {
    const broken = this.#core.broken;
    if (broken !== undefined) {
      throw new BrokenExecutorError(broken.message, { cause: broken.cause });
    }
    throw new StateError('ERR_EXECUTOR_SHUTDOWN', 'Cannot schedule new futures after shutdown');
  }
}

function shareableError(what: string): TypeError {
  const error = new TypeError(
    `A ProcessPoolExecutor cannot pass weft/threading, weft/shared or weft/queue shareables (Lock, Value, Queue…) in ${what}: ` +
      'they live in shared memory, which child processes do not share. Use the same names from weft/multiprocessing ' +
      "(new Value('i', 0), new Lock(), new Queue()…), served across processes, a Manager's proxies, or a ThreadPoolExecutor",
  );
  Object.defineProperty(error, 'code', { value: 'ERR_SHAREABLE_PROCESS', enumerable: true });
  return error;
}

/** How long `await using` waits for a graceful shutdown before forcing one. */
const DISPOSE_TIMEOUT = 30_000;

const collected = new FinalizationRegistry<PoolCore>((core) => void core.shutdown());

let cpus: number | undefined;
function defaultWorkers(): number {
  return (cpus ??= availableParallelism());
}
