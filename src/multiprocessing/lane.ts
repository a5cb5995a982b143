// A client main thread's lane to the manager: two FIFOs (named pipes) that
// carry its Sync calls without its I/O worker. The thread writes the
// request frame itself and blocks in read(2) on the reply FIFO, so a Sync
// round trip wakes two threads (the server's, then this one) instead of
// four (this thread's I/O worker twice more). Async calls and their replies
// keep to the socket; a lane request carries how many socket requests this
// thread sent before it, and the server runs it only after those
// (server.ts), so a thread's calls still reach the server in its order.
//
// Only in a process's main thread: a worker thread blocked in read(2) could
// not be terminated. Only for a manager on a Unix socket (same machine), and
// only where `mkfifo` runs; otherwise Sync calls take the I/O worker.
//
// Setup (once, on the thread's first Sync call): mkfifo `q` and `r` (0600,
// in a fresh 0700 directory); hold a reader of `q` and a reader of `r` (so
// that no open below blocks); ask the server, over the socket, to attach
// them ('lane' control request: it checks both are FIFOs of its user and
// opens its ends non-blocking); open our blocking write end of `q` and
// blocking read end of `r`; close the helpers and unlink the names. From
// then on, if the server's side goes away, a read sees end-of-file and a
// write EPIPE: the call fails with ERR_MANAGER_GONE and nothing hangs.

import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { isMainThread } from 'node:worker_threads';
import type { ReplyMessage } from './server.js';
import { frame } from './wire.js';

/** Thrown when the lane's other end is gone (the server ended or its process died). */
export class LaneGone extends Error {}

export class Lane {
  readonly #out: number;
  readonly #in: number;
  #buf = Buffer.allocUnsafeSlow(64 * 1024);
  #closed = false;

  private constructor(out: number, input: number) {
    this.#out = out;
    this.#in = input;
  }

  /**
   * Makes the FIFOs and has the server attach them through `attach(requests, replies)`
   * (a Sync call over the socket); undefined where a lane cannot be had.
   */
  static open(attach: (requests: string, replies: string) => void): Lane | undefined {
    if (!isMainThread || process.platform === 'win32') return undefined;
    let dir: string | undefined;
    const fds: number[] = [];
    try {
      dir = mkdtempSync(join(tmpdir(), 'weft-l-'));
      const q = join(dir, 'q');
      const r = join(dir, 'r');
      execFileSync('mkfifo', ['-m', '600', q, r], { stdio: 'ignore', timeout: 10_000 });
      const nonBlocking = constants.O_NONBLOCK;
      const qReader = openSync(q, constants.O_RDONLY | nonBlocking);
      fds.push(qReader);
      const rReader = openSync(r, constants.O_RDONLY | nonBlocking);
      fds.push(rReader);
      attach(q, r);
      // Our reader of q lets this open return at once; the server's reader stays.
      const out = openSync(q, constants.O_WRONLY);
      fds.push(out);
      // A writer of our own for a moment, so the blocking open of r returns at once.
      const rWriter = openSync(r, constants.O_WRONLY | nonBlocking);
      fds.push(rWriter);
      const input = openSync(r, constants.O_RDONLY);
      fds.push(input);
      for (const fd of [qReader, rReader, rWriter]) closeSync(fd);
      fds.length = 0;
      const lane = new Lane(out, input);
      process.once('exit', () => lane.close());
      return lane;
    } catch {
      for (const fd of fds) closeSync(fd);
      return undefined;
    } finally {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * Sends `[oid, method, args, table, after]` as request `id` and blocks
   * until its reply. Throws a TypeError (from v8.serialize) for a value that
   * cannot be sent, {@link LaneGone} when the server is gone.
   */
  call(id: number, request: unknown[]): ReplyMessage {
    if (this.#closed) throw new LaneGone();
    const bytes = frame(id, serialize(request));
    try {
      for (let at = 0; at < bytes.length;) at += writeSync(this.#out, bytes, at);
      const head = this.#read(8);
      const length = head.readUInt32LE(0);
      const replyId = head.readUInt32LE(4);
      if (replyId !== id >>> 0 || length < 4) throw new LaneGone();
      const reply: unknown = deserialize(this.#read(length - 4));
      if (!Array.isArray(reply) || reply.length !== 3) throw new LaneGone();
      return [id, reply[0] as number, reply[1], reply[2]];
    } catch (error) {
      // A half-sent request or half-read reply leaves the stream unusable.
      this.close();
      if (error instanceof LaneGone) throw error;
      throw new LaneGone('The lane failed', { cause: error });
    }
  }

  // Reads exactly `n` bytes (blocking); a view into the lane's buffer.
  #read(n: number): Buffer {
    if (this.#buf.length < n) this.#buf = Buffer.allocUnsafeSlow(n);
    const buf = this.#buf;
    for (let at = 0; at < n;) {
      const got = readSync(this.#in, buf, at, n - at, null);
      if (got === 0) throw new LaneGone();
      at += got;
    }
    return buf.subarray(0, n);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#out);
    closeSync(this.#in);
  }
}
