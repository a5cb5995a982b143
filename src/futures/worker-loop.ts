// The worker side of a pool, shared by threads and child processes: receives
// batches of tasks, runs them one at a time in order, and sends results back
// in batches. Synchronous tasks run in a plain loop with no promise or
// closure per task; only a task that returns a thenable (or whose module is
// still loading) leaves the loop and re-enters it when it settles.
//
// A thread's results go back in batches, but a finished result must never wait behind a
// task that may run long or block (the caller may be waiting for that result
// before it releases the blocked task: a deadlock). So pending results are
// flushed before a task starts, unless the last FAST_RUNS runs of its
// function each took under FAST_MS (a run of tiny tasks: batch them); before
// a task awaits (it returned a promise); before any blocking Atomics.wait in
// the worker (weft's sync locks, events and queues block there); at least
// every FLUSH_MS while busy; when the worker runs out of work; and on exit.
// A child process writes its results to its ledger instead (ledger.ts), in
// the same write that records it takes its next task.

import type { TransferListItem } from 'node:worker_threads';
import { pack, preparePacked, unpack } from '../internal/codec.js';
// Registers the reviver of task references passed as data.
import '../internal/task-ref.js';
import { compileInline, loadTask } from '../internal/task-load.js';
import type { LedgerWriter } from './ledger.js';
import type { TaskSpec } from '../internal/task-ref.js';
import { notCloneable } from './failures.js';
import * as P from './protocol.js';
import { decodeError, encodeError, type ErrorData } from '../internal/error-wire.js';
// The futures error classes arrive as themselves.
import './task-error.js';
import { taskContext, type TaskContext } from './task-signal.js';
import { unwrapTransfer } from './transfer.js';

type Fn = (...args: unknown[]) => unknown;
/** Sends a message to the pool. */
export type Post = (message: unknown, transfer?: TransferListItem[]) => void;

const FLUSH_MS = 1;
const FAST_MS = 0.1;
const FAST_RUNS = 8;
const now: () => number = performance.now.bind(performance);

class LoadFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Loads the modules whose shareable classes register their revivers on
 * import; called the first time a task's arguments hold a shareable. The
 * worker's entry (the composition root) provides it: this module imports no
 * higher layer.
 */
