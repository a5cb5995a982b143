// A process pool child's ledger (fd 4): one ordered byte stream that carries
// both "I take my next task" marks and the tasks' results. A child shares no
// memory with its pool, so before it begins a task everything the pool must
// not lose has to be out of its memory: the results it finished and the mark
// of the task it is about to run. The child writes both in one blocking write
// (once it returns, the bytes are in the kernel and survive a SIGKILL), and
// the pool reads the stream to its end when the child dies. One syscall per
// task and no IPC message per result: the pool parses a chunk of many records
// at once. Every result goes this way, large ones too: a result sent over IPC
// may still sit in the child's memory (libuv's write queue) when it is
// killed, and would be lost.
//
// Records (little-endian):
//   BEGIN                            the child takes its next task (ring position)
//   BUSY f64                         ms the results that follow took to run
//   UNDEFINED | NULL | TRUE | FALSE  a result
//   INT i32 | DOUBLE f64             a number result
//   STRING u32 n, n bytes UTF-16LE   a short string result (lossless: lone surrogates survive)
//   SKIPPED                          not run: aborted before it started
//   SERIAL u8 kind, u32 n, n bytes   any other result (kind: protocol.ts K_*), V8-serialized
// Results are in the order the tasks were sent, as in an IPC results message.

import { deserialize, serialize } from 'node:v8';
import { notCloneable } from './failures.js';
import { K_ERROR, K_SKIPPED } from './protocol.js';
import { encodeError } from '../internal/error-wire.js';

const BEGIN = 1;
const BUSY = 2;
const UNDEFINED = 3;
const NULL = 4;
const TRUE = 5;
const FALSE = 6;
const INT = 7;
const DOUBLE = 8;
const STRING = 9;
const SKIPPED = 10;
const SERIAL = 11;
/** Size of a BUSY record. */
const HEAD = 9;

/** Strings up to this many code units go inline (longer ones are serialized: one byte per Latin-1 character). */
const MAX_STRING = 4096;

/** The child's side: collects records and writes them out in one write. */
export class LedgerWriter {
  readonly #write: (bytes: Buffer) => void;
  // Bytes [0, HEAD) are kept for a BUSY record, so it comes before the
  // results it covers and reaches the pool with them.
  #buf = Buffer.allocUnsafe(4096);
  #len = HEAD;
  #results = false;

  /** @param write Writes all the bytes, blocking until the kernel has them. */
  constructor(write: (bytes: Buffer) => void) {
    this.#write = write;
  }

  /** Whether results wait to be written. */
  get pending(): boolean {
    return this.#results;
  }

  /** Records that the child takes its next task. */
  begin(): void {
    this.#room(1);
    this.#buf[this.#len++] = BEGIN;
  }

