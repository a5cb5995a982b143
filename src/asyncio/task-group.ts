import { argTypeError, describe, StateError } from '../internal/errors.js';
import { checkOptions, checkSignal } from '../internal/validate.js';
import { CancelledError, TaskGroupError } from './errors.js';
import { inThreadOnly } from '../internal/classes.js';

/** Options of a {@link TaskGroup}. */
export interface TaskGroupOptions {
  /**
   * A parent signal (say, the one an enclosing group gave this task): when it
   * aborts, this group's tasks are aborted with the same reason, and the
   * group rejects with that reason once they have settled (or with a
   * `TaskGroupError` if some failed).
   */
  readonly signal?: AbortSignal;
}

/** What a {@link TaskGroup} runs: a function of the group's signal, or a promise already started. */
export type TaskLike<T> = ((signal: AbortSignal) => T | PromiseLike<T>) | PromiseLike<T>;

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

/**
 * A task of a {@link TaskGroup}, returned by `create` (Python's `asyncio.Task`
 * as a TaskGroup hands it out). Not a promise: read it once the group has
 * settled with `result()`, or await `promise` to depend on it earlier.
 *
 * @example
 * ```ts
 * let a!: Task<number>;
 * await TaskGroup.run((tg) => { a = tg.create(async () => 1); });
 * a.result(); // 1
 * ```
 */
export class Task<T> {
  #state = PENDING;
  #value: T | undefined;
  #error: unknown;
  #cancelled = false;
  /** The task's own promise: resolves to its result, rejects with its error. */
  readonly promise: Promise<T>;

  /** @internal */
  constructor(promise: Promise<T>) {
    this.promise = promise;
  }

  /** @internal */
  _fulfil(value: T): void {
    this.#state = FULFILLED;
    this.#value = value;
  }

  /** @internal */
  _reject(error: unknown, cancelled: boolean): void {
    this.#state = REJECTED;
    this.#error = error;
    this.#cancelled = cancelled;
  }

  /** Whether the task has settled. */
  done(): boolean {
    return this.#state !== PENDING;
  }

  /** Whether it ended because it was told to stop (a cancellation, not a failure). */
  cancelled(): boolean {
    return this.#cancelled;
  }

