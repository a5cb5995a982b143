// The Manager's server: owns every managed object, in one thread (a worker
// thread of the process that called Manager.start). Clients reach it over
// a socket (after the authentication handshake) or, from the starting
// thread, over a MessagePort pair; both carry the same frames.
//
// Requests of one connection are handled in arrival order; a blocking call
// (acquire, get, wait…) answers later, so replies may overtake each other and
// carry the request id. A connection is one client thread: locks are owned
// by it, and when it closes its waits are given up and what it held is
// released (served-locks.ts).

import { closeSync, constants, fstatSync, lstatSync, openSync } from 'node:fs';
import { receiveMessageOnPort } from 'node:worker_threads';
import { Socket, createServer, type Server as NetServer } from 'node:net';
import { deserialize, serialize } from 'node:v8';
import { decode } from '../internal/codec.js';
import { loadTask } from '../internal/task-load.js';
import type { TaskSpec } from '../internal/task-ref.js';
import {
  ServedDict,
  ServedList,
  ServedNamespace,
  ServedQueue,
  ServedTyped,
} from './served-data.js';
import {
  ServedBarrier,
  ServedCondition,
  ServedEvent,
  ServedLock,
  ServedRLock,
  ServedSemaphore,
} from './served-locks.js';
import { CallError, Out, Served, intArg, noMethod, type Caller, type Wait } from './served.js';
import { describeServed, SERVED_CODE } from './served-error.js';
import {
  FAILED,
  FrameReader,
  MAX_FRAME,
  MAX_HANDSHAKE_FRAME,
  NONCE_BYTES,
  OK,
  REFUSED,
  SYNC_BIT,
  frame,
  joinFrames,
  mac,
  macMatches,
  nonce,
  type ErrorData,
} from './wire.js';

/** How long (ms) the server polls its starting thread's port after a Sync answer. */
const SPIN_MS = 0.05;

type Factory = (args: unknown[], table: unknown[] | undefined, server: ManagerServer) => Served;

const BUILTIN: Record<string, Factory> = {
  dict: (a, t) => new ServedDict(a[0], t),
  list: (a, t) => new ServedList(a[0], t),
  Namespace: (a, t) => new ServedNamespace(a[0], t),
  Value: (a) => new ServedTyped(false, a[0], a[1]),
  Array: (a) => new ServedTyped(true, a[0], a[1]),
  Lock: () => new ServedLock(),
  RLock: () => new ServedRLock(),
  Semaphore: (a) => new ServedSemaphore(a[0], false),
  BoundedSemaphore: (a) => new ServedSemaphore(a[0], true),
  Event: () => new ServedEvent(),
  Condition: (a, _t, server) => {
    let lock: Served | undefined;
    if (a[0] === undefined) lock = new ServedRLock();
    else lock = server.object(intArg(a[0], 'lock', 1));
    if (!(lock instanceof ServedLock)) {
      throw new CallError(
        'TypeError',
        'ERR_INVALID_ARG_TYPE',
        'A Condition needs a Lock or RLock of the same manager',
      );
    }
    return new ServedCondition(lock);
  },
  Barrier: (a) => new ServedBarrier(a[0], a[1]),
  Queue: (a) => new ServedQueue('Queue', 'fifo', a[0]),
  JoinableQueue: (a) => new ServedQueue('JoinableQueue', 'fifo', a[0]),
  LifoQueue: (a) => new ServedQueue('LifoQueue', 'lifo', a[0]),
  PriorityQueue: (a) => new ServedQueue('PriorityQueue', 'priority', a[0]),
};

/** A registered type: an object whose public methods clients call by name. */
class ServedCustom extends Served {
  constructor(
    readonly typeid: string,
    readonly target: Record<string, unknown>,
  ) {
    super();
  }

  call(
    _caller: Caller,
    _request: number,
    name: string,
    args: unknown[],
    table: unknown[] | undefined,
  ): unknown {
    const fn = name.startsWith('_') || name === 'constructor' ? undefined : this.target[name];
    if (typeof fn !== 'function') throw noMethod(this.typeid, name);
    return served(() => fn.apply(this.target, decode(args, table)) as unknown);
  }
}

