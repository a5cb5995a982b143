// SharedArrayBuffers inside queue items. An item lives in shared memory as
// bytes, and a SharedArrayBuffer cannot be written as bytes: only a message
// hands one to another thread. So the writer *deposits* each buffer of an
// item with the process's buffer directory (a daemon worker) under a key,
// and writes the keys in the item's header (item-codec.ts), outside the
// user's data, where no data can name them. The reader takes its buffers
// from its own cache, or *wants* them from the directory, and then
// *releases* the keys. The directory counts deposits minus releases per key
// and drops a buffer when the count is back to 0, i.e. once no item in any
// queue refers to it: memory shared through a queue is freed once the items
// are consumed (got, or dropped by shutdown({ immediate })) and no thread
// holds the buffer any more. Counts are signed, so a release that reaches
// the directory before its deposit (they come from different threads, on
// different ports) is still counted right.
//
// Keys are `gen.thread.counter`: `gen` is the directory's generation, so a
// restarted directory never confuses an old key with a new one. A thread
// keeps the buffers it deposited or received in a cache of weak references
// (keyed both ways), so a reader in the writer's thread, or one that met the
// buffer before, asks nobody, and the cache never keeps memory alive.
//
// Channels: every thread opens `weft.sab-directory/<threadId>`, a
// BroadcastChannel only it and the directory open; it says hello once on
// `weft.sab-directory`, the directory opens the thread's channel and
// welcomes it, and from then on deposits, wants and releases go on the
// private channel, and the buffers wanted come back on it. Nothing is
// broadcast to all threads, so a thread that never reads (blocked, busy)
// accumulates nothing. The directory bumps the registry's DIRECTORY_REPLIES
// word after each message it sends, so a Sync reader blocks on that word
// and an async reader waits on it with waitAsync (never blocking its loop).
//
// Lifetime: a worker dies with the thread that started it. The main thread
// starts the directory as soon as it makes a Queue, so in the usual case it
// lives as long as the process. When a worker had to start it, the
// registry's DIRECTORY_PARENT word names that worker; a thread that waits on
// the directory and finds that thread dead starts a new generation. Buffers
// deposited with the dead directory are then lost unless the reader's own
// cache holds them (ERR_SHAREABLE_LOST, at once, for the item being read).

import {
  BroadcastChannel,
  isMainThread,
  receiveMessageOnPort,
  threadId,
  Worker,
} from 'node:worker_threads';
import { StateError } from '../internal/errors.js';
import { weftModule } from '../internal/package-url.js';
import { deadlineOf, expired, PARK_SLICE, park, runAsync, runSync } from '../internal/blocking.js';
import type { Protocol } from '../internal/blocking.js';
import {
  DIRECTORY_PARENT,
  DIRECTORY_REPLIES,
  DIRECTORY_STATE,
  isKnownDead,
  registryBuffer,
  table,
} from '../threading/registry.js';

export const CHANNEL = 'weft.sab-directory';
/** The private channel between thread `thread` and the directory. */
export function channelOf(thread: number): string {
  return `${CHANNEL}/${thread}`;
}

// DIRECTORY_STATE = gen * 4 + phase; 0 means never started.
export const STARTING = 1;
export const READY = 2;
export const genOf = (state: number): number => state >>> 2;
export const phaseOf = (state: number): number => state & 3;

/** Longest wait for the directory to start, or for a wanted buffer. */
const TIMEOUT = 10_000;
/** Slice of a wait after which the directory's liveness is checked again. */
const SLICE = 50;

/** Thread → directory, on the private channel. */
export interface ToDirectory {
  /** `[key, sab, key, sab, …]`: one more item refers to each. */
  readonly deposit?: unknown[];
  /** Keys whose buffers the thread needs. */
  readonly want?: string[];
  /** Keys of an item consumed: one item fewer refers to each. */
  readonly release?: string[];
}

/** Directory → thread, on the private channel. */
export interface FromDirectory {
  readonly welcome?: number;
  /** `[key, sab, key, sab, …]`, answering a want. */
  readonly give?: unknown[];
}

let own: BroadcastChannel | undefined;
/** Generation of the directory that welcomed this thread (-1: none). */
let welcomed = -1;
let counter = 0;
const cache = new Map<string, WeakRef<SharedArrayBuffer>>();
const keyOf = new WeakMap<SharedArrayBuffer, string>();
// Strong references to buffers given by the directory, until the reader that
// wanted them has taken them (a weak one alone could be collected first).
const arrived = new Map<string, SharedArrayBuffer>();
// Keys a reader here is waiting for (a buffer given after its reader gave up
// is only cached weakly, never kept).
const wanted = new Set<string>();
const forget = new FinalizationRegistry<string>((key) => {
  if (cache.get(key)?.deref() === undefined) cache.delete(key);
});

