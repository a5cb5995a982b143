// Entry of a client thread's I/O worker: owns that thread's socket to one
// manager, so the thread's Sync calls can block (Atomics.wait) while this
// thread does the round trip. It relays frames as bytes and never reads a
// payload: client thread → `port` → socket; socket → `port` (async replies,
// batched) or `syncPort` + a bump of word 0 (the reply a blocked caller
// waits for). When the connection fails or ends it stores why in word 1,
// answers every outstanding and later request with that error, and wakes
// the caller.

import { connect } from 'node:net';
import { workerData, type MessagePort } from 'node:worker_threads';
import {
  FrameReader,
  eachFrame,
  MAX_FRAME,
  MAX_HANDSHAKE_FRAME,
  NONCE_BYTES,
  REFUSED,
  SYNC_BIT,
  errorFrame,
  frame,
  joinFrames,
  mac,
  macMatches,
  nonce,
  postBytes,
} from '../wire.js';
import { DEAD, deadError } from '../dead.js';
import type { Address } from '../address.js';

interface IoData {
  readonly address: Address;
  readonly authkey: Uint8Array;
  readonly port: MessagePort;
  readonly syncPort: MessagePort;
  readonly word: Int32Array;
}

const { address, authkey, port, syncPort, word } = workerData as IoData;
const outstanding = new Set<number>();
let queued: Uint8Array[] | undefined = [];
let dead = 0;

const socket = 'path' in address ? connect(address.path) : connect(address.port, address.host);
socket.setNoDelay(true);
const reader = new FrameReader(MAX_HANDSHAKE_FRAME);
let stage: 'challenge' | 'verify' | 'ready' = 'challenge';
const ours = nonce();
let out: Buffer[] = [];

function deliver(id: number, bytes: Buffer): void {
  outstanding.delete(id);
  if ((id & SYNC_BIT) !== 0) {
    postBytes(syncPort, bytes);
    Atomics.add(word, 0, 1);
    Atomics.notify(word, 0);
  } else out.push(bytes);
}

function flushOut(): void {
  if (out.length === 0) return;
  postBytes(port, joinFrames(out));
  out = [];
}

function fail(code: number): void {
  if (dead !== 0) return;
  dead = code;
  Atomics.store(word, 1, code);
  const error = deadError(code);
  for (const id of [...outstanding]) deliver(id, errorFrame(id, error));
  flushOut();
  queued = undefined;
  // Wake a caller blocked before its request even reached us.
  Atomics.add(word, 0, 1);
  Atomics.notify(word, 0);
  socket.destroy();
}

socket.on('data', (chunk: Buffer) => {
  try {
    reader.push(chunk, (id, payload) => {
      if (stage === 'ready') {
        deliver(id, frame(id, payload));
        return;
      }
      if (stage === 'challenge') {
        if (payload.length !== NONCE_BYTES) throw new Error('bad challenge');
        socket.write(frame(0, Buffer.concat([mac(authkey, 'client', payload), ours])));
        stage = 'verify';
        return;
      }
      if (payload.equals(REFUSED) || !macMatches(authkey, 'server', ours, payload)) {
        fail(DEAD.AUTH);
        return;
      }
      stage = 'ready';
      reader.limit = MAX_FRAME;
      const pending = queued ?? [];
      queued = undefined;
      for (const bytes of pending) socket.write(bytes);
    });
  } catch {
    fail(stage === 'ready' ? DEAD.GONE : DEAD.AUTH);
  }
  flushOut();
});
socket.on('error', () => {
  // 'close' follows.
});
socket.on('close', () => {
  fail(stage === 'ready' ? DEAD.GONE : stage === 'challenge' ? DEAD.UNREACHABLE : DEAD.AUTH);
});

port.on('message', (bytes: Uint8Array) => {
  eachFrame(bytes, (id) => outstanding.add(id));
  if (dead !== 0) {
    const error = deadError(dead);
    for (const id of [...outstanding]) deliver(id, errorFrame(id, error));
    flushOut();
    return;
  }
  if (queued !== undefined) queued.push(bytes);
  else socket.write(bytes);
});
