// The process-wide table of weft threads, in one growable SharedArrayBuffer
// that every weft thread receives at start, so `enumerate()`, `isAlive()` and
// `join()` work from any thread for any thread, and shared primitives can tell
// whether a thread that holds or waits on them has died (and whether weft
// killed it).
//
// Layout (Int32 words): a header, then pages of PAGE words appended as needed.
//   header: [TAG, capacity, directoryState, directoryReplies, pages, freeHint, directoryParent, spare,
//            slotDir[MAX_SLOT_PAGES], deadDir[MAX_DEAD_PAGES]]
//   (directoryState / directoryReplies are weft/queue's buffer directory's words;
//   capacity = slots mapped so far; freeHint = first page that may hold a FREE slot.) A directory entry is the word offset of
//   its page, 0 while unmapped; it is set once, by CAS, after the buffer has
//   grown to hold the page, so a reader that sees an offset can read the page.
//   slot page: SLOTS_PER_PAGE slots of SLOT words:
//     state (FREE | CLAIMED | ALIVE | DONE), ident (threadId), daemon (0/1),
//     nameLength, then NAME_WORDS words holding up to 2 * NAME_WORDS UTF-16 units.
//   dead page: two bits per threadId (DEAD, KILLED), IDS_PER_PAGE ids per page.
// Slot 0 is the main thread. Waiting for a thread to finish is a futex wait
// on its state word while it reads ALIVE.
//
// Node never reuses a threadId and hands them out from 1 upwards, so the dead
// bits, indexed by threadId, remember every weft thread that finished for the
// life of the process, while the slots (what `enumerate()` lists) are reused.
// A thread's DEAD bit is set before its slot reads DONE, so a slot becomes
// reusable only once its death is recorded for good.

import { isMainThread, workerData } from 'node:worker_threads';
import { StateError } from '../internal/errors.js';
import { readGlobal, REGISTRY_KEY, writeGlobal } from '../internal/globals.js';
import { attach, Tag } from '../internal/layout.js';
import {
  abortedRejection,
  deadlineOf,
  PARK_DEADLINE,
  PARK_OK,
  park,
  runAsync,
  runSync,
} from '../internal/blocking.js';
import type { Protocol, Woken } from '../internal/blocking.js';

export const FREE = 0;
export const ALIVE = 1;
export const DONE = 2;
const CLAIMED = -1;

const CAPACITY = 1;
/** Word of the buffer directory's state (queue/sab-directory.ts). */
export const DIRECTORY_STATE = 2;
/** Word the buffer directory bumps after each reply. */
export const DIRECTORY_REPLIES = 3;
const PAGES = 4;
const FREE_HINT = 5;
const SLOT_DIR = 8;
const MAX_SLOT_PAGES = 128;
const DEAD_DIR = SLOT_DIR + MAX_SLOT_PAGES;
const MAX_DEAD_PAGES = 4096;
const HEADER = DEAD_DIR + MAX_DEAD_PAGES;
const PAGE = 4096;
/** Thread id of the thread that started the buffer directory (it dies with that thread). */
export const DIRECTORY_PARENT = 6;
const NAME_WORDS = 32;
const SLOT = 4 + NAME_WORDS;
const SLOTS_PER_PAGE = Math.floor(PAGE / SLOT);
/** Most threads alive at once (about 14,000: far more than memory allows). */
export const MAX_THREADS = MAX_SLOT_PAGES * SLOTS_PER_PAGE;
const IDS_PER_PAGE = PAGE * 16;
/** Highest threadId whose death can be recorded (2^28 − 1). */
export const MAX_IDENT = MAX_DEAD_PAGES * IDS_PER_PAGE - 1;
// Pages a lost mapping race may waste (each loser leaks its zeroed page).
const SLACK = 64;
const MAX_PAGES = MAX_SLOT_PAGES + MAX_DEAD_PAGES + SLACK;
const DEAD = 1;
const KILLED = 2;

