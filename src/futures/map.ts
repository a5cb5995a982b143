// Executor.map: a bounded window of submitted futures over a lazily read
// input, yielded in input order. Reading is synchronous while every input is
// a sync iterable (no promise per item); an async input, or a full pool queue
// (`maxQueue`), switches to an asynchronous refill.

import { argTypeError, codedError, describe, TimeoutError } from '../internal/errors.js';
import { checkInt, checkTimeout } from '../internal/validate.js';
import { deadlineOf, remaining } from '../internal/wait.js';
import type { Future } from './future.js';

/** Options of `Executor.map`. */
export interface MapOptions {
  /** Most ms, counted from the `map()` call, until each next result must be ready. @default Infinity */
  readonly timeout?: number;
  /**
   * Items per task: a chunk runs in one go in a worker, so a big chunksize
   * saves per-task overhead for tiny tasks. An error fails the rest of its
   * chunk (the results before it are still yielded). @default 1
   */
  readonly chunksize?: number;
  /** Most tasks (chunks) submitted and not yet yielded. @default 256 × maxWorkers for pools */
  readonly buffersize?: number;
}

/** What a map run needs from its executor. */
export interface MapHost<R> {
  submit(items: unknown[]): Future<R>;
  submitChunk(list: unknown[][]): Future<unknown[]>;
  whenRoom(): Promise<void>;
  readonly defaultBuffer: number;
}

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

/** Splits `map`'s rest arguments into iterables and a trailing options object. */
export function parseMapArgs(args: unknown[]): { iterables: unknown[]; options: MapOptions } {
  let options: MapOptions = {};
  const last = args[args.length - 1];
  if (
    typeof last === 'object' &&
    last !== null &&
    !(Symbol.iterator in last) &&
    !(Symbol.asyncIterator in last)
  ) {
    options = last;
    args = args.slice(0, -1);
  }
  if (args.length === 0)
    throw codedError(TypeError, 'ERR_MISSING_ARGS', 'Expected at least one iterable to map over');
  args.forEach((it, i) => {
    const ok =
      typeof it === 'object' &&
      it !== null &&
      (Symbol.iterator in it || Symbol.asyncIterator in it);
    if (!ok && typeof it !== 'string') {
      throw argTypeError(`Expected iterable #${i + 1} to be iterable, got ${describe(it)}`);
    }
  });
  return { iterables: args, options };
}

function isQueueFull(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_EXECUTOR_QUEUE_FULL';
}

/** What a failed chunk settles with: the results before the error, and the error. */
export class ChunkFailure {
  constructor(
    readonly results: unknown[],
    readonly error: unknown,
  ) {}
}

export class MapRun<R> implements AsyncIterableIterator<R> {
  readonly #host: MapHost<R>;
  readonly #iterators: AnyIterator[];
  readonly #sync: boolean;
  readonly #chunksize: number;
  readonly #buffersize: number;
  readonly #deadline: number;
  readonly #buffer: Future<unknown>[] = [];
  #held: unknown[][] | undefined;
  #pending: unknown[] = [];
  #pendingAt = 0;
  #deferred: { error: unknown } | undefined;
  #inputError: { error: unknown } | undefined;
  #exhausted = false;
  #closed = false;
  #filling: Promise<void> | undefined;