// Runs served (registered) code: what it throws, or its promise rejects
// with, crosses wrapped as ERR_MANAGER_SERVED (served-error.ts), so it never
// reads as one of the server's own errors in the client.
function served(run: () => unknown): unknown {
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    throw new CallError('ManagerError', SERVED_CODE, describeServed(error));
  }
  if (result instanceof Promise) {
    return result.catch((error: unknown) => {
      throw new CallError('ManagerError', SERVED_CODE, describeServed(error));
    });
  }
  return result;
}

/** A reply as it travels between threads: `[id, status, value, table]`. */
export type ReplyMessage = [number, number, unknown, unknown];
/** A request as it travels between threads: `[id, oid, method, args, table]`. */
export type RequestMessage = [number, unknown, unknown, unknown, unknown];

/**
 * One client connection. `send` carries replies: between threads they are
 * posted as structured messages (no byte encoding: Node's v8.serialize costs
 * tens of µs per small value, postMessage's clone a few); on a socket they
 * are frames.
 */
class Connection implements Caller {
  static #ids = 0;
  readonly id = ++Connection.#ids;
  closed = false;
  readonly waits = new Map<number, Wait>();
  readonly touched = new Set<Served>();
  #out: ReplyMessage[] = [];
  #scheduled = false;
  /** The client's lane (lane.ts): Sync replies go there once it is attached. */
  #lane: { readonly input: Socket; readonly output: Socket } | undefined;
  /** Requests handled from the socket: a lane request waits until its `after` of them were. */
  #received = 0;
  /** Lane requests that came before the socket requests their client sent earlier. */
  readonly #held: [number, unknown[]][] = [];
  /** Whether the client's (one) Sync call came on the lane: its reply goes back that way. */
  #syncOnLane = false;

  constructor(
    readonly server: ManagerServer,
    // Sends replies; `sync` when a blocked caller waits for this one.
    readonly send: (replies: ReplyMessage[], sync: boolean) => void,
    readonly remote: boolean,
  ) {}

  /** Handles a request received as a frame on the socket. */
  handleFrame(id: number, payload: Uint8Array): void {
    this.#frame(id, payload, 4);
    this.#received++;
    while (this.#held.length > 0 && (this.#held[0]![1][4] as number) <= this.#received) {
      const [held, request] = this.#held.shift()!;
      this.handle(held, request[0], request[1], request[2], request[3]);
    }
  }

  /**
   * Handles a request received on the lane: `[oid, method, args, table,
   * after]`, run once the first `after` socket requests were (the client
   * sent them before this one, on the other path).
   */
  handleLaneFrame(id: number, payload: Uint8Array): void {
    this.#frame(id, payload, 5);
  }

  #frame(id: number, payload: Uint8Array, size: 4 | 5): void {
    // A client thread has one Sync call at a time.
    if ((id & SYNC_BIT) !== 0) this.#syncOnLane = size === 5;
    let request: unknown;
    try {
      request = deserialize(payload);
    } catch {
      this.reply(
        id,
        FAILED,
        errorData(
          new CallError('ManagerError', 'ERR_MANAGER_PROTOCOL', 'A request could not be read'),
        ),
      );
      return;
    }
    if (
      !Array.isArray(request) ||
      request.length !== size ||
      (size === 5 && typeof request[4] !== 'number')
    ) {
      this.reply(
        id,
        FAILED,
        errorData(new CallError('ManagerError', 'ERR_MANAGER_PROTOCOL', 'A request is malformed')),
      );
      return;
    }
    if (size === 5 && (this.#held.length > 0 || (request[4] as number) > this.#received)) {
      this.#held.push([id, request as unknown[]]);
      return;
    }
    if (size === 4 && request[0] === 0 && request[1] === 'lane') {
      this.#attachLane(id, request[2]);
      return;
    }
    this.handle(id, request[0], request[1], request[2], request[3]);
  }