export interface ThreadEntry {
  readonly slot: number;
  readonly ident: number;
  readonly name: string;
  readonly daemon: boolean;
}

/** The registry's buffer for this thread: inherited from the parent, or made here. */
export function registryBuffer(): SharedArrayBuffer {
  let buffer = readGlobal(REGISTRY_KEY) as SharedArrayBuffer | undefined;
  if (buffer === undefined) {
    const inherited = (workerData as { weftRegistry?: unknown } | null)?.weftRegistry;
    if (!isMainThread && inherited instanceof SharedArrayBuffer) buffer = inherited;
    else {
      buffer = new SharedArrayBuffer((HEADER + PAGE) * 4, {
        maxByteLength: (HEADER + MAX_PAGES * PAGE) * 4,
      });
      const i32 = new Int32Array(buffer);
      i32[0] = Tag.Registry;
      i32[PAGES] = 1;
      i32[SLOT_DIR] = HEADER;
      i32[CAPACITY] = SLOTS_PER_PAGE;
      write(i32, HEADER, 0, 'MainThread', false);
    }
    writeGlobal(REGISTRY_KEY, buffer);
  }
  return buffer;
}

let view: Int32Array | undefined;
/** The registry's words (shared by every weft thread of the process; the view grows with the buffer). */
export function table(): Int32Array {
  return (view ??= attach(registryBuffer(), Tag.Registry, HEADER, 'thread registry'));
}

function tooMany(what: string): StateError {
  return new StateError('ERR_TOO_MANY_THREADS', what);
}

// Maps the page of directory entry `entry`, growing the buffer; lock-free, so
// no thread can die holding the registry. Returns the page's word offset,
// negated when another thread mapped it.
function mapPage(i32: Int32Array, entry: number): number {
  const mapped = Atomics.load(i32, entry);
  if (mapped !== 0) return -mapped;
  const page = Atomics.add(i32, PAGES, 1);
  if (page >= MAX_PAGES) throw tooMany('The thread registry is full');
  const offset = HEADER + page * PAGE;
  const buffer = i32.buffer as SharedArrayBuffer;
  const bytes = (offset + PAGE) * 4;
  while (buffer.byteLength < bytes) {
    try {
      buffer.grow(bytes);
    } catch (error) {
      // Another thread grew it past `bytes` between the check and the grow.
      if (buffer.byteLength < bytes) throw error;
    }
  }
  const seen = Atomics.compareExchange(i32, entry, 0, offset);
  return seen === 0 ? offset : -seen;
}

/** Word offset of `slot`, or -1 when its page is not mapped. */
function base(i32: Int32Array, slot: number): number {
  if (slot < 0) return -1;
  const page = Math.floor(slot / SLOTS_PER_PAGE);
  if (page >= MAX_SLOT_PAGES) return -1;
  const offset = Atomics.load(i32, SLOT_DIR + page);
  return offset === 0 ? -1 : offset + (slot - page * SLOTS_PER_PAGE) * SLOT;
}

function write(i32: Int32Array, at: number, ident: number, name: string, daemon: boolean): void {
  const length = Math.min(name.length, NAME_WORDS * 2);
  for (let i = 0; i < NAME_WORDS; i++) {
    const lo = 2 * i < length ? name.charCodeAt(2 * i) : 0;
    const hi = 2 * i + 1 < length ? name.charCodeAt(2 * i + 1) : 0;
    i32[at + 4 + i] = lo | (hi << 16);
  }
  Atomics.store(i32, at + 1, ident);
  i32[at + 2] = daemon ? 1 : 0;
  i32[at + 3] = length;
  Atomics.store(i32, at, ALIVE);
}

/**
 * Claims a slot for a thread about to start; returns its index.
 *
 * @throws {StateError} `ERR_TOO_MANY_THREADS` when {@link MAX_THREADS} threads are alive.
 */
