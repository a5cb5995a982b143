// Python's multiprocessing.Pool (and multiprocessing.pool.ThreadPool), as a
// thin layer over weft's executors: no second pool implementation. The
// executor does the scheduling, batching, chunking and crash handling; this
// file maps Python's names and its AsyncResult onto futures.

import {
  argTypeError,
  codedError,
  describe,
  StateError,
  TimeoutError,
} from '../internal/errors.js';
import type { AnyFunction, FunctionOf, Target } from '../internal/task-ref.js';
import { checkInt, checkOptions, checkTimeout } from '../internal/validate.js';
import { Future } from '../futures/future.js';
import { ChunkFailure } from '../futures/map.js';
import type { PoolExecutor } from '../futures/pool-executor.js';
import { ProcessPoolExecutor } from '../futures/process-pool.js';
import { ThreadPoolExecutor } from '../futures/thread-pool.js';
import { wait } from '../futures/wait.js';
import { availableParallelism } from 'node:os';

type Args<T> = Parameters<FunctionOf<T>>;
type Result<T> = Awaited<ReturnType<FunctionOf<T>>>;
/** The single parameter of a one-argument task (what `map` feeds it). */
type Item<T> = Args<T> extends [infer A, ...unknown[]] ? A : never;

/** Options of {@link Pool} and {@link ThreadPool}. Python's `Pool(processes, initializer, initargs, maxtasksperchild)`. */
export interface PoolOptions {
  /** How many workers. @default cpuCount() */
  readonly processes?: number;
  /** Runs first in every worker, with `initargs`. */
  readonly initializer?: Target<AnyFunction>;
  /** Arguments of `initializer`. @default [] */
  readonly initargs?: readonly unknown[];
  /** A worker is replaced after this many tasks (processes only). @default Infinity */
  readonly maxtasksperchild?: number;
}

/** Options of the `…Async` methods: Python's `callback` / `error_callback`. */
export interface AsyncResultOptions<R> {
  /** Called with the result once it is ready (in this thread). */
  readonly callback?: (result: R) => void;
  /** Called with the error if the call failed (in this thread). */
  readonly errorCallback?: (error: unknown) => void;
}

/** Options of `map`-like methods. */
export interface ChunkOptions {
  /** Items per task sent to a worker in one go. @default computed as Python does: ceil(n / (4 × workers)) */
  readonly chunksize?: number;
}

/**
 * The handle of an `applyAsync` / `mapAsync` / `starmapAsync` call: Python's
 * `AsyncResult`.
 *
 * @example
 * ```ts
 * const r = pool.applyAsync(work.square, [7]);
 * console.log(r.ready(), await r.get({ timeout: 1000 })); // false 49
 * ```
 */
export class AsyncResult<R> {
  readonly #future: Future<R>;
  // undefined while pending; then whether it succeeded.
  #ok: boolean | undefined;

  /** @internal */
  constructor(future: Future<R>, options: AsyncResultOptions<R>) {
    this.#future = future;
    const { callback, errorCallback } = options;
    future.then(
      (value) => {
        this.#ok = true;
        callback?.(value);
      },
      (error: unknown) => {
        this.#ok = false;
        errorCallback?.(error);
      },
    );
  }

  /**
   * The result, once ready; rethrows the call's error. Python's `get(timeout)`.
   *
   * @throws {TimeoutError} `ERR_TIMEOUT` if not ready within `timeout` ms.
   */
  async get(options?: { readonly timeout?: number }): Promise<R> {
    const timeout = checkTimeout(checkOptions(options, 'asyncResult.get()', TIMEOUT_FORM).timeout);
    if (!(await this.wait({ timeout }))) {
      throw new TimeoutError(`The result was not ready within ${timeout} ms`);
    }
    return this.#future;
  }

