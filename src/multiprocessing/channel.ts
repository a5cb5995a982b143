// A client thread's channel to one manager. Requests go out as structured
// messages on `port`; async replies come back on it in batches; the reply of a Sync
// call comes on `syncPort` while the caller blocks on word 0 (bumped by the
// other side after posting it) — the synckit pattern. The other side is the
// server thread itself (in the thread that started the manager) or this
// thread's I/O worker, which owns the socket (everywhere else). Async and
// Sync calls share `port`, so a thread's calls reach the server in the
// order it made them.
//
// Word 1 says whether the channel is dead and why (dead.ts): set by the
// other side when the connection fails, read before every call so that a
// dead manager fails fast, and while blocked so that nothing hangs.

import {
  MessageChannel,
  Worker,
  receiveMessageOnPort,
  type MessagePort,
} from 'node:worker_threads';
import { decode, encode, type SharedTable } from '../internal/codec.js';
import { StateError } from '../internal/errors.js';
import type { ErrorCode } from '../internal/codes.js';
import { BrokenBarrierError } from '../internal/broken-barrier.js';
import { QueueEmpty, QueueFull, QueueShutDown } from '../internal/queue-errors.js';
import { weftModule } from '../internal/package-url.js';
import { addressKey, type Address } from './address.js';
import { DEAD, deadError } from './dead.js';
import { AuthenticationError, ManagerError } from './errors.js';
import { Lane, LaneGone } from './lane.js';
import type { ReplyMessage, RequestMessage } from './server.js';
import { FAILED, SYNC_BIT, type ErrorData } from './wire.js';

/** Busy checks of the reply word before a Sync caller sleeps (a futex wake costs 5-25 µs here). */
const SPIN = 2000;

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Set once the caller aborted: the reply, when it comes, is only given back. */
  aborted?: { reason: unknown; giveBack?: ((value: unknown) => void) | undefined };
}

/** Options of an async call. */
export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
  /** Undoes a success that arrived after the abort (an acquire's grant, a get's item). */
  readonly giveBack?: ((value: unknown) => void) | undefined;
}

export class Channel {
  readonly #port: MessagePort;
  readonly #syncPort: MessagePort;
  readonly #word: Int32Array;
  readonly #pending = new Map<number, Pending>();
  readonly #onClose: () => void;
  #next = 1;
  #syncNext = 1;
  #batch: RequestMessage[] = [];
  #scheduled = false;
  #closed = false;
  /** Requests sent through the port so far (a lane request waits for them at the server). */
  #posted = 0;
  /** Whether Sync calls may take a lane (lane.ts); the lane once made, null if it cannot be. */
  readonly #laneable: boolean;
  #lane: Lane | null | undefined;

