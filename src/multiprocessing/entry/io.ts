// Entry of a client thread's I/O worker: owns that thread's socket to one
// manager, so the thread's Sync calls can block (Atomics.wait) while this
// thread does the round trip. Client thread → `port` (structured requests)
// → frames on the socket; frames → replies on `port` (async, batched) or on
// `syncPort` + a bump of word 0 (the reply a blocked caller waits for). It
// only encodes and decodes: payloads are never revived here. When the connection fails or ends it stores why in word 1,
// answers every outstanding and later request with that error, and wakes
// the caller.

import { codedError } from '../../internal/errors.js';
import { connect } from 'node:net';
import { deserialize, serialize } from 'node:v8';
import { workerData, type MessagePort } from 'node:worker_threads';
import {
  FrameReader,
  MAX_FRAME,
  MAX_HANDSHAKE_FRAME,
  NONCE_BYTES,
  FAILED,
  REFUSED,
  SYNC_BIT,
  frame,
  joinFrames,
  mac,
  macMatches,
  nonce,
  type ErrorData,
} from '../wire.js';
import { DEAD, deadError } from '../dead.js';
import type { Address } from '../address.js';
import type { ReplyMessage, RequestMessage } from '../server.js';

interface IoData {
  readonly address: Address;
  readonly authkey: Uint8Array;
  readonly port: MessagePort;
  readonly syncPort: MessagePort;
  readonly word: Int32Array;
}

const { address, authkey, port, syncPort, word } = workerData as IoData;
const outstanding = new Set<number>();
let queued: Buffer[] | undefined = [];
let dead = 0;

const socket = 'path' in address ? connect(address.path) : connect(address.port, address.host);
socket.setNoDelay(true);
const reader = new FrameReader(MAX_HANDSHAKE_FRAME);
let stage: 'challenge' | 'verify' | 'ready' = 'challenge';
const ours = nonce();
let out: ReplyMessage[] = [];

function deliver(reply: ReplyMessage): void {
  const id = reply[0];
  outstanding.delete(id);
  if ((id & SYNC_BIT) !== 0) {
    syncPort.postMessage(reply);
    Atomics.add(word, 0, 1);
    Atomics.notify(word, 0);
  } else out.push(reply);
}

function failed(id: number, error: ErrorData): ReplyMessage {
  return [id, FAILED, error, undefined];
}

function flushOut(): void {
  if (out.length === 0) return;
  port.postMessage(out);
  out = [];
}

function fail(code: number): void {
  if (dead !== 0) return;
  dead = code;
  Atomics.store(word, 1, code);
  const error = deadError(code);
  for (const id of [...outstanding]) deliver(failed(id, error));
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
        let reply: unknown;
        try {
          reply = deserialize(payload);
        } catch {
          reply = undefined;
        }
        if (Array.isArray(reply) && reply.length === 3) {
          deliver([id, reply[0] as number, reply[1], reply[2]]);
        } else {
          deliver(
            failed(id, {
              name: 'ManagerError',
              code: 'ERR_MANAGER_PROTOCOL',
              message: 'A manager reply is malformed',
            }),
          );
        }
        return;
      }
      if (stage === 'challenge') {
        if (payload.length !== NONCE_BYTES)
          throw codedError(Error, 'ERR_MANAGER_PROTOCOL', 'bad challenge');
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
    // Garbage in place of a challenge: whatever answers is no manager.
    fail(stage === 'ready' ? DEAD.GONE : stage === 'challenge' ? DEAD.UNREACHABLE : DEAD.AUTH);
  }
  flushOut();
});
socket.on('error', () => {
  // 'close' follows.
});
socket.on('close', () => {
  fail(stage === 'ready' ? DEAD.GONE : stage === 'challenge' ? DEAD.UNREACHABLE : DEAD.AUTH);
});

// Requests arrive as structured messages `[id, oid, method, args, table]`
// (the client thread's clone already proved them cloneable); encoded here,
// off the caller's thread.
port.on('message', (requests: RequestMessage[]) => {
  const frames: Buffer[] = [];
  for (const [id, oid, method, args, table] of requests) {
    outstanding.add(id);
    if (dead !== 0) continue;
    try {
      frames.push(frame(id, serialize([oid, method, args, table])));
    } catch (error) {
      deliver(
        failed(id, {
          name: 'TypeError',
          code: 'ERR_NOT_CLONEABLE',
          message: (error as Error).message,
        }),
      );
      // The server counts this thread's socket requests (a lane request
      // waits for those sent before it): send a no-op in its place.
      frames.push(frame(0, serialize([0, 'ping', [], undefined])));
    }
  }
  if (dead !== 0) {
    const error = deadError(dead);
    for (const id of [...outstanding]) deliver(failed(id, error));
    flushOut();
    return;
  }
  flushOut();
  if (frames.length === 0) return;
  const bytes = joinFrames(frames);
  if (queued !== undefined) queued.push(bytes);
  else socket.write(bytes);
});
