import { registerShareable, SHARE } from '../internal/codec.js';
import type { Shareable, SharedState } from '../internal/codec.js';
import { outOfRangeError, StateError } from '../internal/errors.js';
import { lockAsync, lockSync, TAKEN_OVER, tryLock, unlock } from './owner-mutex.js';
import { QueueEmpty, QueueFull, QueueShutDown } from '../internal/queue-errors.js';
import {
  checkAcquire,
  checkBoolean,
  checkInt,
  checkOptions,
  checkSignal,
  checkTimeout,
  QUEUE_FORM,
  WAIT_FORM,
  WAIT_SYNC_FORM,
} from '../internal/validate.js';
import { deadlineOf, remaining, waitAsync, waitSync } from '../internal/wait.js';
import { Pending, Prepared, prepareKey } from './item-codec.js';
import { openDirectory } from './sab-directory.js';
import {
  EMPTY,
  R_ALL_DONE,
  R_GET_WAITERS,
  R_MAXSIZE,
  R_NOT_EMPTY,
  R_NOT_FULL,
  R_PUT_WAITERS,
  R_SHUTDOWN,
  Ring,
  RING_MAX,
  type RingState,
  type Staged,
} from './ring.js';
import type { StoreState } from './store.js';
import {
  ALL_DONE,
  DEFAULT_MAX_BYTES,
  FIFO,
  GET_SIGNALS,
  GET_WAITERS,
  LIFO,
  MAXSIZE,
  MUTEX,
  NOT_EMPTY,
  NOT_FULL,
  PRIORITY,
  PUT_SIGNALS,
  PUT_WAITERS,
  SHUTDOWN,
  SIZE,
  Store,
  UNFINISHED,
} from './store.js';

/** Options of a queue. */
export interface QueueOptions {
  /**
   * Most items at once; `0` means unbounded, as in Python. A `Queue` (FIFO)
   * with `1 <= maxsize <= 16384` is lock-free: producers and consumers never
   * share a lock, which is what makes it fast across threads. @default 0
   */
  readonly maxsize?: number;
  /** Ceiling of the item storage in bytes; past it `put` throws `ERR_QUEUE_MEMORY`. @default 64 MiB */
  readonly maxBytes?: number;
}

// One set of option types for every module (internal/options.ts).
export type { QueueWaitOptions, QueueWaitSyncOptions } from '../internal/options.js';
import type {
  QueueWaitOptions,
  QueueWaitSyncOptions,
  WaitOptions,
  WaitSyncOptions,
} from '../internal/options.js';

interface QueueState {
  readonly store?: StoreState;
  readonly ring?: RingState;
}

// getSync / putSync spin this many loads for an item (or room) before parking.
const SPIN = 256;
// The ring's shutdown word: 1 after shutdown(), 2 after shutdown({ immediate: true }).
const IMMEDIATE = 2;
let restoring: QueueState | undefined;

/**
 * A first-in-first-out queue shared across threads (Python's `queue.Queue`):
 * pass it to threads and every copy works on the same items. Items are copied
 * (structured clone); shareables inside items (locks, values, queues) arrive live.
 *
 * @remarks Thread safety: any number of producers and consumers, in any
 * threads, at once. Cancellation: an aborted `put` puts nothing and an
 * aborted `get` takes nothing. Thread death: a weft thread (or pool worker)
 * that dies inside `put` or `get` (terminated, out of memory) costs at most
 * the item it was putting or taking, never a duplicate or a corrupted item;
 * the queue stays usable (a waiter takes over what the dead thread held
 * within about 100 ms, and parked waiters re-check every few seconds at
 * most). An item taken by a thread that died before `taskDone()` keeps
 * `join()` waiting: give `join` a timeout where threads may die.
 * @example
 * ```ts
 * import { Queue } from 'weft/queue';
 * const q = new Queue<number>({ maxsize: 64 });
 * await q.put(1);
 * console.log(await q.get()); // 1
 * q.taskDone();
 * await q.join();
 * ```
 */
export class Queue<T = unknown> implements Shareable, AsyncIterable<T> {
  // A bounded FIFO queue (1 <= maxsize <= RING_MAX at creation) keeps its
  // items in a lock-free ring; every other queue in the mutex-guarded store.
  readonly #store: Store | undefined;
  readonly #ring: Ring | undefined;
  readonly #c: Int32Array;
  readonly #prepared = new Prepared();

