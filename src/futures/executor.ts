import type { AnyFunction, FunctionOf, Target } from '../internal/task-ref.js';
import { Future } from './future.js';
import { MapRun, parseMapArgs, type MapOptions } from './map.js';
import { inThreadOnly } from '../internal/classes.js';

/** The argument list of a task (a task reference or a self-contained function). */
export type TaskArgs<T> = Parameters<FunctionOf<T>>;
/** What a task's future resolves to: its return value, awaited. */
export type TaskResult<T> = Awaited<ReturnType<FunctionOf<T>>>;

/** One iterable (sync or async) per parameter of the task, for {@link Executor.map}. */
export type MapIterables<P extends readonly unknown[]> = {
  [K in keyof P]: Iterable<P[K]> | AsyncIterable<P[K]>;
};

/** Per-task options of {@link Executor.submitWith}. */
export interface SubmitOptions {
  /**
   * Cancels the task: while it is pending it is cancelled outright (the
   * future is cancelled); once running, its future fails with
   * `signal.reason` at once, the task's own `taskSignal()` aborts, and if it
   * has not finished after the pool's `gracePeriod` its worker is terminated
   * and replaced (the other tasks queued to that worker move elsewhere).
   */
  readonly signal?: AbortSignal;
  /**
   * Most ms the task may run, counted from when it *starts* running; then it
   * is aborted as if by `signal`, with a `TimeoutError` (`ERR_TIMEOUT`).
   * @default Infinity
   */
  readonly timeout?: number;
}

/** Options of {@link Executor.shutdown}. */
export interface ShutdownOptions {
  /** Resolve only when every task is done and every worker has exited. @default true */
  readonly wait?: boolean;
  /** Cancel every task that has not started. @default false */
  readonly cancelFutures?: boolean;
}

export type { MapOptions };

/**
 * What every executor offers: Python's `concurrent.futures.Executor`.
 * `ThreadPoolExecutor` and `ProcessPoolExecutor` implement it; so can an
 * executor over anything else, by providing `submitWith` and `shutdown`.
 *
 * @example
 * ```ts
 * async function total(executor: Executor, xs: number[]): Promise<number> {
 *   let sum = 0;
 *   for await (const y of executor.map(work.square, xs)) sum += y;
 *   return sum;
 * }
 * ```
 */
export abstract class Executor implements AsyncDisposable {
  /**
   * Schedules `task(...args)` and returns its future. Python's `submit(fn, *args)`.
   *
   * @param task - A task reference (`tasks(url).name`) or a self-contained function.
   * @param args - Its arguments, copied by structured clone (shareables arrive live in threads).
   * @throws {StateError} `ERR_EXECUTOR_SHUTDOWN` after `shutdown()`; `ERR_EXECUTOR_QUEUE_FULL` when `maxQueue` tasks already wait.
   * @throws {BrokenExecutorError} if a worker initializer failed.
   * @example
   * ```ts
   * const future = pool.submit(work.gcd, 1231312, 434344);
   * console.log(await future);
   * ```
   */
  submit<T extends Target<AnyFunction>>(task: T, ...args: TaskArgs<T>): Future<TaskResult<T>> {
    return this.submitWith(task, args);
  }

  /**
   * Schedules `task(...args)` with per-task options (a signal, a timeout).
   *
   * @example
   * ```ts
   * const f = pool.submitWith(work.crawl, [url], { timeout: 5_000, signal: controller.signal });
   * ```
   */
  abstract submitWith<T extends Target<AnyFunction>>(
    task: T,
    args: TaskArgs<T>,
    options?: SubmitOptions,
  ): Future<TaskResult<T>>;

  /**
   * Shuts the executor down: no new tasks; the submitted ones still run
   * unless `cancelFutures`. Safe to call more than once.
   *
   * @example
   * ```ts
   * await pool.shutdown({ cancelFutures: true });
   * ```
   */
  abstract shutdown(options?: ShutdownOptions): Promise<void>;

  /**
   * Runs `task` over the items of the iterables (zipped, shortest wins) and
   * yields the results in input order. Python's `Executor.map`, with 3.14's
   * `buffersize`: it reads its input lazily, keeping at most `buffersize`
   * tasks (or chunks) submitted and not yet yielded, and starts at once,
   * before the first `next()`. An error is thrown at its item's position; a
   * timeout, an error, or leaving the loop early cancels the tasks not started.
   *
   * @param args - The iterables (sync or async), then optionally `{ timeout, chunksize, buffersize }`.
   * @throws {TimeoutError} `ERR_TIMEOUT` when the next result is not ready `timeout` ms after the call.
   * @example
   * ```ts
   * for await (const g of pool.map(work.gcd, [12, 30], [8, 45])) console.log(g); // 4, 15
   * ```
   */
  map<T extends Target<AnyFunction>>(
    task: T,
    ...args: [...MapIterables<TaskArgs<T>>] | [...MapIterables<TaskArgs<T>>, MapOptions]
  ): AsyncIterableIterator<TaskResult<T>> {
    const { iterables, options } = parseMapArgs(args as unknown[]);
    return new MapRun<TaskResult<T>>(
      {
        submit: (items) => this.submitWith(task, items as TaskArgs<T>),
        submitChunk: (list) => this.submitChunk(task, list),
        whenRoom: () => this.whenRoom(),
        defaultBuffer: this.defaultMapBuffer(),
      },
      iterables,
      options,
    );
  }

  /** `await using executor = …` shuts it down and waits, like Python's `with`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ wait: true });
  }

  /**
   * Submits one task that runs `task` over several argument lists and
   * resolves to the list of results (`map`'s `chunksize`). The default
   * submits each item and gathers them; pools run a chunk in one go.
   */
  protected submitChunk(task: Target<AnyFunction>, list: unknown[][]): Future<unknown[]> {
    return gather(list.map((items) => this.submitWith(task, items as never)));
  }

  /** Resolves when a task may be submitted again after `ERR_EXECUTOR_QUEUE_FULL`. */
  protected whenRoom(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, 1));
  }

  /** `map`'s default `buffersize`. */
  protected defaultMapBuffer(): number {
    return 1024;
  }
}

// A future of all results, failing with the first error.
function gather(futures: Future<unknown>[]): Future<unknown[]> {
  const out = new Future<unknown[]>();
  Promise.all(futures).then(
    (values) => out.setResult(values),
    (error: unknown) => out.setException(error),
  );
  return out;
}

inThreadOnly(Executor, 'weft/futures', 'create the executor in the thread that submits to it');