export function claim(name: string, daemon: boolean): number {
  const i32 = table();
  for (;;) {
    // Free slots first, then finished threads' slots (their deaths are
    // already in the dead bits), then a new page.
    for (const wanted of [FREE, DONE]) {
      const slot = take(i32, wanted, name, daemon);
      if (slot >= 0) return slot;
    }
    let page = 0;
    while (page < MAX_SLOT_PAGES && Atomics.load(i32, SLOT_DIR + page) !== 0) page++;
    if (page === MAX_SLOT_PAGES) {
      throw tooMany(`More than ${MAX_THREADS} weft threads alive at once`);
    }
    if (mapPage(i32, SLOT_DIR + page) > 0) Atomics.add(i32, CAPACITY, SLOTS_PER_PAGE);
  }
}

function take(i32: Int32Array, wanted: number, name: string, daemon: boolean): number {
  // A slot is FREE only until first claimed (a finished one is reused from
  // DONE), so pages before FREE_HINT have none left.
  const first = wanted === FREE ? Atomics.load(i32, FREE_HINT) : 0;
  for (let page = first; page < MAX_SLOT_PAGES; page++) {
    const offset = Atomics.load(i32, SLOT_DIR + page);
    if (offset === 0) break;
    for (let i = page === 0 ? 1 : 0; i < SLOTS_PER_PAGE; i++) {
      const at = offset + i * SLOT;
      if (Atomics.load(i32, at) !== wanted) continue;
      if (Atomics.compareExchange(i32, at, wanted, CLAIMED) === wanted) {
        write(i32, at, -1, name, daemon);
        return page * SLOTS_PER_PAGE + i;
      }
    }
    if (wanted === FREE) Atomics.compareExchange(i32, FREE_HINT, page, page + 1);
  }
  return -1;
}

/**
 * Records the thread id of the thread in `slot` (known once its Worker exists).
 *
 * @throws {StateError} `ERR_TOO_MANY_THREADS` past {@link MAX_IDENT}.
 */
export function setIdent(slot: number, ident: number): void {
  const i32 = table();
  // Map the dead page now, so recording the death later cannot fail.
  if (ident > 0) deadWord(i32, ident, true);
  const at = base(i32, slot);
  if (slot > 0 && at >= 0) Atomics.store(i32, at + 1, ident);
}

// The word holding `ident`'s dead bits, or -1 (never mapped: not a weft thread's).
function deadWord(i32: Int32Array, ident: number, map = false): number {
  if (ident <= 0 || ident > MAX_IDENT) {
    if (map && ident > MAX_IDENT) throw tooMany(`Thread id ${ident} is past ${MAX_IDENT}`);
    return -1;
  }
  const page = Math.floor(ident / IDS_PER_PAGE);
  const offset = map ? Math.abs(mapPage(i32, DEAD_DIR + page)) : Atomics.load(i32, DEAD_DIR + page);
  return offset === 0 ? -1 : offset + ((ident - page * IDS_PER_PAGE) >> 4);
}

function deadBits(i32: Int32Array, ident: number): number {
  const word = deadWord(i32, ident);
  return word < 0 ? 0 : (Atomics.load(i32, word) >>> ((ident & 15) * 2)) & 3;
}

function setDeadBits(i32: Int32Array, ident: number, bits: number, unlessDead: boolean): void {
  const word = deadWord(i32, ident);
  if (word < 0) return;
  const shift = (ident & 15) * 2;
  for (let old = Atomics.load(i32, word); ;) {
    if (unlessDead && (old >>> shift) & DEAD) return;
    const seen = Atomics.compareExchange(i32, word, old, old | (bits << shift));
    if (seen === old) return;
    old = seen;
  }
}

/**
 * Records that weft is about to kill thread `ident` (terminate, a pool's
 * timeout or recycling, out of memory). Call it *before* `worker.terminate()`;
 * a thread that already finished on its own is left as it is.
 */