export type LoadRevivers = () => Promise<unknown>;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    ((typeof value === 'object' && value !== null) || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

export class WorkerLoop {
  readonly #post: Post;
  // A child process: results and begun tasks go to its ledger, not in messages.
  readonly #ledger: LedgerWriter | undefined;
  readonly #state: Int32Array | undefined;
  readonly #values: Float64Array | undefined;
  // A finished result that only this worker's memory holds: post it before the next task starts.
  #unsaved = false;
  readonly #mask: number;
  readonly #ctx: TaskContext;
  readonly #init: P.WorkerInit;
  readonly #fns: (Fn | Promise<unknown> | LoadFailure | undefined)[] = [];
  // Per function: how many of its latest runs in a row were tiny.
  readonly #fast: number[] = [];
  #id = 0;
  #queue: unknown[] = [];
  #head = 0;
  #pos = 0;
  // Tasks received (ring positions assigned), and slots aborted before they started.
  #received = 0;
  readonly #aborted = new Set<number>();
  // True while an asynchronous step (initializer, module load, async task) is pending.
  #busy = true;
  #out: unknown[] = [0, 0];
  #specials: number[] | undefined;
  #transfer: TransferListItem[] | undefined;
  #busyMs = 0;
  #lastFlush = 0;
  #t0 = 0;

  readonly #loadRevivers: LoadRevivers;
  #revived = false;

  /**
   * @param loadRevivers Loads the shareable revivers (the entry's, so that
   * nothing imports an entry); called before the first task that needs them.
   * @param ledger A child process's ledger: before each task, the results so
   * far and the mark that it takes the task are written there (one blocking
   * write), so a pool that outlives the child loses no finished result and
   * knows exactly which tasks began.
   */
  constructor(post: Post, init: P.WorkerInit, loadRevivers: LoadRevivers, ledger?: LedgerWriter) {
    this.#post = post;
    this.#loadRevivers = loadRevivers;
    this.#ledger = ledger;
    this.#init = init;
    this.#state =
      init.state === undefined ? undefined : new Int32Array(init.state, 0, init.capacity);
    this.#values =
      init.state === undefined
        ? undefined
        : new Float64Array(init.state, init.capacity * Int32Array.BYTES_PER_ELEMENT, init.capacity);
    this.#mask = init.capacity - 1;
    this.#ctx = taskContext(this.#state);
    // A task about to block this thread sends the finished results first.
    const wait = Atomics.wait;
    Atomics.wait = ((...args: Parameters<typeof Atomics.wait>) => {
      if (this.#out.length > 2 || this.#ledger?.pending === true) this.flush();
      return wait(...args);
    }) as typeof Atomics.wait;
  }

  /** Runs the initializer, then starts taking tasks. */
  start(): void {
    const { initializer, initargs, initShared } = this.#init;
    if (initializer === undefined) {
      this.#busy = false;
      this.#drain();
      return;
    }
    const run = async (): Promise<void> => {
      const fn = await loadTask(initializer);
      if (initShared === true) await this.#revivers();
      await preparePacked(initargs, initShared === true);
      const args = (initShared === true ? unpack(initargs) : initargs) as unknown[];
      await fn(...(args ?? []));
    };
    run().then(
      () => {
        this.#busy = false;
        this.#drain();
      },
      (error: unknown) => {
        // Stay busy for good: the pool is broken and will terminate this worker.
        this.#post({ t: 'init-error', error: encodeError(error) });
      },
    );
  }

  /** Handles a message from the pool. */
  onMessage(message: unknown): void {
    if (Array.isArray(message)) {
      const q = this.#queue;
      for (let i = 0; i < message.length; i += 2) {
        q.push(message[i], message[i + 1]);
        if ((message[i] as number) >= 0) this.#received++;
      }
      if (!this.#busy) this.#drain();
      return;
    }
    const m = message as { t?: unknown; slot?: number; reason?: ErrorData };
    if (m.t !== 'abort') return;
    const slot = m.slot!;
    if (this.#ctx.slot === slot) {
      const controller = (this.#ctx.controller ??= new AbortController());
      if (!controller.signal.aborted) controller.abort(decodeError(m.reason!));
    } else if (((slot - this.#pos) & this.#mask) < this.#received - this.#pos) {
      // Not started yet (a child process cannot be asked through shared memory): skip it.
      this.#aborted.add(slot);
    }
  }

  /** Sends the results collected so far (the pool must not lose finished work). */
  flush(): void {
    const ledger = this.#ledger;
    if (ledger !== undefined) {
      ledger.flush(this.#busyMs);
      this.#busyMs = 0;
      return;
    }
    const out = this.#out;
    if (out.length === 2) return;
    out[0] = this.#busyMs;
    out[1] = this.#specials ?? 0;
    const transfer = this.#transfer;
    this.#specials = undefined;
    this.#transfer = undefined;
    this.#busyMs = 0;
    this.#unsaved = false;
    this.#lastFlush = now();
    try {
      this.#post(out, transfer);
    } catch (error) {
      this.#postEach(out, transfer, error);
    }
    out.length = 2;
  }

  /**
   * Reports an error that escaped every task (thrown from a timer or callback
   * a task left behind, or an unhandled rejection): the pool reports it as
   * the worker's own and replaces the worker. It is never a task's failure.
   */
  stray(error: unknown): void {
    this.flush();
    this.#post({ t: 'stray', error: encodeError(error) });
  }

  #drain(): void {
    const q = this.#queue;
    const state = this.#state;
    const ledger = this.#ledger;
    while (this.#head < q.length) {
      const code = q[this.#head] as number;
      const args = q[this.#head + 1];
      q[this.#head] = q[this.#head + 1] = undefined;
      this.#head += 2;
      if (code < 0) {
        this.#define(~code, args as TaskSpec);
        continue;
      }
      if (ledger !== undefined) {
        // A child process shares no memory with the pool: its finished
        // results must be in the pipe before the next task can run (a SIGKILL
        // would lose them, and the pool could neither deliver nor re-run
        // them), and the pool must hear that the task began before it does.
        ledger.begin();
        this.flush();
      }
      const slot = this.#pos++ & this.#mask;
      if (
        (code & P.F_SKIP) !== 0 ||
        (state !== undefined &&
          Atomics.compareExchange(state, slot, P.QUEUED, P.RUNNING) !== P.QUEUED) ||
        (this.#aborted.size > 0 && this.#aborted.delete(slot))
      ) {
        this.#push(P.K_SKIPPED, 0);
        continue;
      }
      if (!this.#run(code, args, slot)) {
        if (this.#head > 4096 && this.#head * 2 > q.length) {
          q.splice(0, this.#head);
          this.#head = 0;
        }
        return;
      }
    }
    q.length = 0;
    this.#head = 0;
    this.flush();
  }

  #define(id: number, spec: TaskSpec): void {
    if ('source' in spec) {
      try {
        this.#fns[id] = compileInline(spec.source);
      } catch (error) {
        this.#fns[id] = new LoadFailure(error);
      }
      return;
    }
    this.#fns[id] = loadTask(spec).then(
      (fn) => (this.#fns[id] = fn),
      (error: unknown) => (this.#fns[id] = new LoadFailure(error)),
    );
  }

  // Runs the task once `ready` settles (its module, the revivers, the
  // modules of registered classes in its arguments); a failure to load is
  // the task's failure, never swallowed. Returns false: #run continues later.
  #runAfter(ready: Promise<unknown>, id: number, code: number, args: unknown, slot: number): false {
    this.#busy = true;
    void ready.then(
      () => {
        this.#busy = false;
        if (this.#run(code, args, slot)) this.#drain();
      },
      (error: unknown) => {
        this.#id = id;
        this.#t0 = now();
        this.#resume(slot, P.K_ERROR, error);
      },
    );
    return false;
  }

  // Runs one task; returns false when it continues asynchronously (the
  // continuation calls #drain again).
  #run(code: number, args: unknown, slot: number): boolean {
    const id = (code / P.CODE_SHIFT) | 0;
    const fn = this.#fns[id];
    const shared = (code & P.F_SHARED) !== 0;
    if (typeof fn !== 'function' || (shared && !this.#revived)) {
      if (fn instanceof LoadFailure) {
        this.#id = id;
        this.#t0 = now();
        this.#finish(slot, P.K_ERROR, fn.error);
        return true;
      }
      const pending: Promise<unknown>[] = [];
      if (fn instanceof Promise) pending.push(fn);
      if (shared) pending.push(this.#revivers());
      return this.#runAfter(Promise.all(pending), id, code, args, slot);
    }
    // Instances of registered classes whose modules this worker has not
    // loaded yet: import them first (then run again, or fail the task).
    const loading = shared ? preparePacked(args, true) : undefined;
    if (loading !== undefined) return this.#runAfter(loading, id, code, args, slot);
    if ((code & P.F_WATCH) !== 0) {
      this.flush();
      this.#post({ t: 'started', slot });
    } else if (this.#out.length > 2 && (this.#unsaved || (this.#fast[id] ?? 0) < FAST_RUNS)) {
      this.flush();
    }
    this.#id = id;
    this.#t0 = now();
    let callArgs = args as unknown[];
    if (shared) {
      try {
        callArgs = unpack(args) as unknown[];
      } catch (error) {
        this.#finish(slot, P.K_ERROR, error);
        return true;
      }
    }
    const ctx = this.#ctx;
    ctx.slot = slot;
    ctx.controller = undefined;
    if ((code & P.F_CHUNK) !== 0) return this.#runChunk(fn, callArgs as unknown[][], slot);
    let result: unknown;
    try {
      result = fn(...callArgs);
    } catch (error) {
      this.#finish(slot, P.K_ERROR, error);
      return true;
    }
    if (isThenable(result)) {
      this.#busy = true;
      this.flush();
      Promise.resolve(result).then(
        (value) => this.#resume(slot, 0, value),
        (error: unknown) => this.#resume(slot, P.K_ERROR, error),
      );
      return false;
    }
    this.#finish(slot, 0, result);
    return true;
  }

  #runChunk(fn: Fn, list: unknown[][], slot: number): boolean {
    const results: unknown[] = [];
    for (let i = 0; i < list.length; i++) {
      let result: unknown;
      try {
        result = fn(...list[i]!);
      } catch (error) {
        this.#finish(slot, P.K_CHUNK_ERROR, [results, error]);
        return true;
      }
      if (isThenable(result)) {
        this.#busy = true;
        this.flush();
        void this.#chunkAsync(fn, list, i, result, results, slot);
        return false;
      }
      results.push(result);
    }
    this.#finish(slot, 0, results);
    return true;
  }

  async #chunkAsync(
    fn: Fn,
    list: unknown[][],
    from: number,
    first: PromiseLike<unknown>,
    results: unknown[],
    slot: number,
  ): Promise<void> {
    try {
      results.push(await first);
      for (let i = from + 1; i < list.length; i++) results.push(await fn(...list[i]!));
    } catch (error) {
      this.#resume(slot, P.K_CHUNK_ERROR, [results, error]);
      return;
    }
    this.#resume(slot, 0, results);
  }

  #resume(slot: number, kind: number, value: unknown): void {
    this.#busy = false;
    this.#finish(slot, kind, value);
    this.#drain();
  }

  #finish(slot: number, kind: number, value: unknown): void {
    const t = now();
    const ms = t - this.#t0;
    this.#busyMs += ms;
    this.#fast[this.#id] = ms < FAST_MS ? (this.#fast[this.#id] ?? 0) + 1 : 0;
    this.#ctx.slot = -1;
    this.#ctx.controller = undefined;
    const state = this.#state;
    if (state !== undefined) {
      // Out of memory kills this isolate without running any code: a result
      // that stays in the batch buffer while the next task runs must be
      // recoverable from shared memory, or posted before that task starts.
      let saved = P.DONE;
      if (kind === 0) {
        if (typeof value === 'number') {
          this.#values![slot] = value;
          saved = P.SAVED_NUMBER;
        } else if (typeof value === 'boolean') saved = value ? P.SAVED_TRUE : P.SAVED_FALSE;
        else if (value === undefined) saved = P.SAVED_UNDEFINED;
        else if (value === null) saved = P.SAVED_NULL;
      }
      if (saved === P.DONE) this.#unsaved = true;
      Atomics.store(state, slot, saved);
    }
    if (kind === P.K_ERROR) this.#push(kind, encodeError(value));
    else if (kind === P.K_CHUNK_ERROR) {
      const [partial, error] = value as [unknown[], unknown];
      const encoded = pack(partial);
      this.#push(kind, [encoded, encodeError(error), encoded !== partial]);
    } else if (typeof value === 'object' && value !== null) {
      const marker = unwrapTransfer(value);
      if (marker !== undefined) {
        value = marker.value;
        // A child copies everything: nothing to transfer.
        if (this.#ledger === undefined) (this.#transfer ??= []).push(...marker.list);
      }
      let encoded: unknown;
      try {
        encoded = pack(value);
      } catch (error) {
        // An object that cannot leave this thread (ERR_IN_THREAD_ONLY): the task's failure.
        this.#push(P.K_ERROR, encodeError(error));
        if (t - this.#lastFlush >= FLUSH_MS) this.flush();
        return;
      }
      if (encoded !== value) this.#push(P.K_SHARED, encoded);
      else this.#push(0, value);
    } else this.#push(0, value);
    // A child's results are written before its next task begins, or when it runs out of work.
    if (this.#ledger === undefined && t - this.#lastFlush >= FLUSH_MS) this.flush();
  }

  #push(kind: number, value: unknown): void {
    if (this.#ledger !== undefined) {
      this.#ledger.result(kind, value);
      return;
    }
    const out = this.#out;
    if (kind !== 0) (this.#specials ??= []).push(out.length - 2, kind);
    out.push(value);
  }

  // The batch did not clone (a result holds a function, say): find the
  // results that do not, turn each into an error, and send again.
  #postEach(out: unknown[], transfer: TransferListItem[] | undefined, failure: unknown): void {
    const kinds = new Map<number, number>();
    const specials = out[1] === 0 ? [] : (out[1] as number[]);
    for (let i = 0; i < specials.length; i += 2) kinds.set(specials[i]!, specials[i + 1]!);
    const fixed: number[] = [];
    for (let i = 2; i < out.length; i++) {
      let kind = kinds.get(i - 2) ?? 0;
      try {
        structuredClone(out[i]);
      } catch (error) {
        out[i] = encodeError(notCloneable('result', error, failure));
        kind = P.K_ERROR;
      }
      if (kind !== 0) fixed.push(i - 2, kind);
    }
    out[1] = fixed.length === 0 ? 0 : fixed;
    try {
      this.#post(out, transfer);
    } catch {
      this.#post(out);
    }
  }

  #revivers(): Promise<unknown> {
    return this.#loadRevivers().then(() => {
      this.#revived = true;
    });
  }
}
