// SharedArrayBuffers inside bytes. A queue item lives in shared memory as
// bytes, and a SharedArrayBuffer (the heart of every shareable) cannot be
// written as bytes: only postMessage hands one to another thread. So the
// writer announces each buffer once on a process-wide BroadcastChannel under
// a fresh id and writes the id; a reader that meets an unknown id drains its
// end of the channel synchronously (receiveMessageOnPort). postMessage
// enqueues into every open port before it returns, so a reader whose channel
// was open when the item was put finds the buffer waiting.
//
// A reader whose channel opened later (a thread started after the put) asks
// the directory: one daemon worker per process, started on first use, that
// keeps every announced buffer (the newest MAX) and re-announces it on
// request. The asker blocks on the registry's DIRECTORY_REPLIES word, which the
// directory bumps after each reply; the directory runs on its own thread, so
// it answers even when every other thread is blocked.

import { BroadcastChannel, receiveMessageOnPort, threadId, Worker } from 'node:worker_threads';
import { StateError } from '../internal/errors.js';
import {
  DIRECTORY_REPLIES,
  DIRECTORY_STATE,
  registryBuffer,
  table,
} from '../threading/registry.js';
import { weftModule } from '../internal/package-url.js';

export const CHANNEL = 'weft.sab-directory';
export const MAX = 65_536;
const NONE = 0;
const STARTING = 1;
const READY = 2;
const ASK_TIMEOUT = 10_000;

export interface Announcement {
  readonly id: string;
  readonly sab: SharedArrayBuffer;
}

export interface Request {
  readonly want: string;
}

let channel: BroadcastChannel | undefined;
let counter = 0;
const byId = new Map<string, SharedArrayBuffer>();
const idOf = new WeakMap<SharedArrayBuffer, string>();

/** Opens this thread's end of the channel (call before any item can be read here). */
export function openDirectory(): void {
  if (channel !== undefined) return;
  channel = new BroadcastChannel(CHANNEL);
  // Listening matters: on Node 20 a channel with no listener, opened before a
  // worker was started, can lose that worker's messages once this thread's
  // event loop turns (they are read neither by receiveMessageOnPort nor
  // later). With a listener each message arrives either here or in drain().
  channel.onmessage = (event: unknown) => accept((event as { data: unknown }).data);
  // Never keeps the thread alive.
  channel.unref();
}

function accept(data: unknown): void {
  const message = data as Partial<Announcement>;
  if (typeof message.id === 'string' && message.sab instanceof SharedArrayBuffer) {
    remember(message.id, message.sab);
  }
}

function remember(id: string, sab: SharedArrayBuffer): void {
  byId.set(id, sab);
  idOf.set(sab, id);
  if (byId.size > MAX) {
    const oldest = byId.keys().next().value;
    if (oldest !== undefined) byId.delete(oldest);
  }
}

function drain(): void {
  if (channel === undefined) return;
  for (;;) {
    const received = receiveMessageOnPort(channel as never) as { message: unknown } | undefined;
    if (received === undefined) return;
    accept(received.message);
  }
}

/** The id under which `sab` is known to every thread (announcing it once). */
export function sabId(sab: SharedArrayBuffer): string {
  let id = idOf.get(sab);
  if (id === undefined || !byId.has(id)) {
    ensureDirectory();
    openDirectory();
    drain();
    id = `${threadId}:${++counter}`;
    remember(id, sab);
    channel!.postMessage({ id, sab } satisfies Announcement);
  }
  return id;
}

/** The buffer announced under `id`. */
export function sabById(id: string): SharedArrayBuffer {
  let sab = byId.get(id);
  if (sab !== undefined) return sab;
  openDirectory();
  drain();
  sab = byId.get(id);
  if (sab !== undefined) return sab;
  // Announced before this thread's channel opened: ask the directory.
  const words = table();
  const deadline = performance.now() + ASK_TIMEOUT;
  for (;;) {
    const seen = Atomics.load(words, DIRECTORY_REPLIES);
    channel!.postMessage({ want: id } satisfies Request);
    Atomics.wait(words, DIRECTORY_REPLIES, seen, 50);
    drain();
    sab = byId.get(id);
    if (sab !== undefined) return sab;
    if (performance.now() > deadline) {
      throw new StateError(
        'ERR_SHAREABLE_LOST',
        `A shared buffer in a queue item (${id}) can no longer be found; more than ${MAX} were shared since it was put`,
      );
    }
  }
}

let started = false;

// Starts the process's directory once, and waits until its channel is open,
// so that no announcement can be missed by it.
function ensureDirectory(): void {
  if (started) return;
  const words = table();
  if (Atomics.compareExchange(words, DIRECTORY_STATE, NONE, STARTING) === NONE) {
    const worker = new Worker(weftModule('queue/entry/directory'), {
      workerData: { weftRegistry: registryBuffer() },
      name: 'weft-directory',
      stdout: false,
    });
    worker.unref();
  }
  const deadline = performance.now() + ASK_TIMEOUT;
  while (Atomics.load(words, DIRECTORY_STATE) !== READY) {
    if (performance.now() > deadline) {
      throw new StateError('ERR_DIRECTORY_START', 'The buffer directory thread did not start');
    }
    Atomics.wait(words, DIRECTORY_STATE, STARTING, 50);
  }
  started = true;
}

export { READY as DIRECTORY_READY };
