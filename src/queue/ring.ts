// The storage of a bounded FIFO Queue: a lock-free ring of fixed-size cells
// in shared memory, after Vyukov's bounded MPMC queue, made to survive a
// party that dies at any instruction. A producer claims a cell by CAS on the
// cell's own sequence word, from "free for position p" to a marker naming
// itself (producer, lap parity, thread id), then advances ENQ by CAS (any
// producer that finds the marker helps advance it), writes the item and
// publishes by storing "full for p". A consumer claims the same way (from
// "full for p" to a consumer marker), advances DEQ, reads, and frees the cell
// for p + capacity. So no position is ever claimed without its claimant's
// name in the cell, and a cell stuck under a marker whose thread is known
// dead (thread registry) can be taken back:
//   - a dead producer's cell (item never published) is claimed by a
//     consumer, which frees it without reading it and counts it done;
//   - a dead consumer's cell (item taken, never freed) is freed by a producer
//     that finds the ring full at it.
// Waiters do this after a slice of sleeping without progress, and the
// non-blocking forms before they report empty / full. A death costs at most
// the dead party's own item (and a heap block, for a big one), never a
// duplicate: a live claimant's cell is never taken.
// Producers and consumers write disjoint cache lines (ENQ, DEQ, each cell in
// turn), so one producer and one consumer running at once never take turns
// on a shared lock, which is what bounds the mutex-based store.
//
// control (Int32, words grouped by who writes them, one 64-byte line each):
//   line 0  tag, capacity, wrap, maxsize, shutdown, the sequence words
//           waiters sleep on, kind, and two 64-bit waiter words (GET, PUT):
//           waiters in the low half, wake-ups sent and not yet taken back in
//           the high half, changed together by a BigInt CAS
//   line 1  ENQ     next position to put (producers)
//   line 2  DEQ     next position to get (consumers)
//   line 3  DONE    positions finished: taskDone, dropped, or skipped after a
//           death; unfinished = ENQ - DONE (modulo WRAP)
//   line 4  the overflow heap: mutex, bump, free lists
// cells (Int32, CELL bytes each): [seq, tag, length, heap offset or -1,
//   payload (INLINE bytes)]. Cell i's sequence word stores `seq - i`, so a
//   fresh zeroed buffer is a valid empty ring and its pages stay untouched
//   until used, or a marker (below -2^30): MARK | consumer bit | lap parity
//   | thread id + 1. Positions count modulo WRAP, an even number of laps of
//   the capacity below 2^30, so the cell of position p is p % capacity and
//   its lap parity is floor(p / capacity) & 1 across the wrap.
// heap (growable bytes, up to maxBytes): items too big for a cell, in
//   power-of-two blocks [class, next, data…] with one free list per class,
//   allocated and freed under the heap mutex (an owner mutex: taken over
//   from a dead holder; every change to the lists is one store, so a death
//   leaks at most one block).

import { threadId } from 'node:worker_threads';
import { lockSync, unlock } from './owner-mutex.js';
import { adopted, allocate, attach, Tag } from '../internal/layout.js';
import { isKnownDead } from '../threading/registry.js';
import { readPayload, writePayload, type Prepared } from './item-codec.js';
import { QueueMemoryError } from './store.js';

export const R_CAPACITY = 1;
const WRAP = 2;
export const R_MAXSIZE = 3;
export const R_SHUTDOWN = 4;
export const R_NOT_EMPTY = 5;
export const R_NOT_FULL = 6;
export const R_ALL_DONE = 7;
export const R_KIND = 10;
/** 64-bit waiter words (two Int32 words each, 8-byte aligned). */
export const R_GET_WAITERS = 12;
export const R_PUT_WAITERS = 14;
const ENQ = 16;
const DEQ = 32;
const DONE = 48;
const HEAP_MUTEX = 64;
const HEAP_BUMP = 65;
const HEAP_FREE = 66; // + size class (0..31): first free block + 1, or 0
const WORDS = 100;

const CELL = 128;
const CELL_WORDS = CELL / 4;
const HEADER = 16;
/** Payload bytes that fit in a cell. */
const INLINE = CELL - HEADER;
const HEAP_OFFSET = 3;
/** Smallest heap block (log2 bytes). */
const MIN_CLASS = 6;
// Heap mutex holders hold it for a few instructions: check for a dead one often.
const HEAP_SLICE = 5;