  /** Waits until the result is ready or `timeout` ms pass; true if ready. */
  async wait(options?: { readonly timeout?: number }): Promise<boolean> {
    const timeout = checkTimeout(checkOptions(options, 'asyncResult.wait()', TIMEOUT_FORM).timeout);
    await wait([this.#future], { timeout });
    // The outcome is recorded one reaction after the future settles.
    if (this.#future.done()) await this.#future.then(noop, noop);
    return this.ready();
  }

  /** Whether the call has completed. */
  ready(): boolean {
    return this.#ok !== undefined;
  }

  /**
   * Whether the call completed without an error.
   *
   * @throws {StateError} `ERR_RESULT_NOT_READY` before it is ready (Python raises ValueError).
   */
  successful(): boolean {
    if (this.#ok === undefined) {
      throw new StateError('ERR_RESULT_NOT_READY', 'The result is not ready yet');
    }
    return this.#ok;
  }
}

function noop(): void {}

const TIMEOUT_FORM = '{ timeout: 1000 }';
const POOL_FORM = '{ processes: 4 }';
const CHUNK_FORM = '{ chunksize: 8 }';
const ASYNC_FORM = '{ chunksize: 8, callback, errorCallback }';
const CALLBACK_FORM = '{ callback, errorCallback }';

// Python's positional `callback`/`error_callback` land here as a function: refused by checkOptions.
function asyncOptions<R>(
  options: object | undefined,
  call: string,
  form: string,
): AsyncResultOptions<R> & ChunkOptions {
  const o = checkOptions(options as (AsyncResultOptions<R> & ChunkOptions) | undefined, call, form);
  for (const name of ['callback', 'errorCallback'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'function') {
      throw argTypeError(`Expected \`${name}\` to be a function, got ${describe(o[name])}`);
    }
  }
  return o;
}

// The iterable of map-like calls: required (ERR_MISSING_ARGS), and iterable.
function checkIterable(iterable: unknown, call: string, async = false): void {
  if (iterable === undefined) {
    throw codedError(TypeError, 'ERR_MISSING_ARGS', `\`${call}\` needs an iterable of inputs`);
  }
  const o = iterable as Partial<Iterable<unknown> & AsyncIterable<unknown>> | null;
  const ok =
    typeof iterable === 'string' ||
    (typeof o === 'object' &&
      o !== null &&
      (typeof o[Symbol.iterator] === 'function' ||
        (async && typeof o[Symbol.asyncIterator] === 'function')));
  if (!ok) {
    throw argTypeError(
      `Expected the inputs of \`${call}\` to be iterable, got ${describe(iterable)}`,
    );
  }
}

// Each item of starmap's iterable is one call's argument list.
function argLists(iterable: unknown, call: string): unknown[][] {
  checkIterable(iterable, call);
  const lists = [...(iterable as Iterable<unknown>)];
  lists.forEach((args, i) => {
    if (!Array.isArray(args)) {
      throw argTypeError(
        `Expected item #${i + 1} of \`${call}\` to be an array of arguments, got ${describe(args)}`,
      );
    }
  });
  return lists as unknown[][];
}

function oneArgs(iterable: unknown, call: string): unknown[][] {
  checkIterable(iterable, call);
  return [...(iterable as Iterable<unknown>)].map((x) => [x]);
}

interface ChunkSubmitter {
  submitChunk(task: Target<AnyFunction>, list: unknown[][]): Future<unknown[]>;
}

const RUN = 0;
// imapUnordered's look-ahead: chunks per worker submitted and not yet yielded.
const LOOK_AHEAD = 4;
const CLOSE = 1;
const TERMINATE = 2;

/**
 * A pool of worker processes with Python's `multiprocessing.Pool` API, built
 * on {@link ProcessPoolExecutor}. Use {@link ThreadPool} for the same API over
 * threads (which, in Node, also run in parallel).
 *
 * `await using pool = new Pool()` terminates the pool at the end of the
 * scope, as Python's `with Pool() as pool:` does: await your results inside it.
 *
 * @example
 * ```ts
 * import { Pool } from 'weft/multiprocessing';
 * import { tasks } from 'weft/futures';
 * const work = tasks<typeof import('./work.js')>(new URL('./work.js', import.meta.url));
 * await using pool = new Pool({ processes: 2 });
 * console.log(await pool.map(work.square, [1, 2, 3])); // [1, 4, 9]
 * for await (const x of pool.imapUnordered(work.square, [4, 5])) console.log(x);
 * ```
 */
export class Pool implements AsyncDisposable {
  readonly #executor: PoolExecutor;
  readonly #workers: number;
  #state = RUN;
  readonly #pending = new Set<Future<unknown>>();

  constructor(options?: PoolOptions) {
    options = checkOptions(options, 'new Pool()', POOL_FORM);
    this.#workers = checkInt(options.processes ?? cpuCount(), 'processes', 1);
    this.#executor = this.makeExecutor(this.#workers, options);
  }

  /** @internal The executor behind this pool (processes here, threads in ThreadPool). */
  protected makeExecutor(workers: number, options: PoolOptions): PoolExecutor {
    const { initializer, initargs, maxtasksperchild } = options;
    return new ProcessPoolExecutor({
      maxWorkers: workers,
      ...(initializer === undefined ? {} : { initializer }),
      ...(initargs === undefined ? {} : { initargs }),
      ...(maxtasksperchild === undefined
        ? {}
        : { maxTasksPerChild: checkInt(maxtasksperchild, 'maxtasksperchild', 1) }),
    });
  }

  /**
   * Runs `task(...args)` in a worker and returns its result. Python's `apply(func, args)`.
   *
   * @example
   * ```ts
   * const g = await pool.apply(work.gcd, [12, 8]); // 4
   * ```
   */
  apply<T extends Target<AnyFunction>>(task: T, args?: Args<T>): Promise<Result<T>> {
    return this.#submit(task, args ?? ([] as unknown as Args<T>));
  }

  /**
   * Starts `task(...args)` and returns an {@link AsyncResult}. Python's `apply_async`.
   *
   * @example
   * ```ts
   * const r = pool.applyAsync(work.gcd, [12, 8], { callback: (g) => console.log(g) });
   * ```
   */
  applyAsync<T extends Target<AnyFunction>>(
    task: T,
    args?: Args<T>,
    options?: AsyncResultOptions<Result<T>>,
  ): AsyncResult<Result<T>> {
    const o = asyncOptions<Result<T>>(options, 'pool.applyAsync()', CALLBACK_FORM);
    return new AsyncResult(this.#submit(task, args ?? ([] as unknown as Args<T>)), o);
  }

  /**
   * `task` applied to each item, results in input order. Python's `map(func, iterable, chunksize)`.
   *
   * @example
   * ```ts
   * const squares = await pool.map(work.square, [1, 2, 3]);
   * ```
   */
  map<T extends Target<AnyFunction>>(
    task: T,
    iterable: Iterable<Item<T>>,
    options?: ChunkOptions,
  ): Promise<Result<T>[]> {
    const o = checkOptions(options, 'pool.map()', CHUNK_FORM);
    return this.#mapFuture(task, oneArgs(iterable, 'pool.map()'), o);
  }

  /** `map` returning an {@link AsyncResult} of the list. Python's `map_async`. */
  mapAsync<T extends Target<AnyFunction>>(
    task: T,
    iterable: Iterable<Item<T>>,
    options?: ChunkOptions & AsyncResultOptions<Result<T>[]>,
  ): AsyncResult<Result<T>[]> {
    const o = asyncOptions<Result<T>[]>(options, 'pool.mapAsync()', ASYNC_FORM);
    return new AsyncResult(this.#mapFuture(task, oneArgs(iterable, 'pool.mapAsync()'), o), o);
  }

  /**
   * `task(...args)` for each argument list, results in input order. Python's `starmap`.
   *
   * @example
   * ```ts
   * const gcds = await pool.starmap(work.gcd, [[12, 8], [30, 45]]); // [4, 15]
   * ```
   */
  starmap<T extends Target<AnyFunction>>(
    task: T,
    iterable: Iterable<Args<T>>,
    options?: ChunkOptions,
  ): Promise<Result<T>[]> {
    const o = checkOptions(options, 'pool.starmap()', CHUNK_FORM);
    return this.#mapFuture(task, argLists(iterable, 'pool.starmap()'), o);
  }

  /** `starmap` returning an {@link AsyncResult}. Python's `starmap_async`. */
  starmapAsync<T extends Target<AnyFunction>>(
    task: T,
    iterable: Iterable<Args<T>>,
    options?: ChunkOptions & AsyncResultOptions<Result<T>[]>,
  ): AsyncResult<Result<T>[]> {
    const o = asyncOptions<Result<T>[]>(options, 'pool.starmapAsync()', ASYNC_FORM);
    const lists = argLists(iterable, 'pool.starmapAsync()');
    return new AsyncResult(this.#mapFuture(task, lists, o), o);
  }

  /**
   * Results in input order as they become available, read lazily from
   * `iterable`. Python's `imap(func, iterable, chunksize=1)`.
   *
   * @example
   * ```ts
   * for await (const x of pool.imap(work.square, [1, 2, 3])) console.log(x);
   * ```
   */
  imap<T extends Target<AnyFunction>>(
    task: T,
    iterable: Iterable<Item<T>> | AsyncIterable<Item<T>>,
    options?: ChunkOptions,
  ): AsyncIterableIterator<Result<T>> {
    this.#check();
    const o = checkOptions(options, 'pool.imap()', CHUNK_FORM);
    checkIterable(iterable, 'pool.imap()', true);
    const chunksize = checkInt(o.chunksize ?? 1, 'chunksize', 1);
    const map = this.#executor.map.bind(this.#executor) as (
      task: T,
      iterable: unknown,
      options: ChunkOptions,
    ) => AsyncIterableIterator<Result<T>>;
    return map(task, iterable, { chunksize });
  }

  /**
   * Results in completion order. Python's `imap_unordered(func, iterable, chunksize=1)`.
   *
   * @example
   * ```ts
   * for await (const x of pool.imapUnordered(work.slow, [3, 1, 2])) console.log(x); // fastest first
   * ```
   */
  imapUnordered<T extends Target<AnyFunction>>(
    task: T,
    iterable: Iterable<Item<T>> | AsyncIterable<Item<T>>,
    options?: ChunkOptions,
  ): AsyncGenerator<Result<T>, void, undefined> {
    this.#check();
    const o = checkOptions(options, 'pool.imapUnordered()', CHUNK_FORM);
    checkIterable(iterable, 'pool.imapUnordered()', true);
    const chunksize = checkInt(o.chunksize ?? 1, 'chunksize', 1);
    return this.#unordered(task, iterable, chunksize) as AsyncGenerator<Result<T>, void, undefined>;
  }

  // imapUnordered's body: reads the input lazily, at most LOOK_AHEAD chunks
  // per worker submitted and not yet yielded; awaits between refills, so an
  // endless input never blocks the event loop.
  async *#unordered(
    task: Target<AnyFunction>,
    iterable: Iterable<unknown> | AsyncIterable<unknown>,
    chunksize: number,
  ): AsyncGenerator<unknown, void, undefined> {
    const source = iterable as Partial<Iterable<unknown> & AsyncIterable<unknown>>;
    const it: Iterator<unknown> | AsyncIterator<unknown> =
      source[Symbol.asyncIterator]?.() ?? source[Symbol.iterator]!();
    const limit = LOOK_AHEAD * this.#workers;
    const ready: Future<unknown[]>[] = [];
    let wake: (() => void) | undefined;
    let running = 0;
    let exhausted = false;
    try {
      for (;;) {
        while (!exhausted && running < limit) {
          const chunk: unknown[][] = [];
          while (chunk.length < chunksize) {
            const r = await it.next();
            if (r.done === true) {
              exhausted = true;
              break;
            }
            chunk.push([r.value]);
          }
          if (chunk.length === 0) break;
          this.#check();
          const f = this.#track(this.#chunk(task, chunk));
          running++;
          f.addDoneCallback(() => {
            ready.push(f);
            wake?.();
          });
        }
        const f = ready.shift();
        if (f === undefined) {
          if (running === 0) return;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        running--;
        for (const x of await f.result()) yield x;
      }
    } finally {
      if (!exhausted) await it.return?.();
    }
  }

  /** No more tasks may be submitted; workers exit once the submitted ones are done. Python's `close()`. */
  close(): void {
    if (this.#state === RUN) {
      this.#state = CLOSE;
      void this.#executor.shutdown({ wait: false });
    }
  }

  /**
   * Stops the workers at once; tasks not finished fail. Python's `terminate()`
   * (also what `await using` does).
   */
  async terminate(): Promise<void> {
    this.#state = TERMINATE;
    await this.#executor.terminate();
  }

  /**
   * Waits for the workers to exit. Python's `join()`: only after `close()` or `terminate()`.
   *
   * @throws {StateError} `ERR_POOL_RUNNING` while the pool still accepts tasks.
   */
  async join(): Promise<void> {
    if (this.#state === RUN) {
      throw new StateError('ERR_POOL_RUNNING', 'Call close() or terminate() before join()');
    }
    if (this.#state === CLOSE) await this.#executor.shutdown({ wait: true });
    else await this.#executor.terminate();
  }

  /** `await using pool = new Pool()` terminates it at the end of the scope, as Python's `with`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  #check(): void {
    if (this.#state !== RUN) {
      throw new StateError('ERR_POOL_NOT_RUNNING', 'The pool is closed or terminated');
    }
  }

  #submit<T extends Target<AnyFunction>>(task: T, args: Args<T>): Future<Result<T>> {
    this.#check();
    if (!Array.isArray(args)) {
      throw argTypeError(
        `Expected \`args\` to be an array of arguments (Python's args tuple), got ${describe(args)}`,
      );
    }
    return this.#track(this.#executor.submitWith(task, args));
  }

  // One task that runs `task` over several argument lists in a worker: the
  // executor's own chunk path (what its map's chunksize uses).
  // A chunk fails with a ChunkFailure (its partial results and the error):
  // Python's Pool reports the error alone.
  #chunk(task: Target<AnyFunction>, list: unknown[][]): Future<unknown[]> {
    const chunk = (this.#executor as unknown as ChunkSubmitter).submitChunk(task, list);
    const out = new Future<unknown[]>();
    chunk.then(
      (values) => out.setResult(values),
      (error: unknown) => out.setException(error instanceof ChunkFailure ? error.error : error),
    );
    return out;
  }

  #mapFuture<R>(task: Target<AnyFunction>, items: unknown[][], options: ChunkOptions): Future<R[]> {
    this.#check();
    const chunksize = checkInt(
      options.chunksize ?? Math.max(1, Math.ceil(items.length / (4 * this.#workers))),
      'chunksize',
      1,
    );
    const parts: Future<unknown[]>[] = [];
    for (let i = 0; i < items.length; i += chunksize) {
      parts.push(this.#chunk(task, items.slice(i, i + chunksize)));
    }
    const out = new Future<R[]>();
    Promise.all(parts).then(
      (lists) => out.setResult(lists.flat() as R[]),
      (error: unknown) => out.setException(error),
    );
    return this.#track(out);
  }

  #track<F extends Future<unknown>>(future: F): F {
    this.#pending.add(future);
    future.addDoneCallback(() => this.#pending.delete(future));
    return future;
  }
}

/**
 * {@link Pool}'s API over worker threads (Python's `multiprocessing.pool.ThreadPool`),
 * built on {@link ThreadPoolExecutor}. In Node threads run in parallel, so
 * this is the faster choice for CPU work that needs no process isolation.
 *
 * @example
 * ```ts
 * import { ThreadPool } from 'weft/multiprocessing';
 * import { tasks } from 'weft/futures';
 * const work = tasks<typeof import('./work.js')>(new URL('./work.js', import.meta.url));
 * await using pool = new ThreadPool({ processes: 2 });
 * console.log(await pool.starmap(work.gcd, [[12, 8]])); // [4]
 * ```
 */
export class ThreadPool extends Pool {
  /** @internal */
  protected override makeExecutor(workers: number, options: PoolOptions): PoolExecutor {
    const { initializer, initargs } = options;
    return new ThreadPoolExecutor({
      maxWorkers: workers,
      ...(initializer === undefined ? {} : { initializer }),
      ...(initargs === undefined ? {} : { initargs }),
    });
  }
}

/**
 * How many CPUs this process may use (`os.availableParallelism()`), Python's
 * `os.cpu_count()` / `multiprocessing.cpu_count()` for sizing pools.
 *
 * @example
 * ```ts
 * const pool = new Pool({ processes: cpuCount() });
 * ```
 */
export function cpuCount(): number {
  return availableParallelism();
}
