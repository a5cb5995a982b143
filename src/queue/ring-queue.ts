// The queue backend over the lock-free ring (ring.ts): a FIFO queue made
// with 1 <= maxsize <= RING_MAX.
//
// Words (ring.ts's control array, whose layout ring.ts documents): no lock.
// A waiter announces itself in R_PUT_WAITERS / R_GET_WAITERS, then tries
// once more before it sleeps on the R_NOT_FULL / R_NOT_EMPTY sequence word;
// whoever makes progress for it (a get, a put) reads the word after its own
// change and, if a waiter has no wake-up on its way yet, counts one, bumps
// the sequence and wakes one. Sequentially consistent Atomics on both sides
// mean that either the waiter's last try sees the change or the changer sees
// the waiter. A waiter word packs waiters (low 32 bits) and wake-ups sent
// whose waiter is not back yet (high 32 bits), changed together by a 64-bit
// CAS, so a side running ahead of a parked one pays one notify per park, not
// one per item. Waiters sleep in naps (a party that died may owe them a
// wake-up), and each time they find nothing after a wake-up, and before a
// non-blocking form reports empty / full, they ask the ring to take back a
// cell held by a party known dead (Ring.repairGet / repairPut).
// R_SHUTDOWN is 1 after shutdown(), IMMEDIATE after shutdown({ immediate }).

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
import type { QueueBackend, QueueState } from './backend.js';
import { decoded, joining, nap, prepare, SPIN, wake } from './backend.js';
import { Pending, Prepared } from './item-codec.js';
import type { Ring } from './ring.js';
import {
  EMPTY,
  R_ALL_DONE,
  R_GET_WAITERS,
  R_MAXSIZE,
  R_NOT_EMPTY,
  R_NOT_FULL,
  R_PUT_WAITERS,
  R_SHUTDOWN,
  type Staged,
} from './ring.js';
import { outOfRangeError } from '../internal/errors.js';
import { FIFO } from './store.js';
import { tooManyTaskDone } from './store-queue.js';

const IMMEDIATE = 2;

/** A bounded FIFO queue kept in a Ring. */
export class RingQueue implements QueueBackend {
  readonly kind = FIFO;
  readonly #ring: Ring;
  readonly #c: Int32Array;
  readonly #prepared = new Prepared();

  constructor(ring: Ring) {
    this.#ring = ring;
    this.#c = ring.control;
  }