  /**
   * @throws {RangeError} `ERR_OUT_OF_RANGE` for a negative `maxsize` or a `maxBytes` below 1 KiB.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` for options that are not an
   * object (`new Queue(5)` is `new Queue({ maxsize: 5 })`).
   */
  constructor(options?: QueueOptions) {
    const state = restoring;
    restoring = undefined;
    if (state?.ring !== undefined) this.#ring = new Ring(0, 0, 0, state.ring);
    else if (state?.store !== undefined) this.#store = new Store(0, 0, 0, state.store);
    else {
      options = checkOptions(options, 'new Queue(options)', '{ maxsize: 5 }');
      const maxsize = checkInt(options.maxsize ?? 0, 'maxsize', 0, 2 ** 31 - 1);
      const maxBytes = checkInt(
        options.maxBytes ?? DEFAULT_MAX_BYTES,
        'maxBytes',
        1024,
        2 ** 31 - 1,
      );
      if (this.kind === FIFO && maxsize >= 1 && maxsize <= RING_MAX) {
        this.#ring = new Ring(FIFO, maxsize, maxBytes);
      } else this.#store = new Store(this.kind, maxsize, maxBytes);
    }
    this.#c = this.#ring?.control ?? this.#store!.control;
    openDirectory();
  }

  /** @internal Which storage discipline (FIFO, LIFO, priority). */
  protected get kind(): number {
    return FIFO;
  }

  /** @internal */
  static fromShared(state: unknown): Queue {
    const s = state as QueueState;
    restoring = s;
    if (s.ring !== undefined) return new Queue();
    const kind = new Int32Array(s.store!.control)[2];
    if (kind === LIFO) return new LifoQueue();
    if (kind === PRIORITY) return new PriorityQueue();
    return new Queue();
  }

  /** @internal */
  [SHARE](): SharedState {
    const state: QueueState =
      this.#ring !== undefined ? { ring: this.#ring.state() } : { store: this.#store!.state() };
    return { tag: 'weft.Queue', state };
  }