  /** Records the next result: `kind` as in a results message (0: a plain value). */
  result(kind: number, value: unknown): void {
    this.#results = true;
    if (kind === 0) {
      switch (typeof value) {
        case 'number':
          if ((value | 0) === value && (value !== 0 || 1 / value > 0)) {
            this.#room(5);
            this.#buf[this.#len] = INT;
            this.#buf.writeInt32LE(value, this.#len + 1);
            this.#len += 5;
          } else {
            this.#room(9);
            this.#buf[this.#len] = DOUBLE;
            this.#buf.writeDoubleLE(value, this.#len + 1);
            this.#len += 9;
          }
          return;
        case 'boolean':
          this.#tag(value ? TRUE : FALSE);
          return;
        case 'undefined':
          this.#tag(UNDEFINED);
          return;
        case 'string':
          if (value.length <= MAX_STRING) {
            const n = value.length * 2;
            this.#room(5 + n);
            const buf = this.#buf;
            buf[this.#len] = STRING;
            buf.writeUInt32LE(n, this.#len + 1);
            buf.write(value, this.#len + 5, n, 'utf16le');
            this.#len += 5 + n;
            return;
          }
          break;
        case 'object':
          if (value === null) {
            this.#tag(NULL);
            return;
          }
          break;
      }
    } else if (kind === K_SKIPPED) {
      this.#tag(SKIPPED);
      return;
    }
    let bytes: Buffer;
    try {
      bytes = serialize(value);
    } catch (error) {
      kind = K_ERROR;
      bytes = serialize(encodeError(notCloneable('result', error)));
    }
    this.#room(6 + bytes.length);
    const buf = this.#buf;
    buf[this.#len] = SERIAL;
    buf[this.#len + 1] = kind;
    buf.writeUInt32LE(bytes.length, this.#len + 2);
    bytes.copy(buf, this.#len + 6);
    this.#len += 6 + bytes.length;
  }

  /** Writes what was recorded (blocking), with the ms its results took to run. */
  flush(busyMs = 0): void {
    if (this.#len === HEAD) return;
    let from = HEAD;
    if (this.#results) {
      from = 0;
      this.#buf[0] = BUSY;
      this.#buf.writeDoubleLE(busyMs, 1);
    }
    const bytes = this.#buf.subarray(from, this.#len);
    this.#len = HEAD;
    this.#results = false;
    this.#write(bytes);
  }

  #tag(tag: number): void {
    this.#room(1);
    this.#buf[this.#len++] = tag;
  }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#len + n));
    this.#buf.copy(grown, 0, 0, this.#len);
    this.#buf = grown;
  }
}

/**
 * The pool's side: parses the stream into results messages
 * (`[busyMs, specials, v0, v1, …]`, as a thread sends them).
 */
export class LedgerReader {
  /** BEGIN records read: tasks (ring positions) the child took. */
  begun = 0;
  /** Set when the stream is not a ledger (a task wrote to fd 4 itself): nothing more is read. */
  corrupt = false;
  // An incomplete record: its chunks so far, their length, and the length it needs (0: unknown yet).
  #parts: Buffer[] | undefined;
  #partLength = 0;
  #need = 0;
  #busy = 0;
  #out: unknown[] = [0, 0];
  #specials: number[] | undefined;

  /** Reads a chunk of the ledger; returns the results it completes, if any. */
  data(chunk: Buffer): unknown[] | undefined {
    if (this.corrupt) return undefined;
    let buf = chunk;
    if (this.#parts !== undefined) {
      // A large result arrives in many chunks: join them once, not per chunk.
      this.#parts.push(chunk);
      this.#partLength += chunk.length;
      if (this.#partLength < this.#need) return undefined;
      buf = Buffer.concat(this.#parts, this.#partLength);
      this.#parts = undefined;
    }
    const end = buf.length;
    let i = 0;
    while (i < end) {
      const start = i;
      // Bytes the record needs, once its header says.
      let need = 0;
      const tag = buf[i++]!;
      switch (tag) {
        case BEGIN:
          this.begun++;
          continue;
        case BUSY:
          if (i + 8 > end) break;
          this.#busy += buf.readDoubleLE(i);
          i += 8;
          continue;
        case UNDEFINED:
          this.#emit(0, undefined);
          continue;
        case NULL:
          this.#emit(0, null);
          continue;
        case TRUE:
          this.#emit(0, true);
          continue;
        case FALSE:
          this.#emit(0, false);
          continue;
        case INT:
          if (i + 4 > end) break;
          this.#emit(0, buf.readInt32LE(i));
          i += 4;
          continue;
        case DOUBLE:
          if (i + 8 > end) break;
          this.#emit(0, buf.readDoubleLE(i));
          i += 8;
          continue;
        case STRING: {
          if (i + 4 > end) break;
          const n = buf.readUInt32LE(i);
          need = 5 + n;
          if (i + 4 + n > end) break;
          this.#emit(0, buf.toString('utf16le', i + 4, i + 4 + n));
          i += 4 + n;
          continue;
        }
        case SKIPPED:
          this.#emit(K_SKIPPED, 0);
          continue;
        case SERIAL: {
          if (i + 5 > end) break;
          const n = buf.readUInt32LE(i + 1);
          need = 6 + n;
          if (i + 5 + n > end) break;
          let value: unknown;
          try {
            value = deserialize(buf.subarray(i + 5, i + 5 + n));
          } catch {
            this.corrupt = true;
            return this.#take();
          }
          this.#emit(buf[i]!, value);
          i += 5 + n;
          continue;
        }
        default:
          this.corrupt = true;
          return this.#take();
      }
      // An incomplete record: keep it for the next chunks.
      this.#need = need;
      this.#parts = [buf.subarray(start)];
      this.#partLength = end - start;
      break;
    }
    return this.#take();
  }

  #emit(kind: number, value: unknown): void {
    const out = this.#out;
    if (kind !== 0) (this.#specials ??= []).push(out.length - 2, kind);
    out.push(value);
  }

  #take(): unknown[] | undefined {
    const out = this.#out;
    if (out.length === 2) return undefined;
    out[0] = this.#busy;
    out[1] = this.#specials ?? 0;
    this.#busy = 0;
    this.#specials = undefined;
    this.#out = [0, 0];
    return out;
  }
}