  /**
   * Attaches the client's lane (lane.ts): two FIFOs of the client's, in a
   * private directory, that must be FIFOs owned by this user. Answered on
   * the socket; Sync replies take the lane from then on.
   */
  #attachLane(id: number, args: unknown): void {
    let input: Socket | undefined;
    try {
      const [requests, replies] = Array.isArray(args) ? (args as unknown[]) : [];
      if (this.#lane !== undefined || typeof requests !== 'string' || typeof replies !== 'string') {
        throw new CallError('ManagerError', 'ERR_MANAGER_PROTOCOL', 'A lane request is malformed');
      }
      input = new Socket({
        fd: openFifo(requests, constants.O_RDONLY),
        readable: true,
        writable: false,
      });
      const output = new Socket({
        fd: openFifo(replies, constants.O_WRONLY),
        readable: false,
        writable: true,
      });
      const lane = { input, output };
      const reader = new FrameReader(MAX_FRAME);
      input.on('data', (chunk: Buffer) => {
        try {
          reader.push(chunk, (rid, payload) => this.handleLaneFrame(rid, payload));
        } catch {
          input!.destroy();
        }
      });
      // The client's death closes the socket too: that ends the connection.
      input.on('error', () => undefined);
      output.on('error', () => undefined);
      this.reply(id, OK, true);
      this.#lane = lane;
    } catch (error) {
      input?.destroy();
      this.reply(id, FAILED, errorData(error));
    }
  }

  handle(id: number, oid: unknown, method: unknown, args: unknown, table: unknown): void {
    let result: unknown;
    try {
      result = this.server.dispatch(this, id, oid, method, args, table);
    } catch (error) {
      this.reply(id, FAILED, errorData(error));
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (value: unknown) => this.reply(id, OK, value),
        (error: unknown) => this.reply(id, FAILED, errorData(error)),
      );
    } else this.reply(id, OK, result);
  }

  reply(id: number, status: number, value: unknown): void {
    if (this.closed) return;
    const message: ReplyMessage =
      value instanceof Out ? [id, status, value.v, value.t] : [id, status, value, undefined];
    if ((id & SYNC_BIT) !== 0) {
      if (this.#syncOnLane && this.#lane !== undefined) {
        this.#lane.output.write(replyFrames([message]));
      } else this.send([message], true);
      return;
    }
    this.#out.push(message);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#out.length === 0 || this.closed) return;
    const out = this.#out;
    this.#out = [];
    this.send(out, false);
  }

  /** The client went away: give up its waits, then release what it held. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#lane?.input.destroy();
    this.#lane?.output.destroy();
    this.#held.length = 0;
    for (const wait of [...this.waits.values()]) wait.cancel();
    for (const object of this.touched) object.abandon(this);
    this.touched.clear();
  }
}

/** Encodes replies as frames (for a socket); a reply that cannot be encoded becomes an error. */
export function replyFrames(replies: readonly ReplyMessage[]): Buffer {
  const frames: Buffer[] = [];
  for (const [id, status, value, table] of replies) {
    let payload: Buffer;
    try {
      payload = serialize([status, value, table]);
    } catch (error) {
      payload = serialize([FAILED, uncopiable(error), undefined]);
    }
    frames.push(frame(id, payload));
  }
  return joinFrames(frames);
}

/** Opens one end of a client's lane FIFO (never blocks); anything but a FIFO of this user is refused. */
function openFifo(path: string, mode: number): number {
  const uid = process.getuid?.();
  const refused = (): CallError =>
    new CallError('ManagerError', 'ERR_MANAGER_PROTOCOL', 'A lane must be a FIFO of this user');
  const before = lstatSync(path);
  if (!before.isFIFO() || (uid !== undefined && before.uid !== uid)) throw refused();
  const fd = openSync(path, mode | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  const after = fstatSync(fd);
  if (!after.isFIFO() || after.ino !== before.ino || after.dev !== before.dev) {
    closeSync(fd);
    throw refused();
  }
  return fd;
}

/** The error that replaces a reply whose value cannot be copied to its client. */
function uncopiable(error: unknown): ErrorData {
  return {
    name: 'TypeError',
    code: 'ERR_NOT_CLONEABLE',
    message: `The result of the call could not be copied to the client: ${
      error instanceof Error ? error.message : 'not cloneable'
    }`,
  };
}

/**
 * Posts replies to a thread. A reply whose value cannot be cloned fails
 * alone, as ERR_NOT_CLONEABLE: the others still go, and the server lives on.
 */
function postReplies(
  port: import('node:worker_threads').MessagePort,
  replies: ReplyMessage[] | ReplyMessage,
): void {
  try {
    port.postMessage(replies);
    return;
  } catch (error) {
    if (!Array.isArray(replies[0])) {
      const [id] = replies as ReplyMessage;
      port.postMessage([id, FAILED, uncopiable(error), undefined]);
      return;
    }
  }
  port.postMessage(
    (replies as ReplyMessage[]).map((reply): ReplyMessage => {
      try {
        structuredClone(reply);
        return reply;
      } catch (error) {
        return [reply[0], FAILED, uncopiable(error), undefined];
      }
    }),
  );
}

function errorData(error: unknown): ErrorData {
  if (error instanceof CallError) {
    return { name: error.errorName, code: error.code, message: error.message };
  }
  const e = error as { name?: unknown; code?: unknown; message?: unknown };
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    code: typeof e?.code === 'string' ? e.code : 'ERR_MANAGER_INTERNAL',
    message: typeof e?.message === 'string' ? e.message : String(error),
  };
}