  constructor(
    port: MessagePort,
    syncPort: MessagePort,
    word: Int32Array,
    onClose: () => void,
    laneable = false,
  ) {
    this.#laneable = laneable;
    this.#port = port;
    this.#syncPort = syncPort;
    this.#word = word;
    this.#onClose = onClose;
    port.on('message', (replies: ReplyMessage[]) => this.#onReplies(replies));
    port.unref();
  }

  /** Why calls fail now, or undefined while the channel is alive. */
  get dead(): number {
    return this.#closed ? DEAD.CLOSED : Atomics.load(this.#word, 1);
  }

  call(oid: number, method: string, args: unknown[], options?: CallOptions): Promise<unknown> {
    const dead = this.dead;
    if (dead !== DEAD.ALIVE) return Promise.reject(toError(deadError(dead)));
    const { value, table } = encode(args);
    const id = this.#next;
    this.#next = id >= 0x7fff_ffff ? 1 : id + 1;
    const signal = options?.signal;
    const promise = new Promise<unknown>((resolve, reject) => {
      const pending: Pending = { resolve, reject };
      this.#pending.set(id, pending);
      if (signal !== undefined) {
        const onAbort = (): void => {
          pending.aborted = { reason: signal.reason, giveBack: options?.giveBack };
          // The server gives the wait up as a timeout would; its reply settles us.
          void this.call(0, 'cancel', [id]).catch(() => undefined);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const settle = (): void => signal.removeEventListener('abort', onAbort);
        pending.resolve = (value) => {
          settle();
          resolve(value);
        };
        pending.reject = (error) => {
          settle();
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- an abort rejects with signal.reason, whatever it is
          reject(error);
        };
      }
    });
    if (this.#pending.size === 1) this.#port.ref();
    this.#batch.push([id, oid, method, value, table]);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#flush());
    }
    return promise;
  }

  /** Sends the request and blocks this thread until its reply. */
  callSync(oid: number, method: string, args: unknown[]): unknown {
    const dead = this.dead;
    if (dead !== DEAD.ALIVE) throw toError(deadError(dead));
    const { value, table } = encode(args);
    const id = (SYNC_BIT | this.#syncNext) >>> 0;
    this.#syncNext = this.#syncNext >= 0x7fff_ffff ? 1 : this.#syncNext + 1;
    // Calls this thread made before reach the server before this one.
    this.#flush();
    if (this.#lane === undefined && this.#laneable) {
      // The attach request shares this call's id: they are one after the other.
      this.#lane = Lane.open((q, r) => this.#callPort(id, [0, 'lane', [q, r], undefined])) ?? null;
    }
    if (this.#lane === null || this.#lane === undefined) {
      return this.#callPort(id, [oid, method, value, table]);
    }
    let reply: ReplyMessage;
    try {
      reply = this.#lane.call(id, [oid, method, value, table, this.#posted]);
    } catch (error) {
      if (!(error instanceof LaneGone)) throw notCloneable(error);
      // The server is gone (its socket says so too, soon): fail fast from now on.
      Atomics.compareExchange(this.#word, 1, DEAD.ALIVE, DEAD.GONE);
      throw toError(deadError(this.dead));
    }
    const result = settleReply(reply);
    if (result instanceof Thrown) throw result.error;
    return result;
  }

  // A Sync call through the port (and this thread's I/O worker or the server thread).
  #callPort(id: number, request: [unknown, unknown, unknown, unknown]): unknown {
    const word = this.#word;
    const seq = Atomics.load(word, 0);
    try {
      this.#port.postMessage([[id, ...request]]);
    } catch (error) {
      throw notCloneable(error);
    }
    this.#posted++;
    for (;;) {
      for (let i = 0; i < SPIN && Atomics.load(word, 0) === seq; i++);
      while (Atomics.load(word, 0) === seq) Atomics.wait(word, 0, seq, 1000);
      const message = receiveMessageOnPort(this.#syncPort);
      const reply = message?.message as ReplyMessage | undefined;
      if (reply !== undefined && reply[0] === id) {
        const result = settleReply(reply);
        if (result instanceof Thrown) throw result.error;
        return result;
      }
      const now = this.dead;
      if (now !== DEAD.ALIVE && receiveMessageOnPort(this.#syncPort) === undefined) {
        throw toError(deadError(now));
      }
    }
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#batch;
    if (batch.length === 0) return;
    this.#batch = [];
    try {
      this.#port.postMessage(batch);
      this.#posted += batch.length;
    } catch {
      // Something in the batch cannot be cloned (nothing was sent): send the
      // requests one by one, failing only those that cannot.
      for (const request of batch) {
        try {
          this.#port.postMessage([request]);
          this.#posted++;
        } catch (error) {
          this.#settle([request[0], FAILED, undefined, undefined], notCloneable(error));
        }
      }
    }
  }

  #onReplies(replies: ReplyMessage[]): void {
    if (!Array.isArray(replies)) return;
    for (const reply of replies) this.#settle(reply);
  }

  #settle(reply: ReplyMessage, error?: Error): void {
    const pending = this.#pending.get(reply[0]);
    if (pending === undefined) return;
    this.#pending.delete(reply[0]);
    if (this.#pending.size === 0) this.#port.unref();
    const result = error === undefined ? settleReply(reply) : new Thrown(error);
    if (pending.aborted !== undefined) {
      if (!(result instanceof Thrown)) pending.aborted.giveBack?.(result);
      pending.reject(pending.aborted.reason);
    } else if (result instanceof Thrown) pending.reject(result.error);
    else pending.resolve(result);
  }

  /** Fails every pending call with `code` and closes the ports. */
  close(code: number = DEAD.CLOSED): void {
    if (this.#closed) return;
    this.#closed = true;
    const error = toError(deadError(code));
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.#port.close();
    this.#syncPort.close();
    this.#lane?.close();
    this.#onClose();
  }
}

class Thrown {
  constructor(readonly error: unknown) {}
}

function notCloneable(error: unknown): TypeError {
  const e = new TypeError(
    `A value sent to the manager could not be copied: ${(error as Error).message}`,
    { cause: error },
  );
  Object.defineProperty(e, 'code', { value: 'ERR_NOT_CLONEABLE', enumerable: true });
  return e;
}

function settleReply(reply: ReplyMessage): unknown {
  const [, status, value, table] = reply;
  if (status === FAILED) return new Thrown(toError(value as ErrorData));
  return table === undefined ? value : decode(value, table as SharedTable);
}

/** Rebuilds an error the server sent, as the class weft throws locally. */
export function toError(data: ErrorData): Error {
  const { name, code, message } = data ?? {
    name: 'ManagerError',
    code: 'ERR_MANAGER_PROTOCOL',
    message: 'Bad reply',
  };
  switch (name) {
    case 'QueueEmpty':
      return new QueueEmpty(message);
    case 'QueueFull':
      return new QueueFull(message);
    case 'QueueShutDown':
      return new QueueShutDown(message);
    case 'BrokenBarrierError':
      return new BrokenBarrierError(message);
    case 'StateError':
      return new StateError(code as ErrorCode, message);
    case 'AuthenticationError':
      return new AuthenticationError(message);
    case 'TypeError':
    case 'RangeError': {
      const e = name === 'TypeError' ? new TypeError(message) : new RangeError(message);
      Object.defineProperty(e, 'code', { value: code, enumerable: true });
      return e;
    }
    default:
      return new ManagerError(code as ErrorCode, message);
  }
}

// ---- The per-thread table of channels, by manager address.

const channels = new Map<string, Channel>();
const IO_ENTRY = weftModule('multiprocessing/entry/io');

/** Registers the channel of the thread that started a manager (over its server's ports). */
export function localChannel(
  address: Address,
  port: MessagePort,
  syncPort: MessagePort,
  word: Int32Array,
): Channel {
  const key = addressKey(address);
  // Kept in the table once closed: this thread's later calls fail with ERR_MANAGER_CLOSED.
  const channel = new Channel(port, syncPort, word, () => undefined);
  channels.set(key, channel);
  return channel;
}

/** This thread's channel to the manager at `address`, started on first use. */
export function channelFor(address: Address, authkey: Uint8Array, fresh = false): Channel {
  const key = addressKey(address);
  const channel = channels.get(key);
  // A dead channel stays: calls through it fail fast (no new connection per call).
  // Manager.connect() opens a fresh one.
  if (channel !== undefined && !fresh) return channel;
  const a = new MessageChannel();
  const s = new MessageChannel();
  const word = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(IO_ENTRY, {
    workerData: { address, authkey, port: a.port2, syncPort: s.port2, word },
    transferList: [a.port2, s.port2],
    name: 'weft-manager-io',
  });
  worker.unref();
  worker.on('error', () => {
    Atomics.store(word, 1, DEAD.GONE);
    Atomics.add(word, 0, 1);
    Atomics.notify(word, 0);
  });
  const made = new Channel(
    a.port1,
    s.port1,
    word,
    () => void worker.terminate(),
    'path' in address,
  );
  // A fresh channel (Manager.connect) never displaces a live one: proxies of this thread keep theirs.
  if (channel === undefined || channel.dead !== DEAD.ALIVE) channels.set(key, made);
  return made;
}

/** Drops this thread's channel to `address` (its worker, its socket). */
export function dropChannel(address: Address, code: number = DEAD.CLOSED): void {
  channels.get(addressKey(address))?.close(code);
}
