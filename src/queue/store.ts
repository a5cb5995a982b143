// The shared storage of a cross-thread queue: control words, an index of
// entries, and an arena of records, all in SharedArrayBuffers. Every method
// here runs with the queue's mutex held (queue.ts takes it); nothing waits.
//
// control (Int32): see the word constants below.
// index (growable Int32): ENTRY words per entry [offset, keyLength, itemLength, seq];
//   FIFO: a ring of `SIZE` entries starting at HEAD; LIFO: a stack; priority: a binary heap.
// arena (growable bytes): records at 8-aligned offsets:
//   [tag u8, keyTag u8, pad…] (8 bytes) · key (padded to 8) · payload.
//   Allocation bumps BUMP; LIVE counts live bytes. An empty queue resets both;
//   when BUMP hits the end, live records are compacted to the front, and the
//   arena grows (doubling, up to `maxBytes`) only when they would not fit.

import { StateError } from '../internal/errors.js';
import { readString } from './utf16.js';
import { adopted, allocate, attach, Tag } from '../internal/layout.js';
import { discard, readPayload, T_BYTES, writePayload, type Prepared } from './item-codec.js';

export const MUTEX = 1;
export const KIND = 2;
export const MAXSIZE = 3;
export const SIZE = 4;
export const UNFINISHED = 5;
export const SHUTDOWN = 6;
const HEAD = 7;
const BUMP = 8;
const LIVE = 9;
export const NOT_EMPTY = 10;
export const NOT_FULL = 11;
export const ALL_DONE = 12;
export const GET_WAITERS = 13;
export const PUT_WAITERS = 14;
const SEQ = 15;
const KEY_KIND = 16;
// Current sizes of the growable buffers: views are fixed-length (a view that
// tracks a growable buffer's length is ~20x slower to index in Node 20), and
// are rebuilt when another thread grew a buffer.
const ARENA_BYTES = 17;
const INDEX_BYTES = 18;
// Wake-ups sent to getters / putters that have not yet come back under the
// mutex: a waiter is not signalled twice (see Queue#signal).
export const GET_SIGNALS = 19;
export const PUT_SIGNALS = 20;
const WORDS = 21;

export const FIFO = 0;
export const LIFO = 1;
export const PRIORITY = 2;

const ENTRY = 4;
import { K_BIGINT, K_NUMBER } from './item-codec.js';
const KEY_NAMES = ['', 'number', 'bigint', 'string'];

const INITIAL_ARENA = 64 * 1024;
const INITIAL_ENTRIES = 64;
/** Default ceiling of a queue's item storage, in bytes. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** Storage past `maxBytes` was needed; the item was not put. */
export class QueueMemoryError extends StateError {}

/** What crosses threads for one queue. */
export interface StoreState {
  readonly control: SharedArrayBuffer;
  readonly index: SharedArrayBuffer;
  readonly arena: SharedArrayBuffer;
}

const pad8 = (n: number): number => (n + 7) & ~7;

export class Store {
  readonly control: Int32Array;
  readonly #indexBuffer: SharedArrayBuffer;
  readonly #arenaBuffer: SharedArrayBuffer;
  #index!: Int32Array;
  #u8!: Uint8Array;
  #u16!: Uint16Array;
  #f64!: Float64Array;

