// The queue backend over the mutex-guarded store (store.ts): every queue
// that is not a bounded FIFO of at most RING_MAX items (LIFO, priority,
// unbounded, or large).
//
// Words (store.ts's control array, whose layout store.ts documents): MUTEX
// (an owner mutex, owner-mutex.ts) guards SIZE, MAXSIZE, SHUTDOWN,
// UNFINISHED and the waiter words. Waiters sleep on the sequence words
// NOT_EMPTY / NOT_FULL / ALL_DONE, which a change bumps before waking. A
// waiter counts itself in GET_WAITERS / PUT_WAITERS under the mutex before
// it sleeps; GET_SIGNALS / PUT_SIGNALS count wake-ups sent to waiters not
// back under the mutex yet, so a side running ahead of a parked one pays one
// notify per park, not one per item. A waiter takes the mutex over from a
// thread that died holding it and repairs the store (`recover`).

import {
  deadlineOf,
  PARK_DEADLINE,
  PARK_OK,
  park,
  runAsync,
  runSync,
} from '../internal/blocking.js';
import type { Protocol, Woken } from '../internal/blocking.js';
import { QueueEmpty, QueueFull, QueueShutDown } from '../internal/queue-errors.js';
import { StateError } from '../internal/errors.js';
import type { QueueBackend, QueueState } from './backend.js';
import { decoded, joining, nap, prepare, SPIN, wake } from './backend.js';
import { Prepared } from './item-codec.js';
import { locking, lockSync, TAKEN_OVER, tryLock, unlock } from './owner-mutex.js';
import type { Store } from './store.js';
import {
  ALL_DONE,
  GET_SIGNALS,
  GET_WAITERS,
  MAXSIZE,
  MUTEX,
  NOT_EMPTY,
  NOT_FULL,
  PUT_SIGNALS,
  PUT_WAITERS,
  SHUTDOWN,
  SIZE,
  UNFINISHED,
} from './store.js';

const EMPTY: unique symbol = Symbol('empty');

/** A queue kept in a Store. */
export class StoreQueue implements QueueBackend {
  readonly kind: number;
  readonly #store: Store;
  readonly #c: Int32Array;
  readonly #prepared = new Prepared();

  constructor(kind: number, store: Store) {
    this.kind = kind;
    this.#store = store;
    this.#c = store.control;
  }