  /**
   * Most items at once (0 = unbounded). Settable, as in Python, with one
   * limit: a `Queue` made with `1 <= maxsize <= 16384` sizes its lock-free
   * storage by it, so its maxsize can change between 1 and that first value
   * (other values throw a RangeError); other queues take any value.
   */
  get maxsize(): number {
    return Atomics.load(this.#c, this.#ring !== undefined ? R_MAXSIZE : MAXSIZE);
  }
  /** @throws {RangeError} for a value this queue cannot take (see the getter). */
  set maxsize(value: number) {
    checkInt(value, 'maxsize', 0, 2 ** 31 - 1);
    if (this.#ring !== undefined) {
      const capacity = this.#ring.capacity;
      if (value < 1 || value > capacity) {
        throw outOfRangeError(
          `This Queue was made with maxsize ${capacity}, which sized its storage: its maxsize can change between 1 and ${capacity}, got ${value}`,
        );
      }
      Atomics.store(this.#c, R_MAXSIZE, value);
      this.#wake(R_NOT_FULL, Infinity);
      return;
    }
    this.#lock();
    Atomics.store(this.#c, MAXSIZE, value);
    this.#unlock();
    this.#wake(NOT_FULL, Infinity);
  }

  /** Items in the queue now (a snapshot: other threads may change it at once). */
  qsize(): number {
    return this.#ring !== undefined ? this.#ring.size() : Atomics.load(this.#c, SIZE);
  }

  /** Whether the queue is empty now. */
  empty(): boolean {
    return this.qsize() === 0;
  }

  /** Whether the queue is full now. */
  full(): boolean {
    const max = this.maxsize;
    return max > 0 && this.qsize() >= max;
  }

  /** Whether `shutdown()` was called. */
  get isShutdown(): boolean {
    return Atomics.load(this.#c, this.#ring !== undefined ? R_SHUTDOWN : SHUTDOWN) !== 0;
  }

  // The store's mutex records its owner; a waiter takes it over from a
  // thread that died holding it (after one sleep slice) and repairs the store.
  #lock(): void {
    if (lockSync(this.#c, MUTEX, Infinity) === TAKEN_OVER) this.#recovered();
  }

  // The async forms never block the event loop on the mutex: `tryLock` first,
  // then this (a short spin, then waitAsync slices).
  async #lockAsync(): Promise<void> {
    if ((await lockAsync(this.#c, MUTEX, Infinity)) === TAKEN_OVER) this.#recovered();
  }

  // Under the mutex just taken over: finish the dead owner's operation, then
  // wake every waiter (it may have died owing one a wake-up); they re-check.
  #recovered(): void {
    this.#store!.recover();
    this.#wake(NOT_EMPTY, Infinity);
    this.#wake(NOT_FULL, Infinity);
    this.#wake(ALL_DONE, Infinity);
  }

  #unlock(): void {
    unlock(this.#c, MUTEX);
  }

  #wake(word: number, count: number): void {
    Atomics.add(this.#c, word, 1);
    Atomics.notify(this.#c, word, count);
  }

  // `reuse`: only a call that cannot be interleaved with another (a sync
  // put) may use the shared scratch object.
  // An async put (`reuse` false) never blocks: a prepared item may then
  // still wait for the buffer directory (`await prepared.ready()`).
  #prepare(item: unknown, reuse: boolean): Prepared {
    const prepared = reuse ? this.#prepared : new Prepared();
    // The key first: nothing is deposited for an item refused here.
    if (this.kind === PRIORITY) prepareKey(prepared, item);
    return prepared.prepare(item, reuse);
  }

  // Under the lock: 'ok' to put now, else throws, else 'wait'.
  #canPut(timeout: number, deadline: number): boolean {
    const c = this.#c;
    if (c[SHUTDOWN] === 1) throw new QueueShutDown();
    const max = c[MAXSIZE]!;
    if (max <= 0 || c[SIZE]! < max) return true;
    if (timeout === 0 || remaining(deadline) <= 0) throw new QueueFull();
    return false;
  }

  #canGet(timeout: number, deadline: number): boolean {
    const c = this.#c;
    if (c[SIZE]! > 0) return true;
    if (c[SHUTDOWN] === 1) throw new QueueShutDown();
    if (timeout === 0 || remaining(deadline) <= 0) throw new QueueEmpty();
    return false;
  }

  // Under the lock, with room: store the item, count it, wake a getter after unlocking.
  #push(prepared: Prepared): boolean {
    this.#store!.push(prepared);
    return this.#signal(GET_WAITERS, GET_SIGNALS);
  }

  #pop(): { value: unknown; wake: boolean } {
    const value = this.#store!.pop();
    return { value, wake: this.#signal(PUT_WAITERS, PUT_SIGNALS) };
  }

  // Under the lock: whether to wake one more waiter after unlocking. Waiters
  // already woken but not yet back under the lock are not woken again, so a
  // side running ahead of a parked one pays one notify, not one per item.
  #signal(waiters: number, signals: number): boolean {
    const c = this.#c;
    if (c[waiters]! <= c[signals]!) return false;
    c[signals]!++;
    return true;
  }

  // Under the lock, back from a wait (woken, timed out or aborted): one
  // waiter fewer, and one outstanding wake-up accounted for. Signals first:
  // a waiter that dies between the two stores leaves one waiter too many
  // (an extra notify later), never one signal too many (a missed wake-up).
  #left(waiters: number, signals: number): void {
    const c = this.#c;
    if (c[signals]! > 0) c[signals]!--;
    c[waiters]!--;
  }

  /**
   * Puts `item`, waiting (without blocking the event loop) while the queue is full.
   *
   * @throws {QueueFull} when it stays full past `timeout`, or at once with `block: false`.
   * @throws {QueueShutDown} after `shutdown()`.
   * @throws {DOMException} `DataCloneError` for an item that cannot be cloned (the queue is unchanged).
   */
  async put(item: T, options?: QueueWaitOptions): Promise<void> {
    if (this.#ring !== undefined) return this.#ringPutAsync(this.#ring, item, options);
    const timeout = waitTimeout(options);
    const signal = checkSignal(options?.signal);
    signal?.throwIfAborted();
    const prepared = this.#prepare(item, false);
    if (!prepared.isReady) await prepared.ready();
    const c = this.#c;
    const deadline = deadlineOf(timeout);
    let wake = false;
    if (!tryLock(c, MUTEX)) await this.#lockAsync();
    try {
      let naps = 0;
      while (!this.#canPut(timeout, deadline)) {
        const seq = Atomics.load(c, NOT_FULL);
        c[PUT_WAITERS]!++;
        this.#unlock();
        try {
          await waitAsync(c, NOT_FULL, seq, nap(deadline, naps++), signal);
        } finally {
          if (!tryLock(c, MUTEX)) await this.#lockAsync();
          this.#left(PUT_WAITERS, PUT_SIGNALS);
        }
      }
      wake = this.#push(prepared);
    } catch (error) {
      prepared.abandon();
      throw error;
    } finally {
      this.#unlock();
    }
    if (wake) this.#wake(NOT_EMPTY, 1);
  }

  /**
   * Puts `item`, blocking the calling thread while the queue is full.
   *
   * @remarks Blocking: stops this thread's event loop while it waits.
   * @throws {QueueFull} / {QueueShutDown} as `put`.
   */
  putSync(item: T, options?: QueueWaitSyncOptions): void {
    if (this.#ring !== undefined) return this.#ringPutSync(this.#ring, item, options);
    const timeout = waitTimeout(options);
    const prepared = this.#prepare(item, true);
    const c = this.#c;
    if (timeout !== 0) {
      for (let i = 0, max = c[MAXSIZE]!; i < SPIN && max > 0 && Atomics.load(c, SIZE) >= max; i++);
    }
    const deadline = deadlineOf(timeout);
    let wake = false;
    this.#lock();
    try {
      let naps = 0;
      while (!this.#canPut(timeout, deadline)) {
        const seq = Atomics.load(c, NOT_FULL);
        c[PUT_WAITERS]!++;
        this.#unlock();
        waitSync(c, NOT_FULL, seq, nap(deadline, naps++));
        this.#lock();
        this.#left(PUT_WAITERS, PUT_SIGNALS);
      }
      wake = this.#push(prepared);
    } catch (error) {
      prepared.abandon();
      throw error;
    } finally {
      this.#unlock();
    }
    if (wake) this.#wake(NOT_EMPTY, 1);
  }

  /**
   * Puts `item` only if there is room now.
   *
   * @throws {QueueFull} when full; {QueueShutDown} after shutdown.
   */
  putNowait(item: T): void {
    this.putSync(item, { block: false });
  }

  /**
   * Removes and returns the next item, waiting (without blocking the event loop) while empty.
   *
   * @throws {QueueEmpty} when it stays empty past `timeout`, or at once with `block: false`.
   * @throws {QueueShutDown} once shut down and empty.
   */
  async get(options?: QueueWaitOptions): Promise<T> {
    if (this.#ring !== undefined) return this.#ringGet(this.#ring, options);
    const timeout = waitTimeout(options);
    const signal = checkSignal(options?.signal);
    signal?.throwIfAborted();
    const c = this.#c;
    const deadline = deadlineOf(timeout);
    let popped: { value: unknown; wake: boolean };
    if (!tryLock(c, MUTEX)) await this.#lockAsync();
    try {
      let naps = 0;
      while (!this.#canGet(timeout, deadline)) {
        const seq = Atomics.load(c, NOT_EMPTY);
        c[GET_WAITERS]!++;
        this.#unlock();
        try {
          await waitAsync(c, NOT_EMPTY, seq, nap(deadline, naps++), signal);
        } finally {
          if (!tryLock(c, MUTEX)) await this.#lockAsync();
          this.#left(GET_WAITERS, GET_SIGNALS);
        }
      }
      popped = this.#pop();
    } finally {
      this.#unlock();
    }
    return this.#finish(popped, false);
  }

  /**
   * Removes and returns the next item, blocking the calling thread while empty.
   *
   * @remarks Blocking: stops this thread's event loop while it waits.
   * @throws {QueueEmpty} / {QueueShutDown} as `get`.
   */
  getSync(options?: QueueWaitSyncOptions): T {
    if (this.#ring !== undefined) return this.#ringGetSync(this.#ring, options);
    const timeout = waitTimeout(options);
    const c = this.#c;
    if (timeout !== 0) {
      for (let i = 0; i < SPIN && Atomics.load(c, SIZE) === 0; i++);
    }
    const deadline = deadlineOf(timeout);
    let popped: { value: unknown; wake: boolean };
    this.#lock();
    try {
      let naps = 0;
      while (!this.#canGet(timeout, deadline)) {
        const seq = Atomics.load(c, NOT_EMPTY);
        c[GET_WAITERS]!++;
        this.#unlock();
        waitSync(c, NOT_EMPTY, seq, nap(deadline, naps++));
        this.#lock();
        this.#left(GET_WAITERS, GET_SIGNALS);
      }
      popped = this.#pop();
    } finally {
      this.#unlock();
    }
    return this.#finish(popped, true);
  }

  /**
   * Removes and returns the next item only if one is there now.
   *
   * @throws {QueueEmpty} when empty; {QueueShutDown} once shut down and empty.
   */
  getNowait(): T {
    return this.getSync({ block: false });
  }

  // `sync` false (async get): decoding never blocks, and may return a promise.
  #finish(popped: { value: unknown; wake: boolean }, sync: boolean): T {
    if (popped.wake) this.#wake(NOT_FULL, 1);
    return decoded(popped.value, sync);
  }

  // The ring (a bounded FIFO queue). No lock: a waiter announces itself in
  // the PUT / GET waiter word, then tries once more before it sleeps on the
  // NOT_FULL / NOT_EMPTY sequence word; whoever makes progress for it (a get,
  // a put) reads the word after its own change and, if a waiter has no
  // wake-up on its way yet, counts one, bumps the sequence and wakes one.
  // Sequentially consistent Atomics on both sides mean that either the
  // waiter's last try sees the change or the changer sees the waiter. A
  // waiter word packs waiters (low 32 bits) and wake-ups sent whose waiter is
  // not back yet (high 32 bits), changed together by a 64-bit CAS, so a side
  // running ahead of a parked one pays one notify per park, not one per item.
  // Waiters sleep in slices (a party that died may owe them a wake-up), and
  // each time they find nothing after a wake-up, and before a non-blocking
  // form reports empty / full, they ask the ring to take back a cell held
  // by a party known dead (Ring.repairGet / repairPut).

  #ringPutSync(ring: Ring, item: T, options: QueueWaitSyncOptions | undefined): void {
    const timeout = waitTimeout(options);
    const c = this.#c;
    if (Atomics.load(c, R_SHUTDOWN) !== 0) throw new QueueShutDown();
    const staged = stage(ring, this.#prepare(item, true));
    try {
      if (!ring.tryPut(staged)) this.#ringAwaitRoomSync(ring, staged, timeout);
    } catch (error) {
      ring.unstage(staged);
      staged.prepared.abandon();
      throw error;
    }
    this.#ringPut(ring);
  }

  #ringAwaitRoomSync(ring: Ring, staged: Staged, timeout: number): void {
    const c = this.#c;
    if (timeout !== 0) for (let i = 0; i < SPIN; i++) if (ring.tryPut(staged)) return;
    const deadline = deadlineOf(timeout);
    let naps = 0;
    for (;;) {
      // Never put once shut down (an immediate shutdown may have drained).
      if (Atomics.load(c, R_SHUTDOWN) !== 0) throw new QueueShutDown();
      if (ring.tryPut(staged)) return;
      if (ring.repairPut()) continue;
      if (timeout === 0 || remaining(deadline) <= 0) throw new QueueFull();
      const seq = Atomics.load(c, R_NOT_FULL);
      ring.announce(R_PUT_WAITERS);
      try {
        if (ring.tryPut(staged)) return;
        if (Atomics.load(c, R_SHUTDOWN) === 0) {
          waitSync(c, R_NOT_FULL, seq, nap(deadline, naps++));
        }
      } finally {
        ring.leave(R_PUT_WAITERS);
      }
    }
  }

  async #ringPutAsync(ring: Ring, item: T, options: QueueWaitOptions | undefined): Promise<void> {
    const timeout = waitTimeout(options);
    const signal = checkSignal(options?.signal);
    signal?.throwIfAborted();
    const c = this.#c;
    if (Atomics.load(c, R_SHUTDOWN) !== 0) throw new QueueShutDown();
    const prepared = this.#prepare(item, false);
    if (!prepared.isReady) await prepared.ready();
    const staged = stage(ring, prepared);
    try {
      if (!ring.tryPut(staged)) {
        const deadline = deadlineOf(timeout);
        let naps = 0;
        for (;;) {
          if (Atomics.load(c, R_SHUTDOWN) !== 0) throw new QueueShutDown();
          if (ring.tryPut(staged)) break;
          if (ring.repairPut()) continue;
          if (timeout === 0 || remaining(deadline) <= 0) throw new QueueFull();
          const seq = Atomics.load(c, R_NOT_FULL);
          ring.announce(R_PUT_WAITERS);
          let put = false;
          try {
            put = ring.tryPut(staged);
            if (!put && Atomics.load(c, R_SHUTDOWN) === 0) {
              await waitAsync(c, R_NOT_FULL, seq, nap(deadline, naps++), signal);
            }
          } finally {
            ring.leave(R_PUT_WAITERS);
          }
          if (put) break;
        }
      }
    } catch (error) {
      ring.unstage(staged);
      staged.prepared.abandon();
      throw error;
    }
    this.#ringPut(ring);
  }

  // After a put: a put that raced an immediate shutdown must not leave its
  // item behind (the shutdown's drain may have run before it landed), so it
  // drains too and reports the shutdown; otherwise wake a waiting getter.
  #ringPut(ring: Ring): void {
    const c = this.#c;
    if (Atomics.load(c, R_SHUTDOWN) === IMMEDIATE) {
      this.#ringDrop(ring);
      throw new QueueShutDown();
    }
    if (ring.hasWaiters(R_GET_WAITERS) && ring.claimWake(R_GET_WAITERS)) {
      this.#wake(R_NOT_EMPTY, 1);
    }
  }

  // Drops every item left (shutdown immediate): they count as done for join,
  // and so do positions whose producer died before publishing.
  #ringDrop(ring: Ring): void {
    let dropped = 0;
    for (;;) {
      const value = ring.tryGet();
      if (value !== EMPTY) {
        dropped++;
        // Its shared buffers are let go (the directory counts one item fewer).
        if (value instanceof Pending) value.discard();
      } else if (!ring.repairGet()) break;
    }
    if (dropped > 0) ring.addDone(dropped);
    this.#wake(R_ALL_DONE, Infinity);
  }

