// A process pool child's ledger (fd 4): one ordered byte stream that carries
// both "I take my next task" marks and the tasks' results. A child shares no
// memory with its pool, so before it begins a task everything the pool must
// not lose has to be out of its memory: the results it finished and the mark
// of the task it is about to run. The child writes both in one blocking write
// (once it returns, the bytes are in the kernel and survive a SIGKILL), and
// the pool reads the stream to its end when the child dies. One syscall per
// task and no IPC message per result: the pool parses a chunk of many records
// at once.
//
// Records (little-endian):
//   BEGIN                            the child takes its next task (ring position)
//   BUSY f64                         ms the tasks since the last BUSY ran
//   UNDEFINED | NULL | TRUE | FALSE  a result
//   INT i32 | DOUBLE f64             a number result
//   STRING u32 n, n bytes UTF-16LE   a short string result (lossless: lone surrogates survive)
//   SKIPPED                          not run: aborted before it started
//   SERIAL u8 kind, u32 n, n bytes   any other result (kind: protocol.ts K_*), V8-serialized
//   SPILLED u8 kind                  a result too large for the pipe: its bytes come
//                                    over IPC ({ t: 'spill', data }), in the same order
// Results are in the order the tasks were sent, as in an IPC results message.

import { deserialize, serialize } from 'node:v8';
import { notCloneable } from './failures.js';
import { K_ERROR, K_SKIPPED } from './protocol.js';
import { serializeError } from './task-error.js';

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
const SPILLED = 12;

/** Strings up to this many code units go inline. */
const MAX_STRING = 4096;
/**
 * Serialized results above this many bytes go over IPC: a blocking write
 * larger than the socket's buffer would hold the child until the pool's
 * event loop reads, and a pool blocked on that child's later work would
 * never read it.
 */
const SPILL_BYTES = 64 * 1024;

/** The child's side: collects records and writes them out in one write. */
export class LedgerWriter {
  readonly #write: (bytes: Buffer) => void;
  readonly #spill: (bytes: Buffer) => void;
  #buf = Buffer.allocUnsafe(4096);
  #len = 0;
  #results = false;

