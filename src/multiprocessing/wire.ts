// The Manager's socket wire: length-prefixed frames and the authentication
// handshake (between threads, messages travel structured; see server.ts). A frame is `[u32 length][u32 id][payload]` (little endian;
// `length` counts id + payload). Payloads are `v8.serialize`d data: a request
// `[oid, method, args, table]`, a reply `[status, value, table]` (see
// docs/multiprocessing.md). `id` bit 31 marks a Sync call, whose reply the
// relaying thread hands to the blocked caller instead of its event loop.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Set in a frame id when the caller is blocked waiting for it (a Sync call). */
export const SYNC_BIT = 0x8000_0000;
/** Largest frame accepted after authentication (bytes). */
export const MAX_FRAME = 512 * 1024 * 1024;
/** Largest frame accepted before authentication: a handshake message is 64 bytes. */
export const MAX_HANDSHAKE_FRAME = 256;
/** Bytes of every nonce and MAC. */
export const NONCE_BYTES = 32;

export const OK = 0;
export const FAILED = 1;

/**
 * Builds a frame around `payload`, in a buffer of its own: a small
 * `Buffer.allocUnsafe` is a view of a shared 8 KiB pool slab, and posting
 * such a view to a port would copy (or could not transfer) the whole slab.
 */
export function frame(id: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(8 + payload.length);
  out.writeUInt32LE(payload.length + 4, 0);
  out.writeUInt32LE(id >>> 0, 4);
  out.set(payload, 8);
  return out;
}

/** Concatenates frames into one buffer of its own (see {@link frame}). */
export function joinFrames(list: readonly Buffer[]): Buffer {
  if (list.length === 1) return list[0]!;
  let size = 0;
  for (const b of list) size += b.length;
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const b of list) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

let copied = 0;

/**
 * Bytes the frame readers of this thread have copied so far (a diagnostic for
 * tests: moving a value must stay linear in its size).
 */
export function frameBytesCopied(): number {
  return copied;
}

/**
 * Cuts a byte stream into frames. A partial frame is kept as a list of chunks
 * and joined once, when its last byte arrives: moving a value costs time
 * linear in its size, however the stream is chunked.
 */
export class FrameReader {
  /** The chunks of an incomplete frame (and whatever follows it). */
  #chunks: Buffer[] = [];
  #size = 0;
  #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  set limit(limit: number) {
    this.#limit = limit;
  }

  /**
   * Calls `onFrame(id, payload)` for every whole frame in `chunk`; throws a
   * RangeError (code ERR_MANAGER_PROTOCOL) for a frame over the limit, before
   * buffering it.
   */
  push(chunk: Buffer, onFrame: (id: number, payload: Buffer) => void): void {
    let buf = chunk;
    if (this.#size > 0) {
      this.#chunks.push(chunk);
      this.#size += chunk.length;
      if (this.#size < 4) return;
      const length = this.#length();
      if (length < 4 || length > this.#limit) throw protocolError('A frame is too large');
      if (this.#size < 4 + length) return;
      buf = Buffer.concat(this.#chunks, this.#size);
      copied += this.#size;
      this.#chunks = [];
      this.#size = 0;
    }
    let at = 0;
    while (buf.length - at >= 4) {
      const length = buf.readUInt32LE(at);
      if (length < 4 || length > this.#limit) throw protocolError('A frame is too large');
      if (buf.length - at - 4 < length) break;
      const id = buf.readUInt32LE(at + 4);
      onFrame(id, buf.subarray(at + 8, at + 4 + length));
      at += 4 + length;
    }
    if (at < buf.length) {
      // A tail cut from a larger buffer is copied, so as not to pin the whole
      // buffer (bounded by one chunk); a whole chunk is kept as it is.
      const rest = at === 0 ? buf : Buffer.from(buf.subarray(at));
      if (at > 0) copied += rest.length;
      this.#chunks.push(rest);
      this.#size = rest.length;
    }
  }

  /** The length header of the pending frame, which may span chunks. */
  #length(): number {
    const first = this.#chunks[0]!;
    if (first.length >= 4) return first.readUInt32LE(0);
    const head = Buffer.alloc(4);
    let at = 0;
    for (const c of this.#chunks) {
      at += c.copy(head, at, 0, Math.min(c.length, 4 - at));
      if (at === 4) break;
    }
    return head.readUInt32LE(0);
  }
}

/** Calls `onFrame` for each whole frame in `bytes` (a batch written by one side). */
export function eachFrame(
  bytes: Uint8Array,
  onFrame: (id: number, payload: Uint8Array) => void,
): void {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 8 <= view.length) {
    const length = view.readUInt32LE(at);
    onFrame(view.readUInt32LE(at + 4), view.subarray(at + 8, at + 4 + length));
    at += 4 + length;
  }
}

/** The error payload of a reply. */
export interface ErrorData {
  readonly name: string;
  readonly code: string;
  readonly message: string;
}

export function protocolError(message: string): RangeError {
  const e = new RangeError(message);
  Object.defineProperty(e, 'code', { value: 'ERR_MANAGER_PROTOCOL', enumerable: true });
  return e;
}

// ---- Authentication: an HMAC-SHA256 challenge each way, as Python's
// multiprocessing.connection does (deliver_challenge / answer_challenge).
// The role is mixed into the MAC so that one side's answer can never be
// replayed as the other side's.

export function nonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

export function mac(key: Uint8Array, role: 'client' | 'server', challenge: Uint8Array): Buffer {
  return createHmac('sha256', key).update(`weft.manager.${role}:`).update(challenge).digest();
}

export function macMatches(
  key: Uint8Array,
  role: 'client' | 'server',
  challenge: Uint8Array,
  answer: Uint8Array,
): boolean {
  const expected = mac(key, role, challenge);
  return answer.length === expected.length && timingSafeEqual(expected, answer);
}

/** The payload the server sends when the client's answer is wrong. */
export const REFUSED = Buffer.from('weft.manager.refused');