function remember(key: string, sab: SharedArrayBuffer): void {
  if (cache.get(key)?.deref() === sab) return;
  cache.set(key, new WeakRef(sab));
  if (!keyOf.has(sab)) keyOf.set(sab, key);
  forget.register(sab, key);
}

function cached(key: string): SharedArrayBuffer | undefined {
  return cache.get(key)?.deref() ?? arrived.get(key);
}

/** Opens this thread's channel, and on the main thread starts the directory (without waiting). */
export function openDirectory(): void {
  if (isMainThread && Atomics.load(table(), DIRECTORY_STATE) === 0) start(0);
  if (own !== undefined) return;
  own = new BroadcastChannel(channelOf(threadId));
  // A listener as well as receiveMessageOnPort: on Node 20 a channel with no
  // listener can lose messages once the thread's event loop turns.
  own.onmessage = (event: unknown) => accept((event as { data: unknown }).data);
  own.unref();
}

function accept(data: unknown): void {
  const message = data as FromDirectory;
  if (typeof message.welcome === 'number') welcomed = message.welcome;
  else if (Array.isArray(message.give)) {
    const give = message.give;
    for (let i = 0; i + 1 < give.length; i += 2) {
      const key = give[i];
      const sab = give[i + 1];
      if (typeof key === 'string' && sab instanceof SharedArrayBuffer) {
        remember(key, sab);
        if (wanted.has(key)) arrived.set(key, sab);
      }
    }
  }
}

function drain(): void {
  if (own === undefined) return;
  for (;;) {
    const received = receiveMessageOnPort(own as never) as { message: unknown } | undefined;
    if (received === undefined) return;
    accept(received.message);
  }
}

function post(message: ToDirectory): void {
  own!.postMessage(message);
}

// Starts generation genOf(seen) + 1 if the state is still `seen`. The
// directory stores READY itself once its channel listens.
function start(seen: number): void {
  const words = table();
  const gen = seen === 0 ? 1 : genOf(seen) + 1;
  if (Atomics.compareExchange(words, DIRECTORY_STATE, seen, gen * 4 + STARTING) !== seen) return;
  Atomics.store(words, DIRECTORY_PARENT, threadId);
  const worker = new Worker(weftModule('queue/entry/directory'), {
    workerData: { weftRegistry: registryBuffer(), weftDirectory: gen },
    name: 'weft-directory',
    stdout: false,
  });
  worker.unref();
}

// Whether the directory in `state` can no longer answer (its starter died
// before or after it started); if so a new generation is started.
function restartIfDead(state: number): boolean {
  if (state !== 0 && !isKnownDead(Atomics.load(table(), DIRECTORY_PARENT))) return false;
  start(state);
  return true;
}

/**
 * What the next step of attaching needs: `undefined` when this thread is
 * welcomed by the live directory, else the word and value to wait on.
 */
function attachStep(): { index: number; value: number } | undefined {
  const words = table();
  const state = Atomics.load(words, DIRECTORY_STATE);
  if (phaseOf(state) === READY && genOf(state) === welcomed) return undefined;
  if (state === 0) {
    start(0);
    return { index: DIRECTORY_STATE, value: Atomics.load(words, DIRECTORY_STATE) };
  }
  if (phaseOf(state) !== READY) return { index: DIRECTORY_STATE, value: state };
  openDirectory();
  const replies = Atomics.load(words, DIRECTORY_REPLIES);
  drain();
  if (welcomed === genOf(state)) return undefined;
  if (hello !== state) {
    hello = state;
    const inbox = new BroadcastChannel(CHANNEL);
    inbox.postMessage({ hello: threadId });
    inbox.close();
  }
  return { index: DIRECTORY_REPLIES, value: replies };
}
let hello = -1;

function startError(): StateError {
  return new StateError('ERR_DIRECTORY_START', 'The buffer directory thread did not start');
}