  constructor(kind: number, maxsize: number, maxBytes: number, state?: StoreState) {
    if (state !== undefined) {
      this.control = attach(state.control, Tag.Queue, WORDS, 'queue');
      this.#indexBuffer = state.index;
      this.#arenaBuffer = state.arena;
    } else {
      this.control = adopted() ?? allocate(Tag.Queue, WORDS);
      this.control[KIND] = kind;
      this.control[MAXSIZE] = maxsize;
      const entries = maxsize > 0 && maxsize <= 4096 ? maxsize : INITIAL_ENTRIES;
      const maxEntries = Math.max(entries, Math.floor(maxBytes / 8));
      this.#indexBuffer = new SharedArrayBuffer(entries * ENTRY * 4, {
        maxByteLength: maxEntries * ENTRY * 4,
      });
      this.#arenaBuffer = new SharedArrayBuffer(Math.min(INITIAL_ARENA, maxBytes), {
        maxByteLength: maxBytes,
      });
    }
    if (state === undefined) {
      this.control[ARENA_BYTES] = this.#arenaBuffer.byteLength;
      this.control[INDEX_BYTES] = this.#indexBuffer.byteLength;
    }
    this.#viewArena(Atomics.load(this.control, ARENA_BYTES));
    this.#viewIndex(Atomics.load(this.control, INDEX_BYTES));
  }

  #viewArena(bytes: number): void {
    this.#u8 = new Uint8Array(this.#arenaBuffer, 0, bytes);
    this.#u16 = new Uint16Array(this.#arenaBuffer, 0, bytes >> 1);
    this.#f64 = new Float64Array(this.#arenaBuffer, 0, bytes >> 3);
  }

  #viewIndex(bytes: number): void {
    this.#index = new Int32Array(this.#indexBuffer, 0, bytes >> 2);
  }

  // Under the lock, before touching the buffers: catch up with growth done elsewhere.
  #sync(): void {
    const c = this.control;
    if (c[ARENA_BYTES] !== this.#u8.length) this.#viewArena(c[ARENA_BYTES]!);
    if (c[INDEX_BYTES] !== this.#index.length << 2) this.#viewIndex(c[INDEX_BYTES]!);
  }

  state(): StoreState {
    return {
      control: this.control.buffer as SharedArrayBuffer,
      index: this.#indexBuffer,
      arena: this.#arenaBuffer,
    };
  }

  get kind(): number {
    return this.control[KIND]!;
  }

  /** Appends one prepared item (and the prepared key, for priority queues). */
  push(item: Prepared): void {
    this.#sync();
    const c = this.control;
    const kind = c[KIND]!;
    let keyLength = 0;
    if (kind === PRIORITY) {
      const established = c[KEY_KIND]!;
      if (established !== 0 && established !== item.keyKind) {
        throw new TypeError(
          `This PriorityQueue holds ${KEY_NAMES[established]} priorities; cannot compare a ${KEY_NAMES[item.keyKind]} with them`,
        );
      }
      keyLength = item.keyKind === K_NUMBER ? 8 : String(item.key).length * 2;
    }
    const size = c[SIZE]!;
    if ((size + 1) * ENTRY > this.#index.length) this.#growIndex();
    const recordSize = 8 + pad8(keyLength) + pad8(item.length);
    const offset = this.#allocate(recordSize);
    // Nothing below can fail: the queue changes only from here on.
    const u8 = this.#u8;
    u8[offset] = item.tag;
    u8[offset + 1] = kind === PRIORITY ? item.keyKind : 0;
    if (kind === PRIORITY) {
      c[KEY_KIND] = item.keyKind;
      if (item.keyKind === K_NUMBER) this.#f64[(offset + 8) >> 3] = item.key as number;
      else this.#writeString(offset + 8, String(item.key));
    }
    const payload = offset + 8 + pad8(keyLength);
    writePayload(u8, this.#u16, this.#f64, payload, item);
    c[LIVE]! += recordSize;
    const seq = (c[SEQ]! + 1) | 0;
    c[SEQ] = seq;
    let at: number;
    if (kind === FIFO) at = ((c[HEAD]! + size) % (this.#index.length / ENTRY)) * ENTRY;
    else at = size * ENTRY;
    const index = this.#index;
    index[at] = offset;
    index[at + 1] = keyLength;
    index[at + 2] = item.length;
    index[at + 3] = seq;
    c[SIZE] = size + 1;
    if (kind === PRIORITY) this.#siftUp(size);
  }

  /** Removes the next item and returns it (a BYTES item is deserialized by the caller via `finish`). */
  pop(): unknown {
    this.#sync();
    const c = this.control;
    const kind = c[KIND]!;
    const size = c[SIZE]! - 1;
    const index = this.#index;
    let at: number;
    if (kind === FIFO) {
      at = c[HEAD]! * ENTRY;
      c[HEAD] = (c[HEAD]! + 1) % (index.length / ENTRY);
    } else if (kind === LIFO) at = size * ENTRY;
    else at = 0;
    const offset = index[at]!;
    const keyLength = index[at + 1]!;
    const itemLength = index[at + 2]!;
    const payload = offset + 8 + pad8(keyLength);
    const value = readPayload(
      this.#u8,
      this.#u16,
      this.#f64,
      payload,
      this.#u8[offset]!,
      itemLength,
    );
    c[SIZE] = size;
    if (kind === PRIORITY && size > 0) {
      index.copyWithin(0, size * ENTRY, size * ENTRY + ENTRY);
      this.#siftDown(0, size);
    }
    if (size === 0) {
      // Empty: nothing left to compare with, so any kind of priority may come next (as in Python).
      c[KEY_KIND] = 0;
      c[BUMP] = 0;
      c[LIVE] = 0;
      c[HEAD] = 0;
    } else c[LIVE]! -= 8 + pad8(keyLength) + pad8(itemLength);
    return value;
  }

  /** Drops every item (shutdown({ immediate })); returns how many. */
  clear(): number {
    const c = this.control;
    const size = c[SIZE]!;
    this.#sync();
    const index = this.#index;
    const cap = index.length / ENTRY;
    for (let i = 0; i < size; i++) {
      const at = c[KIND] === FIFO ? ((c[HEAD]! + i) % cap) * ENTRY : i * ENTRY;
      const offset = index[at]!;
      if (this.#u8[offset] !== T_BYTES) continue;
      // Its shared buffers are let go (the directory counts one item fewer).
      const payload = offset + 8 + pad8(index[at + 1]!);
      discard(this.#u8.slice(payload, payload + index[at + 2]!));
    }
    c[SIZE] = 0;
    c[KEY_KIND] = 0;
    c[HEAD] = 0;
    c[BUMP] = 0;
    c[LIVE] = 0;
    return size;
  }

  #writeString(at: number, s: string): void {
    const u16 = this.#u16;
    const base = at >> 1;
    for (let i = 0; i < s.length; i++) u16[base + i] = s.charCodeAt(i);
  }

  #readString(at: number, length: number): string {
    return readString(this.#u16, at >> 1, length);
  }

  #allocate(size: number): number {
    const c = this.control;
    let bump = c[BUMP]!;
    if (bump + size > this.#u8.length) {
      const live = c[LIVE]!;
      const max = this.#arenaBuffer.maxByteLength;
      if (live + size > this.#u8.length) {
        if (live + size > max) {
          throw new QueueMemoryError(
            'ERR_QUEUE_MEMORY',
            `The queue's storage would exceed its ceiling of ${max} bytes (option \`maxBytes\`); the item was not put`,
          );
        }
        const bytes = Math.min(max, pad8(Math.max(this.#u8.length * 2, live + size)));
        this.#arenaBuffer.grow(bytes);
        c[ARENA_BYTES] = bytes;
        this.#viewArena(bytes);
      }
      if (bump + size > this.#u8.length) bump = this.#compact();
    }
    c[BUMP] = bump + size;
    return bump;
  }

  // Moves every live record to the front of the arena, in offset order.
  #compact(): number {
    const c = this.control;
    const size = c[SIZE]!;
    const index = this.#index;
    const cap = index.length / ENTRY;
    const positions: number[] = [];
    for (let i = 0; i < size; i++) {
      positions.push(c[KIND] === FIFO ? ((c[HEAD]! + i) % cap) * ENTRY : i * ENTRY);
    }
    positions.sort((a, b) => index[a]! - index[b]!);
    let to = 0;
    for (const at of positions) {
      const from = index[at]!;
      const length = 8 + pad8(index[at + 1]!) + pad8(index[at + 2]!);
      if (from !== to) this.#u8.copyWithin(to, from, from + length);
      index[at] = to;
      to += length;
    }
    return to;
  }

  #growIndex(): void {
    const oldCap = this.#index.length / ENTRY;
    const max = this.#indexBuffer.maxByteLength / (ENTRY * 4);
    if (oldCap >= max) {
      throw new QueueMemoryError(
        'ERR_QUEUE_MEMORY',
        `The queue cannot hold more than ${max} items (option \`maxBytes\`)`,
      );
    }
    const newCap = Math.min(max, oldCap * 2);
    this.#indexBuffer.grow(newCap * ENTRY * 4);
    this.control[INDEX_BYTES] = newCap * ENTRY * 4;
    this.#viewIndex(newCap * ENTRY * 4);
    const c = this.control;
    if (c[KIND] === FIFO) {
      // Unwrap the ring: entries before HEAD that wrapped around move after the old end.
      const head = c[HEAD]!;
      const wrapped = head + c[SIZE]! - oldCap;
      if (wrapped > 0) this.#index.copyWithin(oldCap * ENTRY, 0, wrapped * ENTRY);
    }
  }

  // Heap order: smaller key first, then earlier seq (FIFO among equals).
  #less(a: number, b: number): boolean {
    const index = this.#index;
    const ka = this.#keyAt(a);
    const kb = this.#keyAt(b);
    if (ka < kb) return true;
    if (ka > kb) return false;
    return ((index[a * ENTRY + 3]! - index[b * ENTRY + 3]!) | 0) < 0;
  }

  #keyAt(i: number): number | bigint | string {
    const index = this.#index;
    const offset = index[i * ENTRY]!;
    const kind = this.#u8[offset + 1];
    if (kind === K_NUMBER) return this.#f64[(offset + 8) >> 3]!;
    const s = this.#readString(offset + 8, index[i * ENTRY + 1]! >> 1);
    return kind === K_BIGINT ? BigInt(s) : s;
  }

  #swap(a: number, b: number): void {
    const index = this.#index;
    for (let k = 0; k < ENTRY; k++) {
      const t = index[a * ENTRY + k]!;
      index[a * ENTRY + k] = index[b * ENTRY + k]!;
      index[b * ENTRY + k] = t;
    }
  }

  #siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(i: number, size: number): void {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      const r = l + 1;
      const child = r < size && this.#less(r, l) ? r : l;
      if (!this.#less(child, i)) return;
      this.#swap(i, child);
      i = child;
    }
  }
}
