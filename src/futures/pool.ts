// The scheduler behind both pools. Tasks wait in one queue; each worker
// (lane) takes up to `window` of them at once, so a worker always has its
// next tasks in its own inbox (pipelining) and the main thread sends one
// message per worker per microtask instead of one per task. The window adapts
// to the measured task duration: deep for tiny tasks, shallow for long ones
// (so a long task does not hold others hostage in its worker's inbox).
//
// A thread pool shares one Int32 state word per slot with each worker: the
// worker claims a task QUEUED -> RUNNING before running it, and the pool
// takes a queued task back with QUEUED -> TAKEN, so a task in a worker's inbox
// is still pending and can be cancelled, and when a worker dies the pool knows
// exactly which tasks it had started. A child process shares no memory: as in
// Python, a task sent to it counts as running.
//
// See docs/futures.md for the message protocol and who wakes whom.

import { inspect } from 'node:util';
import * as keepalive from '../internal/keepalive.js';
import { TimeoutError } from '../internal/errors.js';
import { setLongTimeout } from '../internal/timer.js';
import type { TaskSpec } from '../internal/task-ref.js';
import { preparePacked, unpack } from '../internal/codec.js';
import { BrokenExecutorError } from './errors.js';
import { exitError, notCloneable } from './failures.js';
import { forceCancel, markRunning, own, settle, type FutureOwner } from './future.js';
import type { Future } from './future.js';
import type { TaskFuture } from './lane.js';
import { Lane, MASK, type ExitInfo, type Transport } from './lane.js';
import { ChunkFailure } from './map.js';
import * as P from './protocol.js';
import { decodeError, encodeError, type ErrorData } from '../internal/error-wire.js';
// The futures error classes arrive as themselves.
import './task-error.js';

/** Where a stray error came from: see `PoolOptions.onStrayError`. */
export interface StrayErrorSource {
  /** `ThreadPoolExecutor` or `ProcessPoolExecutor`. */
  readonly executor: string;
  /** The worker thread's `threadId`, or the child process's `pid`. */
  readonly worker: number;
}

export interface CoreOptions {
  readonly kind: string;
  readonly onStrayError: ((error: unknown, source: StrayErrorSource) => void) | undefined;
  readonly maxWorkers: number;
  readonly maxQueue: number;
  readonly idleTimeout: number;
  readonly maxTasksPerWorker: number;
  readonly gracePeriod: number;
  readonly init: P.WorkerInit;
}

// Aim for about this much queued work per worker (ms), within [MIN, CAPACITY].
const TARGET_MS = 2;
const MIN_WINDOW = 2;
const STARTUP_FAILURES = 3;

export class PoolCore implements FutureOwner {
  readonly #transport: Transport;
  readonly #options: CoreOptions;
  readonly #lanes: Lane[] = [];
  /** Lanes asked to exit, until they have. */
  readonly #exiting = new Set<Lane>();
  #queue: (TaskFuture | undefined)[] = [];
  #qhead = 0;
  readonly #specs: TaskSpec[] = [];
  #unfinished = 0;
  #window = MIN_WINDOW;
  #avgMs = -1;
  #flushScheduled = false;
  #closing = false;
  #terminated = false;
  #broken: BrokenExecutorError | undefined;
  #startupFailures = 0;
  #closed: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;
  #holdingForClose = false;
  #spaceWaiters: (() => void)[] = [];
  /** Busy ms reported by workers and tasks run (for `weft bench`). */
  busyMs = 0;
  tasksRun = 0;

  constructor(transport: Transport, options: CoreOptions) {
    this.#transport = transport;
    this.#options = options;
  }