export function markKilled(ident: number): void {
  setDeadBits(table(), ident, KILLED, true);
}

/** Marks the thread in `slot` finished and wakes its joiners (only if it is still `ident`'s slot). */
export function markDone(slot: number, ident: number): void {
  const i32 = table();
  // The dead bit first: the slot may be reused as soon as it reads DONE.
  setDeadBits(i32, ident, DEAD, false);
  if (slot <= 0) return;
  const at = base(i32, slot);
  if (at < 0 || Atomics.load(i32, at + 1) !== ident) return;
  if (Atomics.compareExchange(i32, at, ALIVE, DONE) === ALIVE) Atomics.notify(i32, at);
}

/** True while the thread `ident` in `slot` has not finished. */
export function isAlive(slot: number, ident: number): boolean {
  const i32 = table();
  const at = base(i32, slot);
  if (at < 0) return false;
  return Atomics.load(i32, at) === ALIVE && Atomics.load(i32, at + 1) === ident;
}

/**
 * Whether the thread `ident` is known to have finished. Threads weft did not
 * start are unknown, and so never reported dead. Remembered for the life of
 * the process, whatever happens to the thread's slot.
 */
export function isKnownDead(ident: number): boolean {
  return (deadBits(table(), ident) & DEAD) !== 0;
}

/**
 * Whether weft killed the thread `ident` (see {@link markKilled}) and it is
 * gone: it stopped at an arbitrary instruction, not at the end of its target.
 */
export function wasKilled(ident: number): boolean {
  return deadBits(table(), ident) === (DEAD | KILLED);
}

/** Every live thread, main thread first. */
export function list(): ThreadEntry[] {
  const i32 = table();
  const out: ThreadEntry[] = [];
  for (let page = 0; page < MAX_SLOT_PAGES; page++) {
    const offset = Atomics.load(i32, SLOT_DIR + page);
    if (offset === 0) break;
    for (let i = 0; i < SLOTS_PER_PAGE; i++) {
      const at = offset + i * SLOT;
      if (Atomics.load(i32, at) !== ALIVE) continue;
      const ident = Atomics.load(i32, at + 1);
      if (ident < 0) continue;
      out.push({
        slot: page * SLOTS_PER_PAGE + i,
        ident,
        name: nameAt(i32, at),
        daemon: i32[at + 2] === 1,
      });
    }
  }
  return out;
}

function nameAt(i32: Int32Array, at: number): string {
  const length = i32[at + 3] ?? 0;
  const codes: number[] = [];
  for (let i = 0; i < length; i++) {
    const word = i32[at + 4 + (i >> 1)] ?? 0;
    codes.push(i & 1 ? (word >>> 16) & 0xffff : word & 0xffff);
  }
  return String.fromCharCode(...codes);
}

/** Blocks until the thread finishes or `timeout` ms pass; true if it finished. */
export function joinSync(slot: number, ident: number, timeout: number): boolean {
  return !isAlive(slot, ident) || runSync(joining(slot, ident, deadlineOf(timeout)));
}

/** Waits, without blocking, until the thread finishes or `timeout` ms pass. */
export function join(
  slot: number,
  ident: number,
  timeout: number,
  signal?: AbortSignal,
): Promise<boolean> {
  return (
    abortedRejection(signal) ??
    (isAlive(slot, ident)
      ? runAsync(joining(slot, ident, deadlineOf(timeout)), signal)
      : Promise.resolve(true))
  );
}

// The slot's state word leaves ALIVE when the thread finishes.
function* joining(slot: number, ident: number, deadline: number): Protocol<boolean> {
  const i32 = table();
  const at = base(i32, slot);
  let woken: Woken = PARK_OK;
  while (isAlive(slot, ident)) {
    if (woken === PARK_DEADLINE) return false;
    woken = yield park(i32, at, ALIVE, deadline);
  }
  return true;
}
