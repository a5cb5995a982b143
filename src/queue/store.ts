// The shared storage of a cross-thread queue: control words, an index of
// entries, and an arena of records, all in SharedArrayBuffers. Every method
// here runs with the queue's mutex held (queue.ts takes it); nothing waits.
//
// A holder may die at any instruction (weft terminates threads), and then a
// waiter takes the mutex over and calls `recover()`. So every change is
// ordered to be invisible until one commit store, or journaled:
// - push writes the record and its index entry where nothing reads them yet
//   (past BUMP, past SIZE), then writes a journal (the entry, and the new
//   values of the control words it changes) and commits by storing OP. From
//   then on `recover()` rolls it forward: it stores the journaled values, and
//   for a priority queue rebuilds the heap from its entries plus the journaled
//   one (the sift moves whole 16-byte entries with copyWithin, one native
//   call each, so an entry is never half-written; a hole sift leaves at most
//   a duplicate, which the rebuild drops).
// - pop reads the item first, then journals and commits the same way (the
//   item is lost if its popper dies after the commit: it was in flight).
// - compaction moves one record at a time, journaled (slot, from, to,
//   length, bytes done), in chunks no longer than the distance moved, so a
//   chunk never overwrites its own source: redoing the chunk at `done` is
//   always safe, and `recover()` finishes the move.
// - growing a buffer stores its new size last, after the data it needs is
//   in place (a bigger buffer nobody uses is harmless).
// A push whose owner dies before its commit leaves only unreferenced bytes,
// reclaimed by the next compaction or when the queue empties.
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
import {
  comparePriority,
  priorityFromText,
  shapeError,
  type Priority,
} from '../internal/priority.js';
import { adopted, allocate, attach, Tag } from '../internal/layout.js';
import {
  discard,
  K_ARRAY,
  K_BIGINT,
  K_NUMBER,
  keyShape,
  readPayload,
  T_BYTES,
  writePayload,
  type Prepared,
} from './item-codec.js';

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
// The journal of the operation in progress (see the top of this file).
const OP = 21; // NONE, PUSH, POP or CLEAR once committed
const J_ENTRY = 22; // 4 words: the entry pushed, or (priority pop) the last entry moved to the root
const J_REMOVED = 26; // priority pop: offset of the root taken out
const J_SIZE = 27; // SIZE after the operation
const J_COUNT = 28; // number of (word, value) pairs
const J_PAIRS = 29; // up to MAX_PAIRS pairs
const MAX_PAIRS = 8;
// The compaction step in progress: index word of the entry + 1 (0 = none), from, to, length, done.
const C_SLOT = J_PAIRS + 2 * MAX_PAIRS;
const C_FROM = C_SLOT + 1;
const C_TO = C_SLOT + 2;
const C_LEN = C_SLOT + 3;
const C_DONE = C_SLOT + 4;
const WORDS = C_DONE + 1;

const NONE = 0;
const PUSH = 1;
const POP = 2;
const CLEAR = 3;

export const FIFO = 0;
export const LIFO = 1;
export const PRIORITY = 2;

const ENTRY = 4;

const INITIAL_ARENA = 64 * 1024;
const INITIAL_ENTRIES = 64;
/** Default ceiling of a queue's item storage, in bytes. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Storage past `maxBytes` was needed; the item was not put. Its `code` is
 * `ERR_QUEUE_MEMORY`.
 *
 * @example
 * ```ts
 * const q = new Queue<string>({ maxBytes: 4096 });
 * try {
 *   q.putNowait('x'.repeat(10_000));
 * } catch (e) {
 *   if (e instanceof QueueMemoryError) console.log('too big for this queue');
 * }
 * ```
 */
export class QueueMemoryError extends StateError {}

/** What crosses threads for one queue. */
export interface StoreState {
  readonly control: SharedArrayBuffer;
  readonly index: SharedArrayBuffer;
  readonly arena: SharedArrayBuffer;
}

const pad8 = (n: number): number => (n + 7) & ~7;

type Key = number | bigint | string | readonly Priority[];

export class Store {
  readonly control: Int32Array;
  readonly #indexBuffer: SharedArrayBuffer;
  readonly #arenaBuffer: SharedArrayBuffer;
  readonly #journalEntry: Int32Array;
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
    this.#journalEntry = this.control.subarray(J_ENTRY, J_ENTRY + ENTRY);
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