// Until this thread is welcomed by the live directory (once per thread,
// normally), for both drivers; restarts a directory found dead.
function* attaching(): Protocol<void> {
  const deadline = deadlineOf(TIMEOUT);
  for (let step = attachStep(); step !== undefined; step = attachStep()) {
    if (expired(deadline)) throw startError();
    if ((yield park(table(), step.index, step.value, Infinity, SLICE)) === PARK_SLICE) {
      restartIfDead(Atomics.load(table(), DIRECTORY_STATE));
    }
  }
}

/** Blocks until this thread is welcomed by the live directory. */
function attachSync(): void {
  if (needsAttach()) runSync(attaching());
}

/** Whether `deposit` would have to wait for the directory (async callers await `attachDirectory` first). */
export function needsAttach(): boolean {
  const state = Atomics.load(table(), DIRECTORY_STATE);
  return !(phaseOf(state) === READY && genOf(state) === welcomed);
}

/** Waits, without blocking, until this thread may deposit without waiting. */
export function attachDirectory(): Promise<void> {
  return runAsync(attaching());
}

/**
 * Deposits `sabs` for one item with the directory; returns their keys, in
 * order, to be written in the item's header. Blocks only the first time a
 * thread deposits (until the directory welcomes it).
 */
export function deposit(sabs: readonly SharedArrayBuffer[]): string[] {
  attachSync();
  const keys: string[] = [];
  const message: unknown[] = [];
  for (const sab of sabs) {
    let key = keyOf.get(sab);
    if (key === undefined || keyGen(key) !== welcomed || cached(key) !== sab) {
      key = `${welcomed}.${threadId}.${++counter}`;
      keyOf.set(sab, key);
      remember(key, sab);
    }
    keys.push(key);
    message.push(key, sab);
  }
  post({ deposit: message });
  return keys;
}

function keyGen(key: string): number {
  return Number.parseInt(key, 10);
}

/**
 * Lets go of one item's keys without reading it (an item dropped by
 * shutdown({ immediate })).
 */
export function release(keys: readonly string[]): void {
  if (keys.length === 0) return;
  for (const key of keys) {
    arrived.delete(key);
    wanted.delete(key);
  }
  // A key of another generation counts nowhere any more.
  const live = keys.filter((key) => keyGen(key) === welcomed);
  if (live.length > 0 && own !== undefined) post({ release: live });
}

function lost(key: string): StateError {
  return new StateError(
    'ERR_SHAREABLE_LOST',
    `A shared buffer in a queue item (${key}) can no longer be found: the buffer directory that held it ended with the thread that started it`,
  );
}

// The buffers of `keys` found here now, or the keys still missing.
function collect(keys: readonly string[], out: SharedArrayBuffer[]): string[] {
  const missing: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const sab = cached(keys[i]!);
    if (sab !== undefined) out[i] = sab;
    else missing.push(keys[i]!);
  }
  return missing;
}

/**
 * The buffers of one item being read, in the order of `keys`; then releases
 * the keys. May block the calling thread while the directory answers.
 *
 * @throws {StateError} `ERR_SHAREABLE_LOST` when a buffer can no longer be found.
 */
export function resolveSync(keys: readonly string[]): SharedArrayBuffer[] {
  return runSync(resolving(keys));
}

/** `resolveSync` without blocking: waits for the directory with waitAsync. */
export function resolveAsync(keys: readonly string[]): Promise<SharedArrayBuffer[]> {
  return runAsync(resolving(keys));
}

// Both forms: the buffers found here, else asked of the directory and
// waited for (its replies bump DIRECTORY_REPLIES).
function* resolving(keys: readonly string[]): Protocol<SharedArrayBuffer[]> {
  const out: SharedArrayBuffer[] = [];
  try {
    let missing = collect(keys, out);
    if (missing.length === 0) return out;
    yield* attaching();
    for (const key of missing) if (keyGen(key) !== welcomed) throw lost(key);
    for (const key of missing) wanted.add(key);
    post({ want: missing });
    const words = table();
    const deadline = deadlineOf(TIMEOUT);
    for (;;) {
      const replies = Atomics.load(words, DIRECTORY_REPLIES);
      drain();
      missing = collect(keys, out);
      if (missing.length === 0) return out;
      if (expired(deadline)) throw lost(missing[0]!);
      if ((yield park(words, DIRECTORY_REPLIES, replies, Infinity, SLICE)) === PARK_SLICE) {
        const state = Atomics.load(words, DIRECTORY_STATE);
        if (restartIfDead(state) || genOf(state) !== welcomed) throw lost(missing[0]!);
      }
    }
  } finally {
    release(keys);
  }
}