  /**
   * @param write Writes all the bytes, blocking until the kernel has them.
   * @param spill Sends a large serialized result over IPC now.
   */
  constructor(write: (bytes: Buffer) => void, spill: (bytes: Buffer) => void) {
    this.#write = write;
    this.#spill = spill;
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

  /** Records busy time (ms) of the results since the last one. */
  busy(ms: number): void {
    this.#room(9);
    const buf = this.#buf;
    buf[this.#len] = BUSY;
    buf.writeDoubleLE(ms, this.#len + 1);
    this.#len += 9;
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
      bytes = serialize(serializeError(notCloneable('result', error)));
    }
    if (bytes.length > SPILL_BYTES) {
      this.#spill(bytes);
      this.#room(2);
      this.#buf[this.#len] = SPILLED;
      this.#buf[this.#len + 1] = kind;
      this.#len += 2;
      return;
    }
    this.#room(6 + bytes.length);
    const buf = this.#buf;
    buf[this.#len] = SERIAL;
    buf[this.#len + 1] = kind;
    buf.writeUInt32LE(bytes.length, this.#len + 2);
    bytes.copy(buf, this.#len + 6);
    this.#len += 6 + bytes.length;
  }

  /** Writes what was recorded (blocking). */
  flush(): void {
    if (this.#len === 0) return;
    const bytes = this.#buf.subarray(0, this.#len);
    this.#len = 0;
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

// A spilled result whose bytes have not arrived over IPC yet.
const HOLE = Symbol('spilled');

/**
 * The pool's side: parses the stream and the spilled results into results
 * messages (`[busyMs, specials, v0, v1, …]`, as a thread sends them).
 */
export class LedgerReader {
  /** BEGIN records read: tasks (ring positions) the child took. */
  begun = 0;
  /** Set when the stream is not a ledger (a task wrote to fd 4 itself): nothing more is read. */
  corrupt = false;
  #rest: Buffer | undefined;
  #busy = 0;
  // Results behind a spilled one whose bytes are still on the way: flat [kind, value].
  #held: unknown[] = [];
  #heldHead = 0;
  // Spilled results that arrived before their SPILLED record.
  #early: unknown[] = [];
  #out: unknown[] = [0, 0];
  #specials: number[] | undefined;

  /** Reads a chunk of the ledger; returns the results it completes, if any. */
  data(chunk: Buffer): unknown[] | undefined {
    if (this.corrupt) return undefined;
    let buf = chunk;
    if (this.#rest !== undefined) {
      buf = Buffer.concat([this.#rest, chunk]);
      this.#rest = undefined;
    }
    const end = buf.length;
    let i = 0;
    while (i < end) {
      const start = i;
      const tag = buf[i++]!;
      let kind = 0;
      let value: unknown;
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
          this.#add(0, undefined);
          continue;
        case NULL:
          this.#add(0, null);
          continue;
        case TRUE:
          this.#add(0, true);
          continue;
        case FALSE:
          this.#add(0, false);
          continue;
        case INT:
          if (i + 4 > end) break;
          this.#add(0, buf.readInt32LE(i));
          i += 4;
          continue;
        case DOUBLE:
          if (i + 8 > end) break;
          this.#add(0, buf.readDoubleLE(i));
          i += 8;
          continue;
        case STRING: {
          if (i + 4 > end) break;
          const n = buf.readUInt32LE(i);
          if (i + 4 + n > end) break;
          this.#add(0, buf.toString('utf16le', i + 4, i + 4 + n));
          i += 4 + n;
          continue;
        }
        case SKIPPED:
          this.#add(K_SKIPPED, 0);
          continue;
        case SERIAL: {
          if (i + 5 > end) break;
          kind = buf[i]!;
          const n = buf.readUInt32LE(i + 1);
          if (i + 5 + n > end) break;
          try {
            value = deserialize(buf.subarray(i + 5, i + 5 + n));
          } catch {
            this.corrupt = true;
            return this.#take();
          }
          this.#add(kind, value);
          i += 5 + n;
          continue;
        }
        case SPILLED:
          if (i + 1 > end) break;
          kind = buf[i++]!;
          if (this.#heldHead === this.#held.length && this.#early.length > 0) {
            this.#add(kind, this.#early.shift());
          } else this.#held.push(kind, HOLE);
          continue;
        default:
          this.corrupt = true;
          return this.#take();
      }
      // An incomplete record: keep it for the next chunk.
      this.#rest = Buffer.from(buf.subarray(start));
      break;
    }
    return this.#take();
  }

  /** Takes a spilled result's bytes (IPC); returns the results it completes, if any. */
  spilled(data: Uint8Array): unknown[] | undefined {
    if (this.corrupt) return undefined;
    let value: unknown;
    try {
      value = deserialize(data);
    } catch {
      this.corrupt = true;
      return undefined;
    }
    const held = this.#held;
    let i = this.#heldHead;
    while (i < held.length && held[i + 1] !== HOLE) i += 2;
    if (i === held.length) {
      this.#early.push(value);
      return undefined;
    }
    held[i + 1] = value;
    return this.#take();
  }

  #add(kind: number, value: unknown): void {
    if (this.#heldHead < this.#held.length) {
      this.#held.push(kind, value);
      return;
    }
    this.#emit(kind, value);
  }

  #emit(kind: number, value: unknown): void {
    const out = this.#out;
    if (kind !== 0) (this.#specials ??= []).push(out.length - 2, kind);
    out.push(value);
  }

  #take(): unknown[] | undefined {
    const held = this.#held;
    while (this.#heldHead < held.length && held[this.#heldHead + 1] !== HOLE) {
      this.#emit(held[this.#heldHead] as number, held[this.#heldHead + 1]);
      held[this.#heldHead + 1] = undefined;
      this.#heldHead += 2;
    }
    if (this.#heldHead === held.length) {
      held.length = 0;
      this.#heldHead = 0;
    }
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