/** Where the server listens: a Unix socket path, or TCP. */
export type ListenAddress =
  { readonly path: string } | { readonly host: string; readonly port: number };

export class ManagerServer {
  readonly #objects = new Map<number, Served>();
  readonly #types = new Map<string, Factory>(Object.entries(BUILTIN));
  readonly #connections = new Set<Connection>();
  readonly #sockets = new Set<Socket>();
  readonly #authkey: Uint8Array;
  #nextId = 1;
  #net: NetServer | undefined;

  constructor(authkey: Uint8Array) {
    this.#authkey = authkey;
  }

  object(id: number): Served | undefined {
    return this.#objects.get(id);
  }

  /** Runs one request; returns its result, or a promise of it. */
  dispatch(
    caller: Connection,
    id: number,
    oid: unknown,
    method: unknown,
    args: unknown,
    table: unknown,
  ): unknown {
    if (typeof oid !== 'number' || typeof method !== 'string' || !Array.isArray(args)) {
      throw new CallError('ManagerError', 'ERR_MANAGER_PROTOCOL', 'A request is malformed');
    }
    const t = Array.isArray(table) ? (table as unknown[]) : undefined;
    if (oid === 0) return this.#control(caller, method, args, t);
    const target = this.#objects.get(oid);
    if (target === undefined) {
      throw new CallError(
        'ManagerError',
        'ERR_MANAGER_NO_OBJECT',
        `The manager has no object ${oid}`,
      );
    }
    return target.call(caller, id, method, args, t);
  }