  get broken(): BrokenExecutorError | undefined {
    return this.#broken;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** Whether `maxQueue` leaves room for another task. */
  hasRoom(): boolean {
    return this.#unfinished < this.#options.maxWorkers + this.#options.maxQueue;
  }

  /** Resolves when a task finishes (room may have appeared). */
  whenRoom(): Promise<void> {
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  /** The id of a spec, registering it. */
  define(spec: TaskSpec): number {
    this.#specs.push(spec);
    return this.#specs.length - 1;
  }

  /** Queues a task whose fields (code, args, …) are set. */
  enqueue(f: TaskFuture): void {
    own(f, this);
    if (this.#unfinished++ === 0) keepalive.hold();
    this.#queue.push(f);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flushAll);
    }
  }

  // FutureOwner: called by Future.cancel() and Future.running().
  tryCancel(future: Future<unknown>): boolean {
    const f = future as TaskFuture;
    const lane = f.l;
    if (lane !== undefined) {
      const state = lane.state;
      if (state === undefined) return false;
      if (Atomics.compareExchange(state, f.i, P.QUEUED, P.TAKEN) !== P.QUEUED) return false;
    }
    this.#release(f);
    return true;
  }

  isRunning(future: Future<unknown>): boolean {
    const f = future as TaskFuture;
    const lane = f.l;
    if (lane === undefined) return false;
    if (lane.state === undefined) return true;
    const s = Atomics.load(lane.state, f.i);
    return s !== P.QUEUED && s !== P.TAKEN;
  }

  /** Starts (or keeps) watching a task's signal and timeout. */
  watch(f: TaskFuture): void {
    const w = f.w!;
    if (w.signal !== undefined) {
      w.onAbort = () => this.#onSignal(f);
      w.signal.addEventListener('abort', w.onAbort, { once: true });
    }
  }

  /** Cancels every task that has not started. */
  cancelPending(): void {
    const q = this.#queue;
    for (let i = this.#qhead; i < q.length; i++) q[i]?.cancel();
    for (const lane of this.#lanes) {
      for (let p = lane.tail; p !== lane.head; p++) lane.ring[p & MASK]?.cancel();
    }
  }

  /** Graceful: no new tasks; workers exit once every task is done. */
  shutdown(): Promise<void> {
    if (this.#closed === undefined) {
      this.#closing = true;
      this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
      if (this.#unfinished === 0) this.#closeAll();
    }
    return this.#closed;
  }

  /** Forced: pending tasks are cancelled, running ones fail, workers are killed. */
  terminate(): Promise<void> {
    this.#terminated = true;
    const closed = this.shutdown();
    this.#cancelQueued();
    for (const lane of [...this.#lanes, ...this.#exiting]) {
      this.#kill(lane, 'the pool was terminated');
    }
    return closed;
  }

  readonly #flushAll = (): void => {
    this.#flushScheduled = false;
    this.#pump();
    for (const lane of this.#lanes) if (lane.out.length > 0 && lane.ready) this.#post(lane);
  };

  #pump(): void {
    const q = this.#queue;
    while (this.#qhead < q.length) {
      const f = q[this.#qhead]!;
      if (f.done()) {
        q[this.#qhead++] = undefined;
        continue;
      }
      const lane = this.#pick();
      if (lane === undefined) break;
      q[this.#qhead++] = undefined;
      this.#assign(lane, f);
    }
    if (this.#qhead === q.length) {
      q.length = 0;
      this.#qhead = 0;
    } else if (this.#qhead > 1024 && this.#qhead * 2 > q.length) {
      void q.splice(0, this.#qhead);
      this.#qhead = 0;
    }
  }

  #pick(): Lane | undefined {
    let best: Lane | undefined;
    let bestLoad = Infinity;
    let idle = false;
    const window = this.#window;
    for (const lane of this.#lanes) {
      const load = lane.head - lane.tail;
      if (load === 0) idle = true;
      if (load < bestLoad && load < window && load < lane.budget && lane.open) {
        best = lane;
        bestLoad = load;
      }
    }
    if (!idle && this.#lanes.length < this.#options.maxWorkers && this.#broken === undefined) {
      return this.#spawn();
    }
    return best;
  }

  #spawn(): Lane {
    const shared = this.#transport.shared;
    const state = shared
      ? new Int32Array(new SharedArrayBuffer(P.CAPACITY * P.SLOT_BYTES), 0, P.CAPACITY)
      : undefined;
    const lane = new Lane(state, this.#options.maxTasksPerWorker, !this.#transport.needsReady);
    const init: P.WorkerInit =
      state === undefined ? this.#options.init : { ...this.#options.init, state: state.buffer };
    lane.link = this.#transport.spawn(init, {
      message: (message) => this.#onMessage(lane, message, init),
      exit: (info) => this.#onExit(lane, info),
    });
    this.#lanes.push(lane);
    return lane;
  }

  #assign(lane: Lane, f: TaskFuture): void {
    const slot = lane.head++ & MASK;
    lane.ring[slot] = f;
    f.l = lane;
    f.i = slot;
    if (lane.state !== undefined) Atomics.store(lane.state, slot, P.QUEUED);
    const id = (f.c / P.CODE_SHIFT) | 0;
    const out = lane.out;
    if (lane.known[id] !== true) {
      lane.known[id] = true;
      out.push(~id, this.#specs[id]);
    }
    out.push(f.c, f.a);
    if (f.x !== undefined) (lane.outTransfer ??= []).push(...f.x);
    lane.budget--;
    if (lane.idleTimer !== undefined) {
      lane.idleTimer.clear();
      lane.idleTimer = undefined;
    }
  }

  #post(lane: Lane): void {
    const out = lane.out;
    const transfer = lane.outTransfer;
    lane.out = [];
    lane.outTransfer = undefined;
    const first = lane.sent;
    for (let i = 0; i < out.length; i += 2) if ((out[i] as number) >= 0) lane.sent++;
    try {
      lane.link.post(out, transfer);
    } catch (error) {
      this.#postEach(lane, out, first, error);
    }
  }

  // The batch did not clone: send its tasks one by one; a task that does not
  // clone fails with the clone error, and a placeholder keeps the slots in step.
  #postEach(lane: Lane, out: unknown[], first: number, failure: unknown): void {
    let p = first;
    for (let i = 0; i < out.length; i += 2) {
      const code = out[i] as number;
      if (code < 0) {
        lane.link.post([code, out[i + 1]]);
        continue;
      }
      const f = lane.ring[p++ & MASK];
      try {
        lane.link.post([code, out[i + 1]], f?.x);
      } catch (error) {
        lane.link.post([code | P.F_SKIP, 0]);
        if (f !== undefined) this.#fail(f, notCloneable('arguments', error, failure));
      }
    }
  }

  #onMessage(lane: Lane, message: unknown, init: P.WorkerInit): void {
    if (!lane.heard) {
      lane.heard = true;
      this.#startupFailures = 0;
    }
    if (Array.isArray(message)) {
      this.#onResults(lane, message);
      return;
    }
    const m = message as { t: string; slot?: number; error?: ErrorData };
    switch (m.t) {
      case 'ready':
        lane.link.post({ t: 'init', ...init });
        lane.ready = true;
        if (lane.out.length > 0) this.#post(lane);
        break;
      case 'started':
        this.#onStarted(lane, m.slot!);
        break;
      case 'stray':
        this.#onStray(lane, decodeError(m.error!));
        break;
      case 'init-error':
        this.#break(
          new BrokenExecutorError(
            'A worker initializer failed; the pool cannot run tasks (see `cause`)',
            { cause: decodeError(m.error!) },
          ),
        );
        break;
    }
  }

  #onResults(lane: Lane, message: unknown[]): void {
    const specials = message[1] as number[] | 0;
    const n = message.length - 2;
    let k = 0;
    const ring = lane.ring;
    for (let j = 0; j < n; j++) {
      const slot = lane.tail++ & MASK;
      const f = ring[slot];
      if (f === undefined) continue;
      ring[slot] = undefined;
      let kind = 0;
      if (specials !== 0 && specials[k] === j) {
        kind = specials[k + 1]!;
        k += 2;
      }
      if (f.done()) {
        if (f.w?.grace !== undefined) f.w.grace.clear();
        continue;
      }
      const value = message[j + 2];
      if (kind === 0) {
        if (settle(f, false, value)) this.#release(f);
      } else this.#settleSpecial(f, kind, value);
    }
    this.busyMs += message[0] as number;
    this.tasksRun += n;
    if (n > 0) this.#adapt((message[0] as number) / n);
    // Refill: the queue's next tasks may go to this lane or to another one.
    this.#flushAll();
    if (lane.head === lane.tail) {
      if (lane.stray) this.#closeBroken(lane);
      else this.#laneIdle(lane);
    }
  }