// Cell markers: below -2^30, which no `seq - index` reaches.
const MARK = -0x8000_0000;
const CONSUMER = 1 << 29;
const LAP = 1 << 28;
const ID_MASK = LAP - 1;
const ANONYMOUS = ID_MASK; // a thread id too large to record: never reported dead
const MY_ID = threadId + 1 < ANONYMOUS ? threadId + 1 : ANONYMOUS;
const isMark = (s: number): boolean => s < -0x4000_0000;
const markThread = (s: number): number => {
  const id = s & ID_MASK;
  return id === ANONYMOUS ? -1 : id - 1;
};

// Which Int32 half of a 64-bit word holds its low 32 bits on this platform.
const LOW_HALF = new Int32Array(new BigInt64Array([1n]).buffer)[0] === 1 ? 0 : 1;
const ONE_SIGNAL = 1n << 32n;
const LOW_MASK = 0xffff_ffffn;

/** Largest `maxsize` given a ring (bigger bounded queues use the mutex store). */
export const RING_MAX = 16_384;

/** What `tryGet` returns when the ring is empty. */
export const EMPTY: unique symbol = Symbol('empty');

export interface RingState {
  readonly control: SharedArrayBuffer;
  readonly cells: SharedArrayBuffer;
  readonly heap: SharedArrayBuffer;
}

/** An item ready to be put: small ones are written into the cell, big ones are already in the heap. */
export interface Staged {
  prepared: Prepared;
  /** Heap block holding the payload, or -1. */
  block: number;
}

export class Ring {
  readonly control: Int32Array;
  readonly #waiters: BigInt64Array;
  readonly #cells: Int32Array;
  readonly #cellF64: Float64Array;
  readonly #cellU16: Uint16Array;
  readonly #cellU8: Uint8Array;
  readonly #heapBuffer: SharedArrayBuffer;
  #heapU8!: Uint8Array;
  #heapU16!: Uint16Array;
  #heapF64!: Float64Array;
  #heapI32!: Int32Array;
  readonly #capacity: number;
  readonly #wrap: number;

  constructor(kind: number, maxsize: number, maxBytes: number, state?: RingState) {
    let cells: SharedArrayBuffer;
    if (state !== undefined) {
      this.control = attach(state.control, Tag.QueueRing, WORDS, 'queue');
      cells = state.cells;
      this.#heapBuffer = state.heap;
    } else {
      this.control = adopted() ?? allocate(Tag.QueueRing, WORDS);
      const c = this.control;
      // Two cells at least: with one, "full" and "free for the next lap"
      // would read the same; maxsize 1 is then enforced by counting.
      const capacity = Math.max(2, maxsize);
      c[R_KIND] = kind;
      c[R_CAPACITY] = capacity;
      // An even number of laps, so lap parity survives the wrap.
      c[WRAP] = capacity * (Math.floor(2 ** 30 / capacity) & ~1);
      c[R_MAXSIZE] = maxsize;
      cells = new SharedArrayBuffer(capacity * CELL);
      this.#heapBuffer = new SharedArrayBuffer(0, { maxByteLength: maxBytes });
    }
    this.#waiters = new BigInt64Array(this.control.buffer, 0, WORDS >> 1);
    this.#capacity = this.control[R_CAPACITY]!;
    this.#wrap = this.control[WRAP]!;
    this.#cells = new Int32Array(cells);
    this.#cellF64 = new Float64Array(cells);
    this.#cellU16 = new Uint16Array(cells);
    this.#cellU8 = new Uint8Array(cells);
    this.#viewHeap();
  }

  state(): RingState {
    return {
      control: this.control.buffer as SharedArrayBuffer,
      cells: this.#cells.buffer as SharedArrayBuffer,
      heap: this.#heapBuffer,
    };
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Items in the ring now (claimed by a producer and not yet by a consumer). */
  size(): number {
    const d = this.#diff(Atomics.load(this.control, ENQ), Atomics.load(this.control, DEQ));
    return d < 0 ? 0 : d > this.#capacity ? this.#capacity : d;
  }

  // a - b for positions modulo WRAP, in (-WRAP/2, WRAP/2].
  #diff(a: number, b: number): number {
    let d = a - b;
    const half = this.#wrap >> 1;
    if (d > half) d -= this.#wrap;
    else if (d <= -half) d += this.#wrap;
    return d;
  }