  #control(
    caller: Connection,
    method: string,
    args: unknown[],
    table: unknown[] | undefined,
  ): unknown {
    switch (method) {
      case 'create': {
        const typeid = args[0];
        const factory = typeof typeid === 'string' ? this.#types.get(typeid) : undefined;
        if (factory === undefined) {
          throw new CallError(
            'ManagerError',
            'ERR_MANAGER_UNKNOWN_TYPE',
            `No type \`${String(typeid)}\` is registered with this manager`,
          );
        }
        const object = factory(args.slice(1), table, this);
        const id = this.#nextId++;
        this.#objects.set(id, object);
        return id;
      }
      case 'cancel': {
        caller.waits.get(args[0] as number)?.cancel();
        return undefined;
      }
      case 'register':
        return this.#register(args[0], args[1]);
      case 'ping':
        return true;
      default:
        throw noMethod('manager', method);
    }
  }

  async #register(typeid: unknown, spec: unknown): Promise<void> {
    if (typeof typeid !== 'string' || typeid === '' || this.#types.has(typeid)) {
      throw new CallError(
        'TypeError',
        'ERR_INVALID_ARG_TYPE',
        'Expected `typeid` to be a new non-empty string',
      );
    }
    const fn = await loadTask(spec as TaskSpec);
    if (this.#types.has(typeid)) return this.#register(typeid, spec); // registered meanwhile: refused
    this.#types.set(typeid, (args, table) => {
      const made: unknown = served(() => fn(...(decode(args, table) as unknown[])));
      if (typeof made !== 'object' || made === null) {
        throw new CallError(
          'TypeError',
          'ERR_INVALID_RETURN_VALUE',
          `The factory of \`${typeid}\` must return an object`,
        );
      }
      return new ServedCustom(typeid, made as Record<string, unknown>);
    });
  }

  /** A client in this process reached over a MessagePort pair (no handshake: the port is the capability). */
  attachPort(
    port: import('node:worker_threads').MessagePort,
    syncPort: import('node:worker_threads').MessagePort,
    word: Int32Array,
  ): void {
    let answered = false;
    const conn = new Connection(
      this,
      (replies, sync) => {
        if (sync) {
          postReplies(syncPort, replies[0]!);
          Atomics.add(word, 0, 1);
          Atomics.notify(word, 0);
          answered = true;
        } else postReplies(port, replies);
      },
      false,
    );
    this.#connections.add(conn);
    const onBytes = (requests: unknown): void => {
      if (!Array.isArray(requests)) return;
      for (const r of requests as unknown[]) {
        if (!Array.isArray(r) || r.length !== 5 || typeof r[0] !== 'number') continue;
        conn.handle(r[0], r[1], r[2], r[3], r[4]);
      }
    };
    port.on('message', (bytes: unknown) => {
      answered = false;
      onBytes(bytes);
      // A thread making Sync calls in a loop sends its next one within
      // microseconds of our answer: poll for it briefly instead of paying an
      // event-loop wake-up (5-25 µs on small VMs) per call. Bounded, and only
      // right after a Sync answer, so other clients wait at most SPIN_MS.
      let until = answered ? performance.now() + SPIN_MS : 0;
      while (until !== 0 && performance.now() < until) {
        const next = receiveMessageOnPort(port);
        if (next === undefined) continue;
        answered = false;
        onBytes(next.message);
        until = answered ? performance.now() + SPIN_MS : 0;
      }
    });
    port.on('close', () => {
      this.#connections.delete(conn);
      conn.close();
    });
  }

  /** Listens for socket clients; resolves with the bound address. */
  listen(address: ListenAddress): Promise<ListenAddress> {
    const net = createServer({ noDelay: true }, (socket) => this.#accept(socket));
    this.#net = net;
    return new Promise((resolve, reject) => {
      net.once('error', reject);
      const done = (): void => {
        net.off('error', reject);
        const bound = net.address();
        resolve(
          typeof bound === 'object' && bound !== null
            ? { host: 'host' in address ? address.host : bound.address, port: bound.port }
            : address,
        );
      };
      if ('path' in address) net.listen(address.path, done);
      else net.listen(address.port, address.host, done);
    });
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    const key = this.#authkey;
    const reader = new FrameReader(MAX_HANDSHAKE_FRAME);
    const challenge = nonce();
    let conn: Connection | undefined;
    // An unauthenticated connection may not linger.
    const timer = setTimeout(() => socket.destroy(), 10_000).unref();
    socket.on('error', () => {
      // 'close' follows.
    });
    const ended = (): void => {
      if (conn !== undefined) {
        this.#connections.delete(conn);
        conn.close();
      }
    };
    // A client never half-closes: its end (EOF, as its death gives) is the
    // end of the connection, learnt before the socket's 'close' comes.
    socket.on('end', ended);
    socket.on('close', () => {
      clearTimeout(timer);
      this.#sockets.delete(socket);
      ended();
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk, (id, payload) => {
          if (conn !== undefined) {
            conn.handleFrame(id, payload);
            return;
          }
          // The client's answer to our challenge, then its own challenge.
          if (
            payload.length !== 2 * NONCE_BYTES ||
            !macMatches(key, 'client', challenge, payload.subarray(0, NONCE_BYTES))
          ) {
            // Refused: nothing is logged, and the key appears nowhere.
            socket.end(frame(0, REFUSED));
            socket.destroySoon();
            reader.limit = 0;
            return;
          }
          clearTimeout(timer);
          socket.write(frame(0, mac(key, 'server', payload.subarray(NONCE_BYTES))));
          reader.limit = MAX_FRAME;
          const c = new Connection(this, (replies) => socket.write(replyFrames(replies)), true);
          conn = c;
          this.#connections.add(c);
        });
      } catch {
        socket.destroy();
      }
    });
    socket.write(frame(0, challenge));
  }

  /** Ends every connection and stops listening. */
  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    for (const conn of this.#connections) conn.close();
    const net = this.#net;
    this.#net = undefined;
    return new Promise((resolve) => (net === undefined ? resolve() : net.close(() => resolve())));
  }
}