  #ringGetSync(ring: Ring, options: QueueWaitSyncOptions | undefined): T {
    const timeout = waitTimeout(options);
    let value = ring.tryGet();
    if (value === EMPTY) value = this.#ringAwaitItemSync(ring, timeout);
    return this.#ringFinish(value, true);
  }

  #ringAwaitItemSync(ring: Ring, timeout: number): unknown {
    const c = this.#c;
    if (timeout !== 0) {
      for (let i = 0; i < SPIN; i++) {
        const value = ring.tryGet();
        if (value !== EMPTY) return value;
      }
    }
    const deadline = deadlineOf(timeout);
    let naps = 0;
    for (;;) {
      if (Atomics.load(c, R_SHUTDOWN) !== 0) throw new QueueShutDown();
      // The next item's producer died before publishing it: skip the cell.
      if (ring.repairGet()) {
        const value = ring.tryGet();
        if (value !== EMPTY) return value;
        continue;
      }
      if (timeout === 0 || remaining(deadline) <= 0) throw new QueueEmpty();
      const seq = Atomics.load(c, R_NOT_EMPTY);
      ring.announce(R_GET_WAITERS);
      let value: unknown;
      try {
        value = ring.tryGet();
        if (value === EMPTY && Atomics.load(c, R_SHUTDOWN) === 0) {
          waitSync(c, R_NOT_EMPTY, seq, nap(deadline, naps++));
        }
      } finally {
        ring.leave(R_GET_WAITERS);
      }
      if (value === EMPTY) value = ring.tryGet();
      if (value !== EMPTY) return value;
    }
  }

  async #ringGet(ring: Ring, options: QueueWaitOptions | undefined): Promise<T> {
    const timeout = waitTimeout(options);
    const signal = checkSignal(options?.signal);
    signal?.throwIfAborted();
    const c = this.#c;
    let value = ring.tryGet();
    if (value === EMPTY) {
      const deadline = deadlineOf(timeout);
      let naps = 0;
      for (;;) {
        if (Atomics.load(c, R_SHUTDOWN) !== 0) throw new QueueShutDown();
        if (ring.repairGet()) {
          value = ring.tryGet();
          if (value !== EMPTY) break;
          continue;
        }
        if (timeout === 0 || remaining(deadline) <= 0) throw new QueueEmpty();
        const seq = Atomics.load(c, R_NOT_EMPTY);
        ring.announce(R_GET_WAITERS);
        try {
          value = ring.tryGet();
          if (value === EMPTY && Atomics.load(c, R_SHUTDOWN) === 0) {
            await waitAsync(c, R_NOT_EMPTY, seq, nap(deadline, naps++), signal);
          }
        } finally {
          ring.leave(R_GET_WAITERS);
        }
        if (value === EMPTY) value = ring.tryGet();
        if (value !== EMPTY) break;
      }
    }
    return this.#ringFinish(value, false);
  }

  // After a get: wake a putter waiting for room, then decode what needs it.
  #ringFinish(value: unknown, sync: boolean): T {
    if (this.#ring!.hasWaiters(R_PUT_WAITERS) && this.#ring!.claimWake(R_PUT_WAITERS)) {
      this.#wake(R_NOT_FULL, 1);
    }
    return decoded(value, sync);
  }

  /**
   * Marks one item taken with `get` as fully processed (for `join`).
   *
   * @throws {StateError} `ERR_TASK_DONE_TOO_MANY` when called more times than items were put.
   */
  taskDone(): void {
    const c = this.#c;
    if (this.#ring !== undefined) {
      const before = this.#ring.taskDone();
      if (before === 0) throw tooManyTaskDone();
      if (before === 1) this.#wake(R_ALL_DONE, Infinity);
      return;
    }
    let done = false;
    this.#lock();
    try {
      const unfinished = c[UNFINISHED]!;
      if (unfinished <= 0) throw tooManyTaskDone();
      c[UNFINISHED] = unfinished - 1;
      done = unfinished === 1;
    } finally {
      this.#unlock();
    }
    if (done) this.#wake(ALL_DONE, Infinity);
  }

  /**
   * Waits until every item put has been marked done with `taskDone()`.
   *
   * @returns `true`, or `false` if `timeout` passed first.
   */
  async join(options?: WaitOptions): Promise<boolean> {
    options = checkOptions(options, 'queue.join(options)', WAIT_FORM);
    const deadline = deadlineOf(checkTimeout(options.timeout));
    const signal = checkSignal(options.signal);
    const c = this.#c;
    const allDone = this.#ring !== undefined ? R_ALL_DONE : ALL_DONE;
    for (;;) {
      const seq = Atomics.load(c, allDone);
      if (this.#unfinished() === 0) return true;
      const left = remaining(deadline);
      if (left <= 0) return false;
      await waitAsync(c, allDone, seq, left, signal);
    }
  }

  #unfinished(): number {
    return this.#ring !== undefined ? this.#ring.unfinished() : Atomics.load(this.#c, UNFINISHED);
  }

  /**
   * Like `join`, blocking the calling thread.
   *
   * @remarks Blocking: stops this thread's event loop while it waits.
   */
  joinSync(options?: WaitSyncOptions): boolean {
    options = checkOptions(options, 'queue.joinSync(options)', WAIT_SYNC_FORM);
    const deadline = deadlineOf(checkTimeout(options.timeout));
    const c = this.#c;
    const allDone = this.#ring !== undefined ? R_ALL_DONE : ALL_DONE;
    for (;;) {
      const seq = Atomics.load(c, allDone);
      if (this.#unfinished() === 0) return true;
      const left = remaining(deadline);
      if (left <= 0) return false;
      waitSync(c, allDone, seq, left);
    }
  }

  /**
   * Shuts the queue down (Python 3.13): `put` then throws `QueueShutDown`, and
   * so does `get` once the queue is empty; blocked putters and getters wake.
   * With `immediate`, the items left are dropped (counted as done for `join`).
   */
  shutdown(options?: { immediate?: boolean }): void {
    options = checkOptions(options, 'queue.shutdown(options)', '{ immediate: true }');
    checkBoolean(options.immediate, 'immediate');
    const c = this.#c;
    if (this.#ring !== undefined) {
      if (options.immediate === true) {
        Atomics.store(c, R_SHUTDOWN, IMMEDIATE);
        this.#ringDrop(this.#ring);
      } else Atomics.compareExchange(c, R_SHUTDOWN, 0, 1);
      this.#wake(R_ALL_DONE, Infinity);
      this.#wake(R_NOT_EMPTY, Infinity);
      this.#wake(R_NOT_FULL, Infinity);
      return;
    }
    this.#lock();
    try {
      c[SHUTDOWN] = 1;
      if (options.immediate === true) this.#store!.clear();
    } finally {
      this.#unlock();
    }
    this.#wake(ALL_DONE, Infinity);
    this.#wake(NOT_EMPTY, Infinity);
    this.#wake(NOT_FULL, Infinity);
  }

  /** Yields items with `get()` until the queue is shut down and empty. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (error) {
        if (error instanceof QueueShutDown) return;
        throw error;
      }
      yield item;
    }
  }

  toString(): string {
    return `<${this.constructor.name} size=${this.qsize()} maxsize=${this.maxsize}${this.isShutdown ? ' shut down' : ''}>`;
  }
}

/**
 * A last-in-first-out queue (a blocking stack) shared across threads
 * (Python's `queue.LifoQueue`); same API as {@link Queue}.
 *
 * @example
 * ```ts
 * const stack = new LifoQueue<number>();
 * stack.putNowait(1); stack.putNowait(2);
 * stack.getNowait(); // 2
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  protected override get kind(): number {
    return LIFO;
  }
}

/**
 * A queue that returns the smallest item first (Python's
 * `queue.PriorityQueue`): numbers, bigints, strings, or `[priority, item]`
 * pairs ordered by priority; equal priorities come out first-in-first-out.
 * An array priority compares element by element, as Python's tuples do. The
 * priorities held at once have one shape (all numbers and bigints, all
 * strings, or arrays of one length and one shape index by index): a priority
 * of another shape, or NaN, is a TypeError thrown by the put that brought it,
 * which changes nothing. weft/asyncio's `PriorityQueue` follows the same rules.
 *
 * @example
 * ```ts
 * const pq = new PriorityQueue<[number, string]>();
 * pq.putNowait([2, 'b']); pq.putNowait([1, 'a']);
 * pq.getNowait(); // [1, 'a']
 * ```
 */
export class PriorityQueue<T = unknown> extends Queue<T> {
  protected override get kind(): number {
    return PRIORITY;
  }
}

// Waiters sleep in naps: a party that died may owe them a wake-up (it died
// between its change and its notify, or holds a ring cell a parked putter
// needs back), so a sleeper re-checks after FIRST_NAP ms, then after longer
// and longer naps up to MAX_NAP ms: a death costs a parked waiter a delay,
// never a hang, and an idle waiter costs one wake-up every few seconds.
const FIRST_NAP = 250;
const MAX_NAP = 4000;
function nap(deadline: number, naps: number): number {
  return Math.min(remaining(deadline), naps >= 4 ? MAX_NAP : FIRST_NAP << naps);
}

// A taken item's value. Async gets (`sync` false) never block: an item whose
// shared buffers must be asked for comes back as a promise, which the async
// caller's `return` awaits.
function decoded<T>(value: unknown, sync: boolean): T {
  if (!(value instanceof Pending)) return value as T;
  return (sync ? value.value() : value.valueAsync()) as T;
}

// Stages an item for the ring; its buffers are let go if that fails.
function stage(ring: Ring, prepared: Prepared): Staged {
  try {
    return ring.stage(prepared);
  } catch (error) {
    prepared.abandon();
    throw error;
  }
}

function waitTimeout(options: QueueWaitSyncOptions | undefined): number {
  if (options === undefined) return Infinity;
  checkOptions(options, 'queue.get(options) / queue.put(item, options)', QUEUE_FORM);
  return checkAcquire(options.block, options.timeout, 'block');
}

registerShareable('weft.Queue', (state) => Queue.fromShared(state));

function tooManyTaskDone(): StateError {
  return new StateError(
    'ERR_TASK_DONE_TOO_MANY',
    'taskDone() called more times than there were items',
  );
}