  // An error escaped every task in this worker (a timer or callback a
  // finished task left behind, an unhandled rejection). Which task it belongs
  // to cannot be known, so it is no task's failure: it is reported as the
  // worker's, and the worker, unsafe to reuse after an uncaught error (Node's
  // rule), takes no new task. What it has not begun goes back to the queue
  // (threads; a child runs its inbox), what it began may finish within the
  // grace period, then it is closed (or killed) and replaced on demand.
  #onStray(lane: Lane, error: unknown): void {
    this.#reportStray(error, lane.link.id);
    if (lane.stray || !lane.alive) return;
    lane.stray = true;
    const wasOpen = lane.open;
    lane.open = false;
    const index = this.#lanes.indexOf(lane);
    if (index >= 0) this.#lanes.splice(index, 1);
    this.#exiting.add(lane);
    if (lane.state !== undefined && wasOpen) {
      const requeue: TaskFuture[] = [];
      for (let p = lane.tail; p !== lane.head; p++) {
        const slot = p & MASK;
        const f = lane.ring[slot];
        if (f === undefined || f.done()) continue;
        if (Atomics.compareExchange(lane.state, slot, P.QUEUED, P.TAKEN) !== P.QUEUED) continue;
        // The worker reports it skipped; the empty ring slot makes that a no-op.
        lane.ring[slot] = undefined;
        f.l = undefined;
        requeue.push(f);
      }
      if (requeue.length > 0) void this.#queue.splice(this.#qhead, 0, ...requeue);
    }
    if (lane.head === lane.tail) this.#closeBroken(lane);
    else {
      const grace = this.#options.gracePeriod;
      lane.idleTimer?.clear();
      lane.idleTimer = setLongTimeout(() => {
        this.#kill(
          lane,
          `a stray error broke it, and its running task did not finish within ${grace} ms`,
        );
      }, grace).unref();
    }
    this.#flushAll();
  }

  #closeBroken(lane: Lane): void {
    lane.idleTimer?.clear();
    lane.idleTimer = undefined;
    if (!lane.alive || lane.closing || lane.killed !== undefined) return;
    lane.closing = true;
    lane.link.close();
  }

  #reportStray(error: unknown, worker: number): void {
    const source: StrayErrorSource = { executor: this.#options.kind, worker };
    const hook = this.#options.onStrayError;
    if (hook === undefined) {
      // As Node prints an uncaught error, without ending the process.
      console.error(
        `Uncaught error in ${source.executor} worker ${worker}, outside any task (the worker is replaced):\n${inspect(error)}`,
      );
      return;
    }
    try {
      hook(error, source);
    } catch (hookError) {
      // Out of the pool's bookkeeping: the hook's own error is the program's uncaught error.
      process.nextTick(() => {
        throw hookError;
      });
    }
  }

  #settleSpecial(f: TaskFuture, kind: number, value: unknown): void {
    if (kind === P.K_SKIPPED) {
      // Taken back, but the future is not done: a placeholder sent for a task that did not clone.
      return;
    }
    let failed = false;
    let result: unknown;
    if (kind === P.K_ERROR) {
      failed = true;
      result = decodeError(value as ErrorData);
    } else if (kind === P.K_SHARED) {
      // A result holding instances of registered classes this thread has not
      // loaded: settle once their modules are imported (or fail with why not).
      const loading = preparePacked(value, true);
      if (loading !== undefined) {
        loading.then(
          () => this.#settleSpecial(f, kind, value),
          (error: unknown) => {
            if (settle(f, true, error)) this.#release(f);
          },
        );
        return;
      }
      try {
        result = unpack(value);
      } catch (error) {
        failed = true;
        result = error;
      }
    } else {
      const [partial, error, shared] = value as [unknown[], ErrorData, boolean];
      failed = true;
      // A result that cannot be rebuilt here (ERR_SHAREABLE_UNKNOWN) rejects its own future.
      try {
        result = new ChunkFailure(
          (shared ? unpack(partial) : partial) as unknown[],
          decodeError(error),
        );
      } catch (cause) {
        result = cause;
      }
    }
    if (settle(f, failed, result)) this.#release(f);
  }

  #adapt(avgMs: number): void {
    const avg = (this.#avgMs = this.#avgMs < 0 ? avgMs : this.#avgMs * 0.7 + avgMs * 0.3);
    const w = avg <= 0 ? P.CAPACITY : Math.round(TARGET_MS / avg);
    this.#window = Math.max(MIN_WINDOW, Math.min(P.CAPACITY, w));
  }

  #onStarted(lane: Lane, slot: number): void {
    const f = lane.ring[slot];
    if (f === undefined || f.done() || f.w === undefined) return;
    markRunning(f);
    const timeout = f.w.timeout;
    if (timeout !== Infinity) {
      f.w.timer = setLongTimeout(() => {
        this.#abortRunning(
          f,
          new TimeoutError(`The task ran longer than its timeout of ${timeout} ms`),
        );
      }, timeout);
      f.w.timer.unref();
    }
  }

  #onSignal(f: TaskFuture): void {
    if (f.done() || f.cancel()) return;
    this.#abortRunning(f, f.w!.signal!.reason);
  }

  // The task has started (or, in a child process, was sent): fail its future
  // now, ask the worker to abort it, and kill the worker if it does not finish
  // within the grace period.
  #abortRunning(f: TaskFuture, reason: unknown): void {
    const lane = f.l;
    if (lane === undefined || f.done()) return;
    const slot = f.i;
    if (lane.state !== undefined) {
      Atomics.compareExchange(lane.state, slot, P.RUNNING, P.ABORTING);
    }
    if (lane.alive && lane.ready) {
      lane.link.post({ t: 'abort', slot, reason: encodeError(reason) });
    }
    const w = f.w!;
    this.#fail(f, reason);
    w.grace = setLongTimeout(() => {
      if (lane.alive && lane.ring[slot] === f) {
        this.#kill(lane, `a cancelled task ignored its signal for ${this.#options.gracePeriod} ms`);
      }
    }, this.#options.gracePeriod);
    w.grace.unref();
  }

  #kill(lane: Lane, why: string): void {
    if (!lane.alive || lane.killed !== undefined) return;
    lane.killed = why;
    lane.open = false;
    lane.link.terminate();
  }

  #onExit(lane: Lane, info: ExitInfo): void {
    lane.alive = false;
    lane.open = false;
    if (lane.idleTimer !== undefined) lane.idleTimer.clear();
    const index = this.#lanes.indexOf(lane);
    if (index >= 0) this.#lanes.splice(index, 1);
    this.#exiting.delete(lane);
    const error = exitError(lane, info);
    const requeue: TaskFuture[] = [];
    let started = false;
    for (let p = lane.tail; p !== lane.head; p++) {
      const slot = p & MASK;
      const f = lane.ring[slot];
      lane.ring[slot] = undefined;
      if (f === undefined) continue;
      if (f.done()) {
        if (f.w?.grace !== undefined) f.w.grace.clear();
        continue;
      }
      let ran: boolean;
      if (lane.state !== undefined) {
        const s = Atomics.load(lane.state, slot);
        if (s >= P.SAVED_NUMBER) {
          // Finished, its result still in the worker's batch: it is in shared memory too.
          const values = new Float64Array(lane.state.buffer, P.CAPACITY * 4, P.CAPACITY);
          if (settle(f, false, P.savedResult(s, values[slot]!))) this.#release(f);
          continue;
        }
        ran = s === P.RUNNING || s === P.DONE || s === P.ABORTING;
      } else {
        // A child takes its tasks in order and records each in its ledger
        // before running it, after posting the results before it: the tasks
        // it took and did not report died with it; the rest never began.
        ran = p < (info.begun ?? 0);
      }
      started ||= ran;
      if (ran) this.#fail(f, error);
      else if (this.#terminated) {
        if (forceCancel(f)) this.#release(f);
      } else {
        f.l = undefined;
        requeue.push(f);
      }
    }
    lane.tail = lane.head;
    if (requeue.length > 0) void this.#queue.splice(this.#qhead, 0, ...requeue);
    if (!lane.heard && !started && lane.killed === undefined && !lane.closing) {
      if (++this.#startupFailures >= STARTUP_FAILURES) {
        this.#break(
          new BrokenExecutorError(`Workers keep exiting before they start (${error.message})`, {
            cause: error,
          }),
        );
      }
    }
    if (this.#closing && this.#unfinished === 0) {
      if (this.#lanes.length === 0 && this.#exiting.size === 0) this.#closedNow();
    } else this.#flushAll();
  }

  #laneIdle(lane: Lane): void {
    if (!lane.open) return;
    if (lane.budget <= 0) {
      this.#retire(lane);
      this.#flushAll();
      return;
    }
    const ms = this.#options.idleTimeout;
    if (ms !== Infinity && this.#qhead === this.#queue.length) {
      lane.idleTimer = setLongTimeout(() => {
        lane.idleTimer = undefined;
        if (lane.head === lane.tail && lane.open) this.#retire(lane);
      }, ms);
      lane.idleTimer.unref();
    }
  }

  // Asks an idle lane to exit; it stops counting towards maxWorkers at once.
  #retire(lane: Lane): void {
    lane.open = false;
    const index = this.#lanes.indexOf(lane);
    if (index >= 0) this.#lanes.splice(index, 1);
    this.#exiting.add(lane);
    if (lane.killed === undefined) {
      lane.closing = true;
      lane.link.close();
    }
  }

  // A future leaves the unfinished set: drop what it held, and wake who waits on that.
  #release(f: TaskFuture): void {
    const w = f.w;
    if (w !== undefined) {
      if (w.timer !== undefined) w.timer.clear();
      if (w.onAbort !== undefined) w.signal!.removeEventListener('abort', w.onAbort);
    }
    f.a = undefined;
    f.x = undefined;
    if (--this.#unfinished === 0) {
      keepalive.release();
      if (this.#closing) this.#closeAll();
    }
    if (this.#spaceWaiters.length > 0) {
      const waiters = this.#spaceWaiters;
      this.#spaceWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  #fail(f: TaskFuture, error: unknown): void {
    if (settle(f, true, error)) this.#release(f);
  }

  #cancelQueued(): void {
    const q = this.#queue;
    for (let i = this.#qhead; i < q.length; i++) {
      const f = q[i];
      if (f !== undefined && forceCancel(f)) this.#release(f);
    }
  }

  // An initializer failed (or workers cannot start): fail everything, now and later.
  #break(error: BrokenExecutorError): void {
    if (this.#broken !== undefined) return;
    this.#broken = error;
    const q = this.#queue;
    for (let i = this.#qhead; i < q.length; i++) {
      const f = q[i];
      if (f !== undefined) this.#fail(f, error);
    }
    for (const lane of [...this.#lanes]) {
      for (let p = lane.tail; p !== lane.head; p++) {
        const f = lane.ring[p & MASK];
        if (f !== undefined) this.#fail(f, error);
      }
      this.#kill(lane, 'the pool is broken');
    }
  }

  #closeAll(): void {
    for (const lane of [...this.#lanes]) this.#retire(lane);
    if (this.#exiting.size === 0) this.#closedNow();
    else if (!this.#holdingForClose) {
      // Workers are unref'd; keep Node alive until their exit is seen, so
      // code after `await shutdown()` runs.
      this.#holdingForClose = true;
      keepalive.hold();
    }
  }

  #closedNow(): void {
    if (this.#holdingForClose) {
      this.#holdingForClose = false;
      keepalive.release();
    }
    this.#resolveClosed?.();
  }
}
