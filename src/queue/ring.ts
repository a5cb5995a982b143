// The storage of a bounded FIFO Queue: a lock-free ring of fixed-size cells
// (Vyukov's bounded MPMC queue) in shared memory. A producer claims a
// position with one CAS on ENQ and publishes the cell by storing its sequence
// word; a consumer claims with one CAS on DEQ and frees the cell the same
// way. Producers and consumers write disjoint cache lines (ENQ, DEQ, each
// cell in turn), so one producer and one consumer running at once never
// take turns on a shared lock, which is what bounds the mutex-based store.
//
// control (Int32, words grouped by who writes them, one 64-byte line each):
//   line 0  tag, capacity, wrap, maxsize, shutdown, waiter counts and the
//           sequence words waiters sleep on (written only by waiters,
//           shutdown and maxsize changes: read-mostly)
//   line 1  ENQ     next position to put (producers)
//   line 2  DEQ     next position to get (consumers)
//   line 3  UNFINISHED (put adds, taskDone subtracts)
//   line 4  the overflow heap: mutex, bump, free lists
// cells (Int32, CELL bytes each): [seq, tag, length, heap offset or -1,
//   payload (INLINE bytes)]. Cell i's sequence word stores `seq - i`, so a
//   fresh zeroed buffer is a valid empty ring and its pages stay untouched
//   until used. Positions count modulo WRAP, a multiple of the capacity
//   below 2^30, so the cell of position p is p % capacity across the wrap.
//   A cell is free for position p when its seq is p, holds the item of
//   position p when its seq is p + 1.
// heap (growable bytes, up to maxBytes): items too big for a cell, in
//   power-of-two blocks [class, next, data…] with one free list per class,
//   allocated and freed under the heap mutex (the only lock, taken only for
//   big items).

import { lockSync, unlock } from '../internal/futex.js';
import { adopted, allocate, attach, Tag } from '../internal/layout.js';
import { readPayload, writePayload, type Prepared } from './item-codec.js';
import { QueueMemoryError } from './store.js';

export const R_CAPACITY = 1;
const WRAP = 2;
export const R_MAXSIZE = 3;
export const R_SHUTDOWN = 4;
export const R_NOT_EMPTY = 5;
export const R_NOT_FULL = 6;
export const R_ALL_DONE = 7;
export const R_GET_WAITERS = 8;
export const R_PUT_WAITERS = 9;
export const R_KIND = 10;
const ENQ = 16;
const DEQ = 32;
export const R_UNFINISHED = 48;
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
      c[WRAP] = capacity * Math.floor(2 ** 30 / capacity);
      c[R_MAXSIZE] = maxsize;
      cells = new SharedArrayBuffer(capacity * CELL);
      this.#heapBuffer = new SharedArrayBuffer(0, { maxByteLength: maxBytes });
    }
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

  /** Moves a big item's payload into the heap (before any cell is claimed, so a full heap changes nothing). */
  stage(prepared: Prepared): Staged {
    if (prepared.length <= INLINE) return { prepared, block: -1 };
    const block = this.#alloc(prepared.length);
    writePayload(this.#heapU8, this.#heapU16, this.#heapF64, block + 8, prepared);
    return { prepared, block };
  }

  /** Returns a staged item's heap block when it was not put after all. */
  unstage(staged: Staged): void {
    if (staged.block >= 0) this.#free(staged.block);
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
      const d = this.#diff(Atomics.load(cells, at) + index, pos);
      if (d === 0) {
        // maxsize lowered below the capacity: count against it too.
        if (limit < cap && this.size() >= limit) return false;
        const next = pos + 1 === this.#wrap ? 0 : pos + 1;
        const seen = Atomics.compareExchange(c, ENQ, pos, next);
        if (seen === pos) {
          Atomics.add(c, R_UNFINISHED, 1);
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
        pos = seen;
      } else if (d < 0) return false;
      else pos = Atomics.load(c, ENQ);
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
      const next = pos + 1 === this.#wrap ? 0 : pos + 1;
      const d = this.#diff(Atomics.load(cells, at) + index, next);
      if (d === 0) {
        const seen = Atomics.compareExchange(c, DEQ, pos, next);
        if (seen === pos) {
          const value = this.#read(at);
          const free = pos + cap >= this.#wrap ? pos + cap - this.#wrap : pos + cap;
          Atomics.store(cells, at, free - index);
          return value;
        }
        pos = seen;
      } else if (d < 0) return EMPTY;
      else pos = Atomics.load(c, DEQ);
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
    this.#free(block);
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
  #alloc(length: number): number {
    const c = this.control;
    let cls = MIN_CLASS;
    while (1 << cls < length + 8) cls++;
    if (cls > 30) throw memoryError(this.#heapBuffer.maxByteLength);
    lockSync(c, HEAP_MUTEX, Infinity);
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

  #free(block: number): void {
    const c = this.control;
    if (block + 8 > this.#heapU8.length) this.#viewHeap();
    lockSync(c, HEAP_MUTEX, Infinity);
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
