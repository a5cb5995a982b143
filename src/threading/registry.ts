// The process-wide table of weft threads, in one SharedArrayBuffer that every
// weft thread receives at start, so `enumerate()`, `isAlive()` and `join()`
// work from any thread for any thread, and owned locks can tell whether their
// owner is still alive.
//
// Layout (Int32 words): [TAG, capacity, directoryState, directoryReplies, directoryParent]
// (the words used by weft/queue's buffer directory), then `capacity` slots of SLOT words:
//   state (FREE | ALIVE | DONE), ident (threadId), daemon (0/1), nameLength,
//   then NAME_WORDS words holding up to 2 * NAME_WORDS UTF-16 code units.
// Slot 0 is the main thread. Waiting for a thread to finish is a futex wait
// on its state word while it reads ALIVE.

import { isMainThread, workerData } from 'node:worker_threads';
import { allocate, attach, Tag } from '../internal/layout.js';
import { waitAsync, waitSync, deadlineOf, remaining } from '../internal/wait.js';

export const FREE = 0;
export const ALIVE = 1;
export const DONE = 2;

const HEADER = 5;
/** Word of the buffer directory's state (queue/sab-directory.ts). */
export const DIRECTORY_STATE = 2;
/** Word the buffer directory bumps after each reply. */
export const DIRECTORY_REPLIES = 3;
/** Thread id of the thread that started the buffer directory (it dies with that thread). */
export const DIRECTORY_PARENT = 4;
const NAME_WORDS = 32;
const SLOT = 4 + NAME_WORDS;
const CAPACITY = 1024;
const KEY = Symbol.for('weft.threading.registry');

export interface ThreadEntry {
  readonly slot: number;
  readonly ident: number;
  readonly name: string;
  readonly daemon: boolean;
}

/** The registry's buffer for this thread: inherited from the parent, or made here. */
export function registryBuffer(): SharedArrayBuffer {
  const g = globalThis as Record<symbol, SharedArrayBuffer | undefined>;
  let buffer = g[KEY];
  if (buffer === undefined) {
    const inherited = (workerData as { weftRegistry?: unknown } | null)?.weftRegistry;
    if (!isMainThread && inherited instanceof SharedArrayBuffer) buffer = inherited;
    else {
      const i32 = allocate(Tag.Registry, HEADER + CAPACITY * SLOT);
      i32[1] = CAPACITY;
      write(i32, 0, 0, 'MainThread', false);
      buffer = i32.buffer as SharedArrayBuffer;
    }
    g[KEY] = buffer;
  }
  return buffer;
}

let view: Int32Array | undefined;
/** The registry's words (shared by every weft thread of the process). */
export function table(): Int32Array {
  return (view ??= attach(registryBuffer(), Tag.Registry, HEADER, 'thread registry'));
}

function base(slot: number): number {
  return HEADER + slot * SLOT;
}

function write(i32: Int32Array, slot: number, ident: number, name: string, daemon: boolean): void {
  const at = base(slot);
  const length = Math.min(name.length, NAME_WORDS * 2);
  for (let i = 0; i < NAME_WORDS; i++) {
    const lo = 2 * i < length ? name.charCodeAt(2 * i) : 0;
    const hi = 2 * i + 1 < length ? name.charCodeAt(2 * i + 1) : 0;
    i32[at + 4 + i] = lo | (hi << 16);
  }
  i32[at + 1] = ident;
  i32[at + 2] = daemon ? 1 : 0;
  i32[at + 3] = length;
  Atomics.store(i32, at, ALIVE);
}

/** Claims a slot for a thread about to start; returns its index. */
export function claim(name: string, daemon: boolean): number {
  const i32 = table();
  const capacity = i32[1] ?? 0;
  // Free slots first; when the table is full, reuse a finished thread's slot.
  for (const wanted of [FREE, DONE]) {
    for (let slot = 1; slot < capacity; slot++) {
      if (Atomics.compareExchange(i32, base(slot), wanted, -1) === wanted) {
        write(i32, slot, -1, name, daemon);
        return slot;
      }
    }
  }
  return -1;
}

/** Records the thread id of the thread in `slot` (known once its Worker exists). */
export function setIdent(slot: number, ident: number): void {
  if (slot > 0) Atomics.store(table(), base(slot) + 1, ident);
}

/** Marks the thread in `slot` finished and wakes its joiners (only if it is still `ident`'s slot). */
export function markDone(slot: number, ident: number): void {
  if (slot <= 0) return;
  const i32 = table();
  const at = base(slot);
  if (Atomics.load(i32, at + 1) !== ident) return;
  if (Atomics.compareExchange(i32, at, ALIVE, DONE) === ALIVE) Atomics.notify(i32, at);
}

/** True while the thread `ident` in `slot` has not finished. */
export function isAlive(slot: number, ident: number): boolean {
  if (slot < 0) return false;
  const i32 = table();
  const at = base(slot);
  return Atomics.load(i32, at) === ALIVE && Atomics.load(i32, at + 1) === ident;
}

/**
 * Whether the thread `ident` is known to have finished. Threads weft did not
 * start are unknown, and so never reported dead.
 */
export function isKnownDead(ident: number): boolean {
  const i32 = table();
  const capacity = i32[1] ?? 0;
  for (let slot = 0; slot < capacity; slot++) {
    const at = base(slot);
    if (Atomics.load(i32, at + 1) === ident) {
      const state = Atomics.load(i32, at);
      if (state === ALIVE) return false;
      if (state === DONE) return true;
    }
  }
  return false;
}

/** Every live thread, main thread first. */
export function list(): ThreadEntry[] {
  const i32 = table();
  const capacity = i32[1] ?? 0;
  const out: ThreadEntry[] = [];
  for (let slot = 0; slot < capacity; slot++) {
    const at = base(slot);
    if (Atomics.load(i32, at) !== ALIVE) continue;
    const ident = Atomics.load(i32, at + 1);
    if (ident < 0) continue;
    out.push({ slot, ident, name: nameAt(i32, at), daemon: i32[at + 2] === 1 });
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
  const i32 = table();
  const at = base(slot);
  const deadline = deadlineOf(timeout);
  while (isAlive(slot, ident)) {
    const left = remaining(deadline);
    if (left <= 0) return false;
    waitSync(i32, at, ALIVE, left);
  }
  return true;
}

/** Waits, without blocking, until the thread finishes or `timeout` ms pass. */
export async function join(
  slot: number,
  ident: number,
  timeout: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const i32 = table();
  const at = base(slot);
  const deadline = deadlineOf(timeout);
  while (isAlive(slot, ident)) {
    const left = remaining(deadline);
    if (left <= 0) return false;
    await waitAsync(i32, at, ALIVE, left, signal);
  }
  return true;
}
