// The process's buffer directory (see ../sab-directory.ts): holds every
// buffer some unconsumed queue item refers to, counted per key (deposits
// minus releases), hands buffers to the threads that want them, and drops a
// buffer once its count is back to 0.

import v8 from 'node:v8';
import vm from 'node:vm';
import { BroadcastChannel, workerData } from 'node:worker_threads';
import { CHANNEL, channelOf, genOf, READY, STARTING } from '../sab-directory.js';
import type { FromDirectory, ToDirectory } from '../sab-directory.js';
import {
  DIRECTORY_REPLIES,
  DIRECTORY_STATE,
  isKnownDead,
  table,
} from '../../threading/registry.js';

const gen = (workerData as { weftDirectory: number }).weftDirectory;
const words = table();

interface Held {
  sab: SharedArrayBuffer | undefined;
  count: number;
}
const held = new Map<string, Held>();
/** Keys wanted before their deposit arrived → the threads waiting for them. */
const parked = new Map<string, Set<number>>();
const channels = new Map<number, BroadcastChannel>();

// This isolate allocates almost nothing, so V8 seldom collects it, and the
// memory of a dropped buffer lives as long as its JS object here (measured:
// 300 MiB kept for minutes). So some time after dropping buffers, the
// directory collects itself, with V8's gc exposed to this context alone
// (the flag is set only while this context's `gc` is taken, unless the
// process was started with --expose-gc).
const gc = collector();
let collecting = false;
let lastDrop = 0;
function collector(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as () => void;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}
// Collects every 100 ms while buffers are being dropped and until 500 ms
// have passed without a drop: an object can stay reachable for a moment
// after its entry is gone (the last message received still refers to it),
// so one collection right after the last drop is not always enough.
function dropped(): void {
  lastDrop = performance.now();
  if (collecting || gc === undefined) return;
  collecting = true;
  const collect = (): void => {
    gc();
    if (performance.now() - lastDrop < 500) setTimeout(collect, 100).unref();
    else collecting = false;
  };
  setTimeout(collect, 100).unref();
}

const inbox = new BroadcastChannel(CHANNEL);
inbox.onmessage = (event: unknown) => {
  if (retired()) return;
  const thread = (event as { data: { hello?: unknown } }).data.hello;
  if (typeof thread === 'number') connect(thread);
};

// A newer generation was started (this one was thought dead): step aside.
function retired(): boolean {
  if (genOf(Atomics.load(words, DIRECTORY_STATE)) === gen) return false;
  inbox.close();
  for (const channel of channels.values()) channel.close();
  channels.clear();
  held.clear();
  return true;
}

function connect(thread: number): void {
  // Channels of threads known to have ended are closed (their parked wants dropped).
  for (const [other, channel] of channels) {
    if (isKnownDead(other)) {
      channel.close();
      channels.delete(other);
      for (const waiting of parked.values()) waiting.delete(other);
    }
  }
  let channel = channels.get(thread);
  if (channel === undefined) {
    channel = new BroadcastChannel(channelOf(thread));
    channel.onmessage = (event: unknown) => {
      if (!retired()) receive(thread, (event as { data: ToDirectory }).data);
    };
    channels.set(thread, channel);
  }
  send(thread, { welcome: gen });
}

function send(thread: number, message: FromDirectory): void {
  channels.get(thread)?.postMessage(message);
  Atomics.add(words, DIRECTORY_REPLIES, 1);
  Atomics.notify(words, DIRECTORY_REPLIES);
}

function count(key: string, by: number, sab?: SharedArrayBuffer): void {
  const entry = held.get(key) ?? { sab: undefined, count: 0 };
  entry.count += by;
  if (sab !== undefined) entry.sab = sab;
  if (entry.sab !== undefined) {
    const waiting = parked.get(key);
    if (waiting !== undefined) {
      parked.delete(key);
      for (const thread of waiting) send(thread, { give: [key, entry.sab] });
    }
  }
  if (entry.count !== 0) held.set(key, entry);
  else if (held.delete(key) && entry.sab !== undefined) dropped();
}

function receive(thread: number, message: ToDirectory): void {
  if (Array.isArray(message.deposit)) {
    const deposit = message.deposit;
    for (let i = 0; i + 1 < deposit.length; i += 2) {
      const key = deposit[i];
      const sab = deposit[i + 1];
      if (typeof key === 'string' && sab instanceof SharedArrayBuffer) count(key, 1, sab);
    }
  }
  if (Array.isArray(message.release)) {
    for (const key of message.release) if (typeof key === 'string') count(key, -1);
  }
  if (Array.isArray(message.want)) {
    const give: unknown[] = [];
    for (const key of message.want) {
      if (typeof key !== 'string') continue;
      const sab = held.get(key)?.sab;
      if (sab !== undefined) give.push(key, sab);
      else {
        let waiting = parked.get(key);
        if (waiting === undefined) parked.set(key, (waiting = new Set()));
        waiting.add(thread);
      }
    }
    if (give.length > 0) send(thread, { give });
  }
}

// Ready only now that the inbox listens, so no hello can be missed.
Atomics.compareExchange(words, DIRECTORY_STATE, gen * 4 + STARTING, gen * 4 + READY);
Atomics.notify(words, DIRECTORY_STATE);