  #next(pos: number): number {
    return pos + 1 === this.#wrap ? 0 : pos + 1;
  }

  #mark(consumer: boolean, pos: number): number {
    return MARK | (consumer ? CONSUMER : 0) | (((pos / this.#capacity) & 1) * LAP) | MY_ID;
  }

  // Whether marker `s` is for position `pos`'s lap (else for the lap before or after).
  #sameLap(s: number, pos: number): boolean {
    return ((s & LAP) !== 0) === (((pos / this.#capacity) & 1) === 1);
  }

  /** Moves a big item's payload into the heap (before any cell is claimed, so a full heap changes nothing). */
  stage(prepared: Prepared): Staged {
    if (prepared.length <= INLINE) return { prepared, block: -1 };
    const block = this.#alloc(prepared.length);
    writePayload(this.#heapU8, this.#heapU16, this.#heapF64, block + 8, prepared);
    return { prepared, block };
  }

  /** Returns a staged item's heap block when it was not put after all. */
  unstage(staged: Staged): void {
    if (staged.block >= 0) this.#freeBlock(staged.block);
    staged.block = -1;
  }

  /** Puts a staged item if there is room now. */
  tryPut(staged: Staged): boolean {
    const c = this.control;
    const cells = this.#cells;
    const cap = this.#capacity;
    const limit = Atomics.load(c, R_MAXSIZE);
    let pos = Atomics.load(c, ENQ);
    for (;;) {
      const index = pos % cap;
      const at = index * CELL_WORDS;
      const s = Atomics.load(cells, at);
      const next = this.#next(pos);
      if (isMark(s)) {
        // Claimed for this lap (by a producer, or already by a consumer):
        // ENQ lags behind; help it on. Else the lap before is still in use.
        if (this.#sameLap(s, pos)) Atomics.compareExchange(c, ENQ, pos, next);
        else if (Atomics.load(c, ENQ) === pos) return false;
        pos = Atomics.load(c, ENQ);
        continue;
      }
      const d = this.#diff(s + index, pos);
      if (d === 0) {
        // maxsize lowered below the capacity: count against it too.
        if (limit < cap && this.size() >= limit) return false;
        if (Atomics.compareExchange(cells, at, s, this.#mark(false, pos)) !== s) continue;
        Atomics.compareExchange(c, ENQ, pos, next);
        const p = staged.prepared;
        cells[at + 1] = p.tag;
        cells[at + 2] = p.length;
        cells[at + HEAP_OFFSET] = staged.block;
        if (staged.block < 0) {
          writePayload(this.#cellU8, this.#cellU16, this.#cellF64, at * 4 + HEADER, p);
        }
        staged.block = -1;
        Atomics.store(cells, at, next - index);
        return true;
      }
      if (d < 0) {
        if (Atomics.load(c, ENQ) === pos) return false;
      } else Atomics.compareExchange(c, ENQ, pos, next);
      pos = Atomics.load(c, ENQ);
    }
  }

  /** Takes the next item if there is one now; EMPTY otherwise. */
  tryGet(): unknown {
    const c = this.control;
    const cells = this.#cells;
    const cap = this.#capacity;
    let pos = Atomics.load(c, DEQ);
    for (;;) {
      const index = pos % cap;
      const at = index * CELL_WORDS;
      const s = Atomics.load(cells, at);
      const next = this.#next(pos);
      if (isMark(s)) {
        // A consumer's marker of this lap: DEQ lags, help it on. A producer's
        // of this lap: its item is not published yet. Of another lap: the
        // cell is still being freed (lap before) or DEQ lags a lap.
        const same = this.#sameLap(s, pos);
        if (same && (s & CONSUMER) !== 0) Atomics.compareExchange(c, DEQ, pos, next);
        else if (Atomics.load(c, DEQ) === pos) return EMPTY;
        pos = Atomics.load(c, DEQ);
        continue;
      }
      const d = this.#diff(s + index, next);
      if (d === 0) {
        if (Atomics.compareExchange(cells, at, s, this.#mark(true, pos)) !== s) continue;
        Atomics.compareExchange(c, DEQ, pos, next);
        const value = this.#read(at);
        this.#free(at, pos);
        return value;
      }
      if (d < 0) {
        if (Atomics.load(c, DEQ) === pos) return EMPTY;
      } else Atomics.compareExchange(c, DEQ, pos, next);
      pos = Atomics.load(c, DEQ);
    }
  }

  // Frees the cell at `at` (claimed by this consumer for `pos`) for the next lap.
  #free(at: number, pos: number): void {
    const cap = this.#capacity;
    const free = pos + cap >= this.#wrap ? pos + cap - this.#wrap : pos + cap;
    Atomics.store(this.#cells, at, free - (pos % cap));
  }

  /**
   * A getter found nothing for a while: if the item at DEQ was claimed by a
   * producer now known dead, claim it as a consumer, free it unread, count it
   * done. Returns whether it did.
   */
  repairGet(): boolean {
    const c = this.control;
    const cells = this.#cells;
    const pos = Atomics.load(c, DEQ);
    const at = (pos % this.#capacity) * CELL_WORDS;
    const s = Atomics.load(cells, at);
    if (!isMark(s) || (s & CONSUMER) !== 0 || !this.#sameLap(s, pos)) return false;
    const owner = markThread(s);
    if (owner < 0 || owner === threadId || !isKnownDead(owner)) return false;
    if (Atomics.compareExchange(cells, at, s, this.#mark(true, pos)) !== s) return false;
    // The dead producer may have died before advancing ENQ: ENQ must pass this
    // position before it counts as done (unfinished = ENQ - DONE).
    const next = this.#next(pos);
    Atomics.compareExchange(c, ENQ, pos, next);
    Atomics.compareExchange(c, DEQ, pos, next);
    this.#free(at, pos);
    this.addDone(1);
    return true;
  }

  /**
   * A putter found the ring full for a while: if the cell at ENQ is held by a
   * consumer of the lap before that is now known dead (its item was taken),
   * free it. Returns whether it did.
   */
  repairPut(): boolean {
    const c = this.control;
    const cells = this.#cells;
    const cap = this.#capacity;
    const pos = Atomics.load(c, ENQ);
    const index = pos % cap;
    const at = index * CELL_WORDS;
    const s = Atomics.load(cells, at);
    if (!isMark(s) || (s & CONSUMER) === 0 || this.#sameLap(s, pos)) return false;
    const owner = markThread(s);
    if (owner < 0 || owner === threadId || !isKnownDead(owner)) return false;
    // Its DEQ advance may be missing too: consumers help it on when they see the marker, not after.
    const prev = pos - cap < 0 ? pos - cap + this.#wrap : pos - cap;
    Atomics.compareExchange(c, DEQ, prev, this.#next(prev));
    return Atomics.compareExchange(cells, at, s, pos - index) === s;
  }

  /**
   * @internal For tests: claims the next position as `tryPut` (or `tryGet`)
   * does, then stops, as a party terminated right after its claim would.
   */
  claimAndStop(consumer: boolean): boolean {
    const c = this.control;
    const word = consumer ? DEQ : ENQ;
    const pos = Atomics.load(c, word);
    const index = pos % this.#capacity;
    const at = index * CELL_WORDS;
    const expected = consumer ? this.#next(pos) - index : pos - index;
    if (
      Atomics.compareExchange(this.#cells, at, expected, this.#mark(consumer, pos)) !== expected
    ) {
      return false;
    }
    Atomics.compareExchange(c, word, pos, this.#next(pos));
    return true;
  }

  /** Items put and not yet marked done (taskDone), modulo the wrap. */
  unfinished(): number {
    return this.#diff(Atomics.load(this.control, ENQ), Atomics.load(this.control, DONE));
  }

  /** One taskDone: returns the unfinished count before it, or 0 when there was none. */
  taskDone(): number {
    const c = this.control;
    for (;;) {
      const done = Atomics.load(c, DONE);
      const unfinished = this.#diff(Atomics.load(c, ENQ), done);
      if (unfinished <= 0) return 0;
      if (Atomics.compareExchange(c, DONE, done, this.#next(done)) === done) return unfinished;
    }
  }

  /** Counts `n` positions done (dropped or skipped); returns the unfinished count left. */
  addDone(n: number): number {
    const c = this.control;
    for (;;) {
      const done = Atomics.load(c, DONE);
      const unfinished = this.#diff(Atomics.load(c, ENQ), done);
      const step = Math.min(n, Math.max(0, unfinished));
      const next = (done + step) % this.#wrap;
      if (Atomics.compareExchange(c, DONE, done, next) === done) return unfinished - step;
    }
  }

  /** A waiter announces itself on a 64-bit waiter word. */
  announce(word: number): void {
    Atomics.add(this.#waiters, word >> 1, 1n);
  }

  /** Whether any waiter is announced on `word` (one Int32 load). */
  hasWaiters(word: number): boolean {
    return Atomics.load(this.control, word + LOW_HALF) !== 0;
  }

  // A waiter is back (woken, timed out, aborted, or it found what it wanted):
  // one waiter fewer, and one outstanding wake-up taken back if there is one.
  leave(word: number): void {
    const w = this.#waiters;
    const i = word >> 1;
    for (;;) {
      const v = Atomics.load(w, i);
      const next = v - 1n - (v >> 32n > 0n ? ONE_SIGNAL : 0n);
      if (Atomics.compareExchange(w, i, v, next) === v) return;
    }
  }

  // Whether to wake one waiter: true (and counted) when some waiter has no
  // wake-up on its way yet.
  claimWake(word: number): boolean {
    const w = this.#waiters;
    const i = word >> 1;
    for (;;) {
      const v = Atomics.load(w, i);
      if ((v & LOW_MASK) <= v >> 32n) return false;
      if (Atomics.compareExchange(w, i, v, v + ONE_SIGNAL) === v) return true;
    }
  }

  // Reads the item of the claimed cell at `at` (freed right after by the caller).
  #read(at: number): unknown {
    const cells = this.#cells;
    const tag = cells[at + 1]!;
    const length = cells[at + 2]!;
    const block = cells[at + HEAP_OFFSET]!;
    if (block < 0) {
      return readPayload(this.#cellU8, this.#cellU16, this.#cellF64, at * 4 + HEADER, tag, length);
    }
    if (block + 8 + length > this.#heapU8.length) this.#viewHeap();
    const value = readPayload(this.#heapU8, this.#heapU16, this.#heapF64, block + 8, tag, length);
    this.#freeBlock(block);
    return value;
  }

  #viewHeap(): void {
    const bytes = this.#heapBuffer.byteLength;
    this.#heapU8 = new Uint8Array(this.#heapBuffer, 0, bytes);
    this.#heapU16 = new Uint16Array(this.#heapBuffer, 0, bytes >> 1);
    this.#heapF64 = new Float64Array(this.#heapBuffer, 0, bytes >> 3);
    this.#heapI32 = new Int32Array(this.#heapBuffer, 0, bytes >> 2);
  }

  // A heap block for `length` payload bytes: its offset (header included).
  // Every change to the free lists and the bump is one store, so a holder
  // that dies here leaks at most the block it was taking.
  #alloc(length: number): number {
    const c = this.control;
    let cls = MIN_CLASS;
    while (1 << cls < length + 8) cls++;
    if (cls > 30) throw memoryError(this.#heapBuffer.maxByteLength);
    lockSync(c, HEAP_MUTEX, Infinity, HEAP_SLICE);
    try {
      const head = c[HEAP_FREE + cls]!;
      let block: number;
      if (head !== 0) {
        block = head - 1;
        if (block + 8 > this.#heapU8.length) this.#viewHeap();
        c[HEAP_FREE + cls] = this.#heapI32[(block >> 2) + 1]!;
      } else {
        block = c[HEAP_BUMP]!;
        const end = block + (1 << cls);
        if (end > this.#heapBuffer.byteLength) {
          const max = this.#heapBuffer.maxByteLength;
          if (end > max) throw memoryError(max);
          this.#heapBuffer.grow(
            Math.min(max, Math.max(end, this.#heapBuffer.byteLength * 2, 65_536)),
          );
        }
        c[HEAP_BUMP] = end;
      }
      if (block + (1 << cls) > this.#heapU8.length) this.#viewHeap();
      this.#heapI32[block >> 2] = cls;
      return block;
    } finally {
      unlock(c, HEAP_MUTEX);
    }
  }

  #freeBlock(block: number): void {
    const c = this.control;
    if (block + 8 > this.#heapU8.length) this.#viewHeap();
    lockSync(c, HEAP_MUTEX, Infinity, HEAP_SLICE);
    const cls = this.#heapI32[block >> 2]!;
    this.#heapI32[(block >> 2) + 1] = c[HEAP_FREE + cls]!;
    c[HEAP_FREE + cls] = block + 1;
    unlock(c, HEAP_MUTEX);
  }
}

function memoryError(max: number): QueueMemoryError {
  return new QueueMemoryError(
    'ERR_QUEUE_MEMORY',
    `The queue's storage would exceed its ceiling of ${max} bytes (option \`maxBytes\`); the item was not put`,
  );
}