  state(): QueueState {
    return { store: this.#store.state() };
  }

  maxsize(): number {
    return Atomics.load(this.#c, MAXSIZE);
  }

  setMaxsize(value: number): void {
    this.#lock();
    Atomics.store(this.#c, MAXSIZE, value);
    this.#unlock();
    wake(this.#c, NOT_FULL, Infinity);
  }

  qsize(): number {
    return Atomics.load(this.#c, SIZE);
  }

  isShutdown(): boolean {
    return Atomics.load(this.#c, SHUTDOWN) !== 0;
  }

  // Blocking; a waiter takes the mutex over from a thread that died holding
  // it (after one sleep slice) and repairs the store.
  #lock(): void {
    if (lockSync(this.#c, MUTEX, Infinity) === TAKEN_OVER) this.#recovered();
  }

  // The mutex, for both forms of the protocols below.
  *#locked(): Protocol<void> {
    if (tryLock(this.#c, MUTEX)) return;
    if ((yield* locking(this.#c, MUTEX, Infinity)) === TAKEN_OVER) this.#recovered();
  }

  // Under the mutex just taken over: finish the dead owner's operation, then
  // wake every waiter (it may have died owing one a wake-up); they re-check.
  #recovered(): void {
    this.#store.recover();
    wake(this.#c, NOT_EMPTY, Infinity);
    wake(this.#c, NOT_FULL, Infinity);
    wake(this.#c, ALL_DONE, Infinity);
  }

  #unlock(): void {
    unlock(this.#c, MUTEX);
  }

  // Under the lock: whether to wake one more waiter after unlocking. Waiters
  // already woken but not yet back under the lock are not woken again.
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

  // Under the lock: room now (true), or throws, or false to wait.
  #canPut(timeout: number, woken: Woken): boolean {
    const c = this.#c;
    if (c[SHUTDOWN] === 1) throw new QueueShutDown();
    const max = c[MAXSIZE]!;
    if (max <= 0 || c[SIZE]! < max) return true;
    if (timeout === 0 || woken === PARK_DEADLINE) throw new QueueFull();
    return false;
  }

  #canGet(timeout: number, woken: Woken): boolean {
    const c = this.#c;
    if (c[SIZE]! > 0) return true;
    if (c[SHUTDOWN] === 1) throw new QueueShutDown();
    if (timeout === 0 || woken === PARK_DEADLINE) throw new QueueEmpty();
    return false;
  }

  // Under the mutex: until `ready` (which throws to give up) says go, count
  // this waiter in, unlock, park on the sequence word, re-lock and count out.
  *#await(
    ready: (woken: Woken) => boolean,
    seqWord: number,
    waiters: number,
    signals: number,
    deadline: number,
  ): Protocol<void> {
    const c = this.#c;
    let naps = 0;
    let woken: Woken = PARK_OK;
    while (!ready(woken)) {
      const seq = Atomics.load(c, seqWord);
      c[waiters]!++;
      this.#unlock();
      try {
        woken = yield park(c, seqWord, seq, deadline, nap(naps++));
      } finally {
        yield* this.#locked();
        this.#left(waiters, signals);
      }
    }
  }

  // Under the mutex, with room: store the item, unlock, wake a getter. The
  // item's buffers are let go if storing it fails.
  #pushUnlock(prepared: Prepared): void {
    let wakeGetter = false;
    try {
      this.#store.push(prepared);
      wakeGetter = this.#signal(GET_WAITERS, GET_SIGNALS);
    } catch (error) {
      prepared.abandon();
      throw error;
    } finally {
      this.#unlock();
    }
    if (wakeGetter) wake(this.#c, NOT_EMPTY, 1);
  }

  // The fast path of both forms: the mutex free and room for the item.
  #tryPut(prepared: Prepared): boolean {
    const c = this.#c;
    if (!tryLock(c, MUTEX)) return false;
    const max = c[MAXSIZE]!;
    if (c[SHUTDOWN] === 1 || (max > 0 && c[SIZE]! >= max)) {
      this.#unlock();
      return false;
    }
    this.#pushUnlock(prepared);
    return true;
  }

  // Both forms, once the fast path failed: wait for room under the mutex.
  *#putting(prepared: Prepared, timeout: number, deadline: number): Protocol<void> {
    const c = this.#c;
    const max = c[MAXSIZE]!;
    const size = Atomics.load(c, SIZE);
    if (timeout !== 0 && max > 0 && size >= max) yield park(c, SIZE, size, 0, 0, SPIN);
    yield* this.#locked();
    try {
      yield* this.#await(
        (woken) => this.#canPut(timeout, woken),
        NOT_FULL,
        PUT_WAITERS,
        PUT_SIGNALS,
        deadline,
      );
    } catch (error) {
      this.#unlock();
      prepared.abandon();
      throw error;
    }
    this.#pushUnlock(prepared);
  }

  putSync(item: unknown, timeout: number): void {
    const prepared = prepare(this.kind, item, this.#prepared);
    if (!this.#tryPut(prepared)) runSync(this.#putting(prepared, timeout, deadlineOf(timeout)));
  }

  put(item: unknown, timeout: number, signal: AbortSignal | undefined): Promise<void> | undefined {
    const prepared = prepare(this.kind, item, undefined);
    if (!prepared.isReady) return this.#putLater(prepared, timeout, signal);
    if (this.#tryPut(prepared)) return undefined;
    return runAsync(this.#putting(prepared, timeout, deadlineOf(timeout)), signal);
  }

  async #putLater(
    prepared: Prepared,
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const deadline = deadlineOf(timeout);
    await prepared.ready();
    if (!this.#tryPut(prepared)) await runAsync(this.#putting(prepared, timeout, deadline), signal);
  }

  // Under the mutex, with an item: take it, unlock, wake a putter.
  #popUnlock(): unknown {
    let value: unknown;
    let wakePutter = false;
    try {
      value = this.#store.pop();
      wakePutter = this.#signal(PUT_WAITERS, PUT_SIGNALS);
    } finally {
      this.#unlock();
    }
    if (wakePutter) wake(this.#c, NOT_FULL, 1);
    return value;
  }

  // The fast path of both forms: the mutex free and an item there.
  #tryGet(): unknown {
    const c = this.#c;
    if (!tryLock(c, MUTEX)) return EMPTY;
    if (c[SIZE]! > 0) return this.#popUnlock();
    this.#unlock();
    return EMPTY;
  }

  // Both forms, once the fast path failed: wait for an item under the mutex.
  *#getting(timeout: number, deadline: number): Protocol<unknown> {
    const c = this.#c;
    if (timeout !== 0 && Atomics.load(c, SIZE) === 0) yield park(c, SIZE, 0, 0, 0, SPIN);
    yield* this.#locked();
    try {
      yield* this.#await(
        (woken) => this.#canGet(timeout, woken),
        NOT_EMPTY,
        GET_WAITERS,
        GET_SIGNALS,
        deadline,
      );
    } catch (error) {
      this.#unlock();
      throw error;
    }
    return this.#popUnlock();
  }

  getSync(timeout: number): unknown {
    let value = this.#tryGet();
    if (value === EMPTY) value = runSync(this.#getting(timeout, deadlineOf(timeout)));
    return decoded(value, true);
  }

  get(timeout: number, signal: AbortSignal | undefined): unknown {
    const value = this.#tryGet();
    if (value !== EMPTY) return decoded(value, false);
    return runAsync(this.#getting(timeout, deadlineOf(timeout)), signal).then(decodedAsync);
  }

  taskDone(): void {
    const c = this.#c;
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
    if (done) wake(c, ALL_DONE, Infinity);
  }

  joining(deadline: number): Protocol<boolean> {
    return joining(this.#c, ALL_DONE, () => Atomics.load(this.#c, UNFINISHED), deadline);
  }

  shutdown(immediate: boolean): void {
    const c = this.#c;
    this.#lock();
    try {
      c[SHUTDOWN] = 1;
      if (immediate) this.#store.clear();
    } finally {
      this.#unlock();
    }
    wake(c, ALL_DONE, Infinity);
    wake(c, NOT_EMPTY, Infinity);
    wake(c, NOT_FULL, Infinity);
  }
}

function decodedAsync(value: unknown): unknown {
  return decoded(value, false);
}

/** `taskDone()` called once too often. */
export function tooManyTaskDone(): StateError {
  return new StateError(
    'ERR_TASK_DONE_TOO_MANY',
    'taskDone() called more times than there were items',
  );
}