  constructor(host: MapHost<R>, iterables: unknown[], options: MapOptions) {
    this.#host = host;
    this.#deadline = deadlineOf(checkTimeout(options.timeout));
    this.#chunksize =
      options.chunksize === undefined ? 1 : checkInt(options.chunksize, 'chunksize', 1);
    this.#buffersize =
      options.buffersize === undefined
        ? host.defaultBuffer
        : checkInt(options.buffersize, 'buffersize', 1);
    this.#iterators = iterables.map((it) => {
      const o = it as Partial<Iterable<unknown> & AsyncIterable<unknown>>;
      return o[Symbol.asyncIterator] !== undefined
        ? o[Symbol.asyncIterator]!()
        : o[Symbol.iterator]!();
    });
    this.#sync = iterables.every(
      (it) => (it as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === undefined,
    );
    // Like Python, start submitting now rather than at the first next(), and
    // fail now if nothing could be submitted (after shutdown, a bad task…).
    this.#fill();
    if (this.#inputError !== undefined && this.#buffer.length === 0) {
      throw this.#inputError.error;
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<R>> {
    for (;;) {
      if (this.#pendingAt < this.#pending.length) {
        const value = this.#pending[this.#pendingAt];
        this.#pending[this.#pendingAt++] = undefined;
        return { value: value as R, done: false };
      }
      if (this.#deferred !== undefined) {
        const { error } = this.#deferred;
        this.#deferred = undefined;
        throw error;
      }
      if (this.#closed) return { value: undefined, done: true };
      const f = this.#buffer.shift();
      if (f === undefined) {
        if (!this.#exhausted && this.#filling === undefined) {
          this.#fill();
          if (this.#buffer.length > 0) continue;
        }
        if (this.#filling !== undefined) {
          await this.#filling;
          continue;
        }
        const input = this.#inputError;
        await this.#close();
        if (input !== undefined) throw input.error;
        return { value: undefined, done: true };
      }
      this.#fill();
      let value: unknown;
      try {
        const left = remaining(this.#deadline);
        value = await f.result(left === Infinity ? {} : { timeout: Math.max(0, left) });
      } catch (error) {
        await this.#close();
        if (error instanceof ChunkFailure) {
          this.#pending = error.results;
          this.#pendingAt = 0;
          this.#deferred = { error: error.error };
          continue;
        }
        if (error instanceof TimeoutError) {
          throw new TimeoutError('The next result of map() was not ready within its timeout');
        }
        throw error;
      }
      if (this.#chunksize === 1) return { value: value as R, done: false };
      this.#pending = value as unknown[];
      this.#pendingAt = 0;
    }
  }

  /** Stops early: cancels the tasks not started and closes the inputs. */
  async return(): Promise<IteratorResult<R>> {
    await this.#close();
    this.#pending = [];
    this.#deferred = undefined;
    return { value: undefined, done: true };
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const f of this.#buffer) f.cancel();
    this.#buffer.length = 0;
    this.#held = undefined;
    if (!this.#exhausted) {
      this.#exhausted = true;
      await Promise.allSettled(this.#iterators.map(async (it) => it.return?.()));
    }
  }

  #fill(): void {
    if (this.#filling !== undefined || this.#closed) return;
    if (this.#sync) {
      try {
        if (this.#fillSync()) return;
      } catch (error) {
        this.#inputError = { error };
        this.#exhausted = true;
        return;
      }
    }
    this.#filling = this.#fillAsync().then(
      () => {
        this.#filling = undefined;
      },
      (error: unknown) => {
        this.#filling = undefined;
        this.#inputError = { error };
        this.#exhausted = true;
      },
    );
  }

  // Returns false when it must wait for the pool's queue to make room.
  #fillSync(): boolean {
    while (this.#buffer.length < this.#buffersize) {
      const list = this.#held ?? this.#readSync();
      if (list === undefined) return true;
      if (!this.#submit(list)) return false;
    }
    return true;
  }

  async #fillAsync(): Promise<void> {
    while (this.#buffer.length < this.#buffersize && !this.#closed) {
      const list = this.#held ?? (await this.#readAsync());
      if (list === undefined || this.#closed) return;
      while (!this.#submit(list)) {
        await this.#host.whenRoom();
        if (this.#closed) return;
      }
    }
  }

  // Submits one task or chunk; false (keeping the items) if the pool's queue is full.
  #submit(list: unknown[][]): boolean {
    try {
      const f = this.#chunksize === 1 ? this.#host.submit(list[0]!) : this.#host.submitChunk(list);
      this.#buffer.push(f);
      this.#held = undefined;
      return true;
    } catch (error) {
      if (!isQueueFull(error)) throw error;
      this.#held = list;
      return false;
    }
  }

  #readSync(): unknown[][] | undefined {
    if (this.#exhausted) return undefined;
    const list: unknown[][] = [];
    while (list.length < this.#chunksize) {
      const items: unknown[] = [];
      for (const it of this.#iterators) {
        const r = (it as Iterator<unknown>).next();
        if (r.done === true) {
          this.#exhausted = true;
          break;
        }
        items.push(r.value);
      }
      if (this.#exhausted) break;
      list.push(items);
    }
    return list.length === 0 ? undefined : list;
  }

  async #readAsync(): Promise<unknown[][] | undefined> {
    if (this.#exhausted) return undefined;
    const list: unknown[][] = [];
    while (list.length < this.#chunksize) {
      const items: unknown[] = [];
      for (const it of this.#iterators) {
        const r = await it.next();
        if (r.done === true) {
          this.#exhausted = true;
          break;
        }
        items.push(r.value);
      }
      if (this.#exhausted) break;
      list.push(items);
    }
    return list.length === 0 ? undefined : list;
  }
}