  /** Appends one prepared item (and the prepared key, for priority queues); counts it unfinished. */
  push(item: Prepared): void {
    this.#sync();
    const c = this.control;
    const kind = c[KIND]!;
    let keyLength = 0;
    if (kind === PRIORITY) {
      const established = c[KEY_KIND]!;
      if (established !== 0 && (established !== item.keyKind || established === K_ARRAY)) {
        this.#checkShape(established, item);
      }
      keyLength = item.keyKind === K_NUMBER ? 8 : String(item.key).length * 2;
    }
    const size = c[SIZE]!;
    if ((size + 1) * ENTRY > this.#index.length) this.#growIndex();
    const recordSize = 8 + pad8(keyLength) + pad8(item.length);
    const offset = this.#allocate(recordSize);
    // Nothing below can fail. Until the commit, only bytes nobody reads change.
    const u8 = this.#u8;
    u8[offset] = item.tag;
    u8[offset + 1] = kind === PRIORITY ? item.keyKind : 0;
    if (kind === PRIORITY) {
      if (item.keyKind === K_NUMBER) this.#f64[(offset + 8) >> 3] = item.key as number;
      else this.#writeString(offset + 8, String(item.key));
    }
    const payload = offset + 8 + pad8(keyLength);
    writePayload(u8, this.#u16, this.#f64, payload, item);
    const seq = (c[SEQ]! + 1) | 0;
    let at: number;
    if (kind === FIFO) at = ((c[HEAD]! + size) % (this.#index.length / ENTRY)) * ENTRY;
    else at = size * ENTRY;
    const index = this.#index;
    index[at] = offset;
    index[at + 1] = keyLength;
    index[at + 2] = item.length;
    index[at + 3] = seq;
    c[J_ENTRY] = offset;
    c[J_ENTRY + 1] = keyLength;
    c[J_ENTRY + 2] = item.length;
    c[J_ENTRY + 3] = seq;
    c[J_SIZE] = size + 1;
    c[J_PAIRS] = SIZE;
    c[J_PAIRS + 1] = size + 1;
    c[J_PAIRS + 2] = LIVE;
    c[J_PAIRS + 3] = c[LIVE]! + recordSize;
    c[J_PAIRS + 4] = UNFINISHED;
    c[J_PAIRS + 5] = c[UNFINISHED]! + 1;
    c[J_PAIRS + 6] = SEQ;
    c[J_PAIRS + 7] = seq;
    c[J_PAIRS + 8] = KEY_KIND;
    c[J_PAIRS + 9] = kind === PRIORITY ? item.keyKind : 0;
    c[J_COUNT] = 5;
    Atomics.store(c, OP, PUSH);
    this.#applyPairs();
    if (kind === PRIORITY) this.#siftUp(size);
    c[OP] = NONE;
  }

  /** Removes the next item and returns it (a BYTES item is deserialized by the caller via `finish`). */
  pop(): unknown {
    this.#sync();
    const c = this.control;
    const kind = c[KIND]!;
    const size = c[SIZE]! - 1;
    const index = this.#index;
    const head = c[HEAD]!;
    const at = kind === FIFO ? head * ENTRY : kind === LIFO ? size * ENTRY : 0;
    const offset = index[at]!;
    const keyLength = index[at + 1]!;
    const itemLength = index[at + 2]!;
    const payload = offset + 8 + pad8(keyLength);
    // Read first: nothing has changed if this (or the dying thread) stops here.
    const value = readPayload(
      this.#u8,
      this.#u16,
      this.#f64,
      payload,
      this.#u8[offset]!,
      itemLength,
    );
    c[J_SIZE] = size;
    c[J_PAIRS] = SIZE;
    c[J_PAIRS + 1] = size;
    if (size === 0) {
      // Empty: reset the arena, and any kind of priority may come next (as in Python).
      c[J_PAIRS + 2] = LIVE;
      c[J_PAIRS + 3] = 0;
      c[J_PAIRS + 4] = BUMP;
      c[J_PAIRS + 5] = 0;
      c[J_PAIRS + 6] = HEAD;
      c[J_PAIRS + 7] = 0;
      c[J_PAIRS + 8] = KEY_KIND;
      c[J_PAIRS + 9] = 0;
      c[J_COUNT] = 5;
    } else {
      c[J_PAIRS + 2] = LIVE;
      c[J_PAIRS + 3] = c[LIVE]! - (8 + pad8(keyLength) + pad8(itemLength));
      c[J_PAIRS + 4] = HEAD;
      c[J_PAIRS + 5] = kind === FIFO ? (head + 1) % (index.length / ENTRY) : head;
      c[J_COUNT] = 3;
      if (kind === PRIORITY) {
        c[J_REMOVED] = offset;
        const last = size * ENTRY;
        c[J_ENTRY] = index[last]!;
        c[J_ENTRY + 1] = index[last + 1]!;
        c[J_ENTRY + 2] = index[last + 2]!;
        c[J_ENTRY + 3] = index[last + 3]!;
      }
    }
    Atomics.store(c, OP, POP);
    this.#applyPairs();
    if (kind === PRIORITY && size > 0) this.#siftDown(size);
    c[OP] = NONE;
    return value;
  }

  /** Drops every item (shutdown({ immediate })), counting them done; returns how many. */
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
    c[J_SIZE] = 0;
    const pairs = [SIZE, 0, KEY_KIND, 0, HEAD, 0, BUMP, 0, LIVE, 0];
    pairs.push(UNFINISHED, Math.max(0, c[UNFINISHED]! - size));
    for (let i = 0; i < pairs.length; i++) c[J_PAIRS + i] = pairs[i]!;
    c[J_COUNT] = pairs.length >> 1;
    Atomics.store(c, OP, CLEAR);
    this.#applyPairs();
    c[OP] = NONE;
    return size;
  }

  /**
   * After taking the mutex over from a thread that died holding it: finish
   * what it was doing, so the queue is consistent again. Returns whether
   * anything was in progress.
   */
  recover(): boolean {
    this.#sync();
    const c = this.control;
    let repaired = false;
    if (c[C_SLOT] !== 0) {
      this.#finishMove();
      repaired = true;
    }
    const op = c[OP]!;
    if (op !== NONE) {
      this.#applyPairs();
      if (c[KIND] === PRIORITY && op !== CLEAR) this.#rebuildHeap(op);
      c[OP] = NONE;
      repaired = true;
    }
    return repaired;
  }

  // Stores the journaled values (idempotent: a recovery may itself be cut short and redone).
  #applyPairs(): void {
    const c = this.control;
    for (let i = 0, n = c[J_COUNT]!; i < n; i++) {
      c[c[J_PAIRS + 2 * i]!] = c[J_PAIRS + 2 * i + 1]!;
    }
  }

  // A priority operation died mid-sift: its slots hold every entry (at most
  // one duplicated by the hole sift) except the journaled one. Collect,
  // sort (a sorted array is a heap), and write back in one native call.
  #rebuildHeap(op: number): void {
    const c = this.control;
    const index = this.#index;
    const n = c[J_SIZE]!;
    const removed = op === POP ? c[J_REMOVED]! : -1;
    const seen = new Set<number>();
    const entries: Int32Array[] = [];
    const add = (entry: Int32Array): void => {
      const offset = entry[0]!;
      if (offset === removed || seen.has(offset)) return;
      seen.add(offset);
      entries.push(entry.slice());
    };
    for (let i = 0; i < n; i++) add(index.subarray(i * ENTRY, i * ENTRY + ENTRY));
    if (n > 0) add(this.#journalEntry);
    const keys = new Map<Int32Array, Key>();
    for (const e of entries) keys.set(e, this.#key(e[0]!, e[1]!));
    entries.sort((a, b) => {
      const ka = keys.get(a)!;
      const kb = keys.get(b)!;
      if (typeof ka === 'object') return comparePriority(ka, kb) || (a[3]! - b[3]!) | 0;
      if (ka < kb) return -1;
      if (ka > kb) return 1;
      return (a[3]! - b[3]!) | 0;
    });
    const out = new Int32Array(entries.length * ENTRY);
    entries.forEach((e, i) => out.set(e, i * ENTRY));
    index.set(out, 0);
    c[SIZE] = entries.length;
  }

  #writeString(at: number, s: string): void {
    const u16 = this.#u16;
    const base = at >> 1;
    for (let i = 0; i < s.length; i++) u16[base + i] = s.charCodeAt(i);
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
        // A thread that died after growing may have left the buffer bigger already.
        const bytes = Math.max(
          this.#arenaBuffer.byteLength,
          Math.min(max, pad8(Math.max(this.#u8.length * 2, live + size))),
        );
        this.#arenaBuffer.grow(bytes);
        this.#viewArena(bytes);
        Atomics.store(c, ARENA_BYTES, bytes);
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
      if (from !== to) {
        c[C_FROM] = from;
        c[C_TO] = to;
        c[C_LEN] = length;
        c[C_DONE] = 0;
        Atomics.store(c, C_SLOT, at + 1);
        this.#finishMove();
      }
      to += length;
    }
    return to;
  }

  // The journaled record move: chunks no longer than the distance moved, so
  // a chunk never overwrites its own source, and redoing chunk `done` after
  // a death is safe (only the next chunk's copy would overwrite its source).
  #finishMove(): void {
    const c = this.control;
    const from = c[C_FROM]!;
    const to = c[C_TO]!;
    const length = c[C_LEN]!;
    const gap = from - to;
    const u8 = this.#u8;
    for (let done = c[C_DONE]!; done < length;) {
      const n = Math.min(gap, length - done);
      u8.copyWithin(to + done, from + done, from + done + n);
      done += n;
      c[C_DONE] = done;
    }
    this.#index[c[C_SLOT]! - 1] = to;
    Atomics.store(c, C_SLOT, 0);
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
    const bytes = newCap * ENTRY * 4;
    if (this.#indexBuffer.byteLength < bytes) this.#indexBuffer.grow(bytes);
    const view = new Int32Array(this.#indexBuffer, 0, bytes >> 2);
    const c = this.control;
    if (c[KIND] === FIFO) {
      // Unwrap the ring: entries before HEAD that wrapped around move after
      // the old end, where nothing reads them until INDEX_BYTES changes.
      const head = c[HEAD]!;
      const wrapped = head + c[SIZE]! - oldCap;
      if (wrapped > 0) view.copyWithin(oldCap * ENTRY, 0, wrapped * ENTRY);
    }
    this.#index = view;
    Atomics.store(c, INDEX_BYTES, bytes);
  }

  #key(offset: number, keyLength: number): Key {
    const kind = this.#u8[offset + 1];
    if (kind === K_NUMBER) return this.#f64[(offset + 8) >> 3]!;
    const s = readString(this.#u16, (offset + 8) >> 1, keyLength >> 1);
    if (kind === K_ARRAY) return priorityFromText(s.slice(s.indexOf('\0') + 1));
    return kind === K_BIGINT ? BigInt(s) : s;
  }

  // Refuses a priority whose shape is not the held ones' (internal/priority.ts),
  // so that no comparison in a later sift can fail. Every held key has one
  // shape: the root's says which.
  #checkShape(established: number, item: Prepared): void {
    const got = keyShape(item.keyKind, item.key);
    let held: string;
    if (established === K_ARRAY) {
      const root = this.#index;
      const text = readString(this.#u16, (root[0]! + 8) >> 1, root[1]! >> 1);
      held = keyShape(K_ARRAY, text);
    } else held = keyShape(established, 0);
    if (held !== got) throw shapeError(held, got);
  }

  #keyAt(i: number): Key {
    const index = this.#index;
    return this.#key(index[i * ENTRY]!, index[i * ENTRY + 1]!);
  }

  // Heap order: smaller key first, then earlier seq (FIFO among equals).
  static #before(ka: Key, sa: number, kb: Key, sb: number): boolean {
    if (typeof ka === 'object') {
      const c = comparePriority(ka, kb);
      return c < 0 || (c === 0 && ((sa - sb) | 0) < 0);
    }
    if (ka < kb) return true;
    if (ka > kb) return false;
    return ((sa - sb) | 0) < 0;
  }

  // The journaled entry enters at slot i: parents move down into the hole
  // (whole entries, one native copy each), then the entry is written.
  #siftUp(i: number): void {
    const index = this.#index;
    const x = this.#journalEntry;
    const key = this.#key(x[0]!, x[1]!);
    const seq = x[3]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!Store.#before(key, seq, this.#keyAt(parent), index[parent * ENTRY + 3]!)) break;
      index.copyWithin(i * ENTRY, parent * ENTRY, parent * ENTRY + ENTRY);
      i = parent;
    }
    index.set(x, i * ENTRY);
  }

  // The journaled entry (the last one) replaces the root of a heap of `size`.
  #siftDown(size: number): void {
    const index = this.#index;
    const x = this.#journalEntry;
    const key = this.#key(x[0]!, x[1]!);
    const seq = x[3]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      let child = l;
      let childKey = this.#keyAt(l);
      if (r < size) {
        const rKey = this.#keyAt(r);
        if (Store.#before(rKey, index[r * ENTRY + 3]!, childKey, index[l * ENTRY + 3]!)) {
          child = r;
          childKey = rKey;
        }
      }
      if (!Store.#before(childKey, index[child * ENTRY + 3]!, key, seq)) break;
      index.copyWithin(i * ENTRY, child * ENTRY, child * ENTRY + ENTRY);
      i = child;
    }
    index.set(x, i * ENTRY);
  }
}