  /**
   * The task's result.
   *
   * @throws its error if it failed; {@link StateError} `ERR_TASK_PENDING` if it has not settled.
   */
  result(): T {
    if (this.#state === FULFILLED) return this.#value as T;
    if (this.#state === REJECTED) throw this.#error;
    throw new StateError('ERR_TASK_PENDING', 'The task has not finished yet');
  }

  /**
   * The task's error, or `undefined` if it succeeded.
   *
   * @throws {StateError} `ERR_TASK_PENDING` if it has not settled.
   */
  exception(): unknown {
    if (this.#state === PENDING) {
      throw new StateError('ERR_TASK_PENDING', 'The task has not finished yet');
    }
    return this.#error;
  }

  /** A short description of the state, for logs and debugging. */
  toString(): string {
    const state = ['pending', 'fulfilled', this.#cancelled ? 'cancelled' : 'rejected'][this.#state];
    return `<Task ${state}>`;
  }
}

/**
 * Structured concurrency (Python's `asyncio.TaskGroup`): tasks created in the
 * group run concurrently; leaving the group waits for all of them; the first
 * failure aborts the others through the `AbortSignal` every task receives,
 * and the group rejects with a {@link TaskGroupError} holding every failure.
 * Nothing the group started is still running once it has settled.
 *
 * Tasks start at once (as promises do), not at the next loop pass as in
 * Python. A task that rejects with a {@link CancelledError}, or with the
 * group signal's reason, was stopped rather than failed, and is not reported.
 *
 * @remarks `await using` cannot see an error thrown by the block's own body,
 * so with it the tasks are not aborted when the body throws; they are still
 * awaited. When the body can throw, prefer {@link TaskGroup.run}, which
 * aborts them and reports the body's error with theirs (as Python does).
 * @example
 * ```ts
 * {
 *   await using tg = new TaskGroup();
 *   tg.create((signal) => download('a', { signal }));
 *   tg.create((signal) => download('b', { signal }));
 * } // both done here; if one failed, the other was aborted and this throws TaskGroupError
 * ```
 */
export class TaskGroup implements AsyncDisposable {
  readonly #controller = new AbortController();
  readonly #parent: AbortSignal | undefined;
  #onParentAbort: (() => void) | undefined;
  #pending = 0;
  readonly #errors: unknown[] = [];
  #aborted = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #idle: (() => void) | undefined;
  readonly #onFulfilled: (task: Task<unknown>, value: unknown) => void;

  /** @throws {TypeError} for a `signal` that is not an AbortSignal. */
  constructor(options?: TaskGroupOptions) {
    const parent = checkSignal(
      checkOptions(options, 'new TaskGroup(options)', '{ signal }').signal,
    );
    this.#parent = parent;
    if (parent !== undefined) {
      if (parent.aborted) this.#abort(parent.reason);
      else {
        this.#onParentAbort = () => {
          this.#onParentAbort = undefined;
          this.#abort(parent.reason);
        };
        parent.addEventListener('abort', this.#onParentAbort, { once: true });
      }
    }
    this.#onFulfilled = (task, value) => {
      task._fulfil(value);
      if (--this.#pending === 0) this.#idle?.();
    };
  }

  /**
   * Runs `body(tg)` with a new group, then waits for the group's tasks.
   * If the body throws, the tasks are aborted, and its error is reported
   * in the `TaskGroupError` with theirs.
   *
   * @returns What the body returned, once every task has settled.
   * @throws {TaskGroupError} (rejects) if a task or the body failed.
   * @example
   * ```ts
   * const [a, b] = await TaskGroup.run((tg) => [tg.create(fetchA), tg.create(fetchB)]);
   * console.log(a.result(), b.result());
   * ```
   */
  static async run<R>(
    body: (tg: TaskGroup) => R | PromiseLike<R>,
    options?: TaskGroupOptions,
  ): Promise<Awaited<R>> {
    if (typeof body !== 'function') {
      throw argTypeError(`Expected \`body\` to be a function, got ${describe(body)}`);
    }
    const tg = new TaskGroup(options);
    let result: Awaited<R> | undefined;
    try {
      result = await body(tg);
    } catch (error) {
      if (!tg.#isCancellation(error)) {
        tg.#errors.push(error);
        tg.#abort(new CancelledError('The TaskGroup body failed', { cause: error }));
      } else tg.#abort(error);
    }
    await tg.close();
    return result as Awaited<R>;
  }

  /** The signal every task receives: aborted on the first failure, or when the parent signal aborts. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** How many tasks have not settled yet. */
  get size(): number {
    return this.#pending;
  }

  /**
   * Starts a task in the group.
   *
   * @param task - A function called at once with the group's signal (sync
   * throws count as failures), or a promise already running.
   * @returns The task, whose result is readable once it settles.
   * @throws {StateError} `ERR_TASK_GROUP_CLOSED` after the group settled;
   * `ERR_TASK_GROUP_ABORTED` once it is aborting (a task failed).
   */
  create<T>(task: TaskLike<T>): Task<Awaited<T>> {
    if (this.#closed) {
      throw new StateError('ERR_TASK_GROUP_CLOSED', 'The TaskGroup has finished');
    }
    if (this.#aborted) {
      throw new StateError('ERR_TASK_GROUP_ABORTED', 'The TaskGroup is shutting down');
    }
    let value: unknown;
    if (typeof task === 'function') {
      try {
        value = task(this.#controller.signal);
      } catch (error) {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as given
        value = Promise.reject(error);
      }
    } else if (isThenable(task)) value = task;
    else {
      throw argTypeError(`Expected \`task\` to be a function or a promise, got ${describe(task)}`);
    }
    const promise = (value instanceof Promise ? value : Promise.resolve(value)) as Promise<
      Awaited<T>
    >;
    const t = new Task(promise);
    this.#pending++;
    // This reaction also marks the promise handled: a failure is reported
    // by the group, never as an unhandled rejection.
    promise.then(
      (v) => this.#onFulfilled(t as Task<unknown>, v),
      (error: unknown) => this.#onRejected(t as Task<unknown>, error),
    );
    return t;
  }

  /**
   * Waits until every task has settled (tasks may still create tasks
   * meanwhile), then closes the group. `[Symbol.asyncDispose]` calls it.
   * Idempotent: returns the same promise.
   *
   * @throws {TaskGroupError} (rejects) if any task failed; the parent
   * signal's reason if it aborted the group and no task failed.
   */
  close(): Promise<void> {
    return (this.#closing ??= this.#close());
  }

  /** For `await using`: {@link TaskGroup.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    while (this.#pending > 0) {
      await new Promise<void>((resolve) => (this.#idle = resolve));
      this.#idle = undefined;
    }
    this.#closed = true;
    if (this.#onParentAbort !== undefined) {
      this.#parent!.removeEventListener('abort', this.#onParentAbort);
      this.#onParentAbort = undefined;
    }
    if (this.#errors.length > 0) throw new TaskGroupError(this.#errors);
    if (this.#parent?.aborted) throw this.#parent.reason;
  }

  #onRejected(task: Task<unknown>, error: unknown): void {
    const cancelled = this.#isCancellation(error);
    task._reject(error, cancelled);
    if (!cancelled) {
      this.#errors.push(error);
      this.#abort(new CancelledError('A sibling task failed', { cause: error }));
    }
    if (--this.#pending === 0) this.#idle?.();
  }

  #isCancellation(error: unknown): boolean {
    if (error instanceof CancelledError) return true;
    const signal = this.#controller.signal;
    return (
      signal.aborted &&
      (error === signal.reason || (error instanceof DOMException && error.name === 'AbortError'))
    );
  }

  #abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#controller.abort(reason);
  }

  toString(): string {
    const state = this.#closed ? 'closed' : this.#aborted ? 'aborting' : 'open';
    return `<TaskGroup ${state} tasks=${this.#pending} errors=${this.#errors.length}>`;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

inThreadOnly(Task, 'weft/asyncio', 'send its result instead');
inThreadOnly(TaskGroup, 'weft/asyncio', 'run tasks in other threads with weft/futures');