  state(): QueueState {
    return { ring: this.#ring.state() };
  }

  maxsize(): number {
    return Atomics.load(this.#c, R_MAXSIZE);
  }

  // Its cells were sized by the first maxsize: it can change within them.
  setMaxsize(value: number): void {
    const capacity = this.#ring.capacity;
    if (value < 1 || value > capacity) {
      throw outOfRangeError(
        `This Queue was made with maxsize ${capacity}, which sized its storage: its maxsize can change between 1 and ${capacity}, got ${value}`,
      );
    }
    Atomics.store(this.#c, R_MAXSIZE, value);
    wake(this.#c, R_NOT_FULL, Infinity);
  }

  qsize(): number {
    return this.#ring.size();
  }

  isShutdown(): boolean {
    return Atomics.load(this.#c, R_SHUTDOWN) !== 0;
  }

  putSync(item: unknown, timeout: number): void {
    if (Atomics.load(this.#c, R_SHUTDOWN) !== 0) throw new QueueShutDown();
    const staged = stage(this.#ring, prepare(this.kind, item, this.#prepared));
    try {
      if (!this.#ring.tryPut(staged)) runSync(this.#putting(staged, timeout, deadlineOf(timeout)));
    } catch (error) {
      this.#unstage(staged);
      throw error;
    }
    this.#afterPut();
  }

  put(item: unknown, timeout: number, signal: AbortSignal | undefined): Promise<void> | undefined {
    if (Atomics.load(this.#c, R_SHUTDOWN) !== 0) throw new QueueShutDown();
    const prepared = prepare(this.kind, item, undefined);
    if (!prepared.isReady) return this.#putLater(prepared, timeout, signal);
    const staged = stage(this.#ring, prepared);
    let put: boolean;
    try {
      put = this.#ring.tryPut(staged);
    } catch (error) {
      this.#unstage(staged);
      throw error;
    }
    if (!put) return this.#putWaiting(staged, deadlineOf(timeout), timeout, signal);
    this.#afterPut();
    return undefined;
  }

  async #putLater(
    prepared: Prepared,
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const deadline = deadlineOf(timeout);
    await prepared.ready();
    await this.#putWaiting(stage(this.#ring, prepared), deadline, timeout, signal);
  }

  async #putWaiting(
    staged: Staged,
    deadline: number,
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    try {
      await runAsync(this.#putting(staged, timeout, deadline), signal);
    } catch (error) {
      this.#unstage(staged);
      throw error;
    }
    this.#afterPut();
  }

  // A staged item not put: its cell and buffers are let go.
  #unstage(staged: Staged): void {
    this.#ring.unstage(staged);
    staged.prepared.abandon();
  }

  // Both forms, once the first try failed: spin, then announce and park.
  *#putting(staged: Staged, timeout: number, deadline: number): Protocol<void> {
    const ring = this.#ring;
    const c = this.#c;
    if (timeout !== 0) for (let i = 0; i < SPIN; i++) if (ring.tryPut(staged)) return;
    let naps = 0;
    let woken: Woken = PARK_OK;
    for (;;) {
      // Never put once shut down (an immediate shutdown may have drained).
      if (Atomics.load(c, R_SHUTDOWN) !== 0) throw new QueueShutDown();
      if (ring.tryPut(staged)) return;
      if (ring.repairPut()) continue;
      if (timeout === 0 || woken === PARK_DEADLINE) throw new QueueFull();
      const seq = Atomics.load(c, R_NOT_FULL);
      ring.announce(R_PUT_WAITERS);
      try {
        if (ring.tryPut(staged)) return;
        if (Atomics.load(c, R_SHUTDOWN) === 0) {
          woken = yield park(c, R_NOT_FULL, seq, deadline, nap(naps++));
        }
      } finally {
        ring.leave(R_PUT_WAITERS);
      }
    }
  }

  // After a put: a put that raced an immediate shutdown must not leave its
  // item behind (the shutdown's drain may have run before it landed), so it
  // drains too and reports the shutdown; otherwise wake a waiting getter.
  #afterPut(): void {
    const ring = this.#ring;
    if (Atomics.load(this.#c, R_SHUTDOWN) === IMMEDIATE) {
      this.#drop();
      throw new QueueShutDown();
    }
    if (ring.hasWaiters(R_GET_WAITERS) && ring.claimWake(R_GET_WAITERS)) {
      wake(this.#c, R_NOT_EMPTY, 1);
    }
  }

  // Drops every item left (shutdown immediate): they count as done for join,
  // and so do positions whose producer died before publishing.
  #drop(): void {
    const ring = this.#ring;
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
    wake(this.#c, R_ALL_DONE, Infinity);
  }

  // Both forms, once the first try found nothing: spin, then announce and park.
  *#getting(timeout: number, deadline: number): Protocol<unknown> {
    const ring = this.#ring;
    const c = this.#c;
    if (timeout !== 0) {
      for (let i = 0; i < SPIN; i++) {
        const value = ring.tryGet();
        if (value !== EMPTY) return value;
      }
    }
    let naps = 0;
    let woken: Woken = PARK_OK;
    for (;;) {
      if (Atomics.load(c, R_SHUTDOWN) !== 0) throw new QueueShutDown();
      // The next item's producer died before publishing it: skip the cell.
      if (ring.repairGet()) {
        const value = ring.tryGet();
        if (value !== EMPTY) return value;
        continue;
      }
      if (timeout === 0 || woken === PARK_DEADLINE) throw new QueueEmpty();
      const seq = Atomics.load(c, R_NOT_EMPTY);
      ring.announce(R_GET_WAITERS);
      let value: unknown;
      try {
        value = ring.tryGet();
        if (value === EMPTY && Atomics.load(c, R_SHUTDOWN) === 0) {
          woken = yield park(c, R_NOT_EMPTY, seq, deadline, nap(naps++));
        }
      } finally {
        ring.leave(R_GET_WAITERS);
      }
      if (value === EMPTY) value = ring.tryGet();
      if (value !== EMPTY) return value;
    }
  }

  getSync(timeout: number): unknown {
    let value = this.#ring.tryGet();
    if (value === EMPTY) value = runSync(this.#getting(timeout, deadlineOf(timeout)));
    return this.#afterGet(value, true);
  }

  get(timeout: number, signal: AbortSignal | undefined): unknown {
    const value = this.#ring.tryGet();
    if (value !== EMPTY) return this.#afterGet(value, false);
    return runAsync(this.#getting(timeout, deadlineOf(timeout)), signal).then((v) =>
      this.#afterGet(v, false),
    );
  }

  // After a get: wake a putter waiting for room, then decode what needs it.
  #afterGet(value: unknown, sync: boolean): unknown {
    const ring = this.#ring;
    if (ring.hasWaiters(R_PUT_WAITERS) && ring.claimWake(R_PUT_WAITERS)) {
      wake(this.#c, R_NOT_FULL, 1);
    }
    return decoded(value, sync);
  }

  taskDone(): void {
    const before = this.#ring.taskDone();
    if (before === 0) throw tooManyTaskDone();
    if (before === 1) wake(this.#c, R_ALL_DONE, Infinity);
  }

  joining(deadline: number): Protocol<boolean> {
    return joining(this.#c, R_ALL_DONE, () => this.#ring.unfinished(), deadline);
  }

  shutdown(immediate: boolean): void {
    const c = this.#c;
    if (immediate) {
      Atomics.store(c, R_SHUTDOWN, IMMEDIATE);
      this.#drop();
    } else Atomics.compareExchange(c, R_SHUTDOWN, 0, 1);
    wake(c, R_ALL_DONE, Infinity);
    wake(c, R_NOT_EMPTY, Infinity);
    wake(c, R_NOT_FULL, Infinity);
  }
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
