// Manager: starts (or connects to) a server of shared objects and makes
// proxies for them. The server is a worker thread of the process that
// calls `Manager.start()` (not a process of its own: it cannot outlive
// that process, whatever kills it, and it starts in milliseconds).

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { SHARE } from '../internal/codec.js';
import { describe, argTypeError, codedError } from '../internal/errors.js';
import type { ErrorCode } from '../internal/codes.js';
import { weftModule } from '../internal/package-url.js';
import { toTaskSpec, type AnyFunction, type Target } from '../internal/task-ref.js';
import { checkInt, checkOptions, checkSignal, checkTimeout } from '../internal/validate.js';
import { setLongTimeout, type LongTimer } from '../internal/timer.js';
import { typeInfo } from '../shared/types.js';
import { checkAddress, checkAuthkey, type Address } from './address.js';
import { channelFor, localChannel, type Channel } from './channel.js';
import { DEAD } from './dead.js';
import { ManagerError } from './errors.js';
import type {
  ArrayProxy,
  DictProxy,
  ListProxy,
  NamespaceProxy,
  Numeric,
  ObjectProxy,
  ValueProxy,
} from './proxies-data.js';
import type {
  BarrierProxy,
  ConditionProxy,
  EventProxy,
  LockProxy,
  QueueProxy,
  RLockProxy,
  SemaphoreProxy,
} from './proxies-sync.js';
import { makeProxy } from './proxies.js';
import { fromServed } from './served-error.js';
import type { BaseProxy, ProxyRef } from './proxy-base.js';

/** Options of {@link Manager.start}. */
export interface ManagerStartOptions {
  /**
   * Where to listen: `{ host, port }` for TCP (port 0 picks one; then
   * `manager.address` tells), or `{ path }` for a Unix socket. @default a
   * Unix socket in a fresh private (0700) directory under the OS temp dir.
   */
  readonly address?: Address;
  /** The shared secret every connection must prove it holds. @default 32 random bytes */
  readonly authkey?: Uint8Array | string;
}

/** Options of {@link Manager.connect}. */
export interface ManagerConnectOptions {
  /** Where the manager listens (its `manager.address`). */
  readonly address: Address;
  /** The manager's shared secret (its `manager.authkey`). */
  readonly authkey: Uint8Array | string;
  /**
   * Longest wait (ms) for the manager to answer: past it, `connect` rejects
   * with `ERR_MANAGER_UNREACHABLE` (something that accepts but never answers
   * as a manager would otherwise hold it forever). `Infinity` waits on.
   * @default 10000
   */
  readonly timeout?: number;
  /** Gives up connecting: `connect` rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/** Default of {@link ManagerConnectOptions.timeout} (ms). */
const CONNECT_TIMEOUT = 10_000;

/** Options of a managed queue. */
export interface ManagedQueueOptions {
  /** Most items it holds; 0 is unbounded (a negative one is a RangeError, as in weft/queue). @default 0 */
  readonly maxsize?: number;
}

/**
 * @internal Starts a manager synchronously, on a Unix socket in a fresh
 * private directory (a Sync call blocks this thread until it listens), and
 * a way to create its objects: the server of weft/multiprocessing's own
 * `Value`, `Lock`, `Queue`….
 */
export let startPrivateSync: () => PrivateServer;

/** @internal */
export interface PrivateServer {
  readonly manager: Manager;
  /** Creates an object (a Sync call); returns its reference. */
  createRef(typeid: string, args: unknown[]): ProxyRef;
}

/**
 * Python's `multiprocessing.Manager()`: a server that owns shared objects
 * (dicts, lists, namespaces, values, locks, events, conditions, barriers,
 * queues, and types you register), and proxies to them that work from any
 * thread or process: pass them as `Thread` args, pool task arguments and
 * results, or inside other proxies' values.
 *
 * The server runs in a worker thread of the process that starts it and
 * serves clients over a local socket; every connection authenticates with
 * `authkey` (HMAC challenge both ways).
 *
 * @example
 * ```ts
 * import { Manager } from 'weft/multiprocessing';
 * await using manager = await Manager.start();
 * const d = await manager.dict();
 * const lock = await manager.Lock();
 * await d.set('hits', 0);
 * // …pass d and lock to child processes; each does, under the lock:
 * d.setSync('hits', (d.getSync('hits') as number) + 1);
 * ```
 */
export class Manager implements AsyncDisposable {
  readonly #address: Address;
  readonly #authkey: Uint8Array;
  readonly #channel: Channel;
  readonly #worker: Worker | undefined;
  readonly #dir: string | undefined;
  #closed: Promise<void> | undefined;

  private constructor(
    address: Address,
    authkey: Uint8Array,
    channel: Channel,
    worker: Worker | undefined,
    dir: string | undefined,
  ) {
    this.#address = address;
    this.#authkey = authkey;
    this.#channel = channel;
    this.#worker = worker;
    this.#dir = dir;
  }

  /**
   * Starts a manager server in a worker thread of this process.
   *
   * @returns The manager, once its server listens.
   * @throws {ManagerError} `ERR_MANAGER_LISTEN` (or the system's code, e.g. `EADDRINUSE`) if it cannot listen.
   */
  static async start(options: ManagerStartOptions = {}): Promise<Manager> {
    if (typeof options !== 'object' || options === null) {
      throw argTypeError(`Expected \`options\` to be an object, got ${describe(options)}`);
    }
    const authkey = options.authkey === undefined ? randomBytes(32) : checkAuthkey(options.authkey);
    let dir: string | undefined;
    let listen: Address;
    if (options.address === undefined) {
      // A private directory: only this user can reach the socket at all.
      dir = mkdtempSync(join(tmpdir(), 'weft-m-'));
      removeAtExit(dir);
      listen = { path: join(dir, 's') };
    } else listen = checkAddress(options.address);
    const { worker, a, s, word } = spawnServer(listen, authkey);
    let address: Address;
    try {
      address = await new Promise<Address>((resolve, reject) => {
        worker.on(
          'message',
          (m: { t: string; address?: Address; code?: string; message?: string }) => {
            if (m.t === 'listening') resolve(m.address!);
            else if (m.t === 'error') {
              reject(
                new ManagerError(
                  (m.code as ErrorCode | undefined) ?? 'ERR_MANAGER_LISTEN',
                  `The manager could not listen: ${m.message ?? ''}`,
                ),
              );
            }
          },
        );
        worker.once('error', (error) => reject(error));
        worker.once('exit', () =>
          reject(new ManagerError('ERR_MANAGER_GONE', 'The manager thread exited while starting')),
        );
      });
    } catch (error) {
      await worker.terminate();
      a.port1.close();
      s.port1.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    worker.removeAllListeners('message');
    return Manager.#adopt(address, authkey, worker, a, s, word, dir);
  }

  static #adopt(
    address: Address,
    authkey: Uint8Array,
    worker: Worker,
    a: MessageChannel,
    s: MessageChannel,
    word: Int32Array,
    dir: string | undefined,
  ): Manager {
    worker.unref();
    const channel = localChannel(address, a.port1, s.port1, word);
    const manager = new Manager(address, authkey, channel, worker, dir);
    worker.on('exit', () => {
      // The server is gone: calls fail fast from now on.
      channel.close(manager.#closed === undefined ? DEAD.GONE : DEAD.CLOSED);
    });
    return manager;
  }

  static {
    startPrivateSync = () => {
      const authkey = randomBytes(32);
      const dir = mkdtempSync(join(tmpdir(), 'weft-m-'));
      const address = { path: join(dir, 's') };
      const { worker, a, s, word } = spawnServer(address, authkey);
      const manager = Manager.#adopt(address, authkey, worker, a, s, word, dir);
      try {
        // Answered once the socket listens (entry/server.ts): children can connect from then on.
        manager.#channel.callSync(0, 'ping', []);
      } catch (error) {
        void manager.shutdown();
        throw error;
      }
      return {
        manager,
        createRef: (typeid, args) => {
          manager.#check();
          const id = manager.#channel.callSync(0, 'create', [typeid, ...args]) as number;
          return { address, authkey, id, typeid };
        },
      };
    };
  }

  /**
   * Connects to a manager started elsewhere (another process, another
   * machine), as Python's `BaseManager.connect()`.
   *
   * @throws {AuthenticationError} `ERR_MANAGER_AUTH` for a wrong `authkey`.
   * @throws {ManagerError} `ERR_MANAGER_UNREACHABLE` if nothing listens
   * there, or what listens does not answer as a manager within `timeout`.
   */
  static async connect(options: ManagerConnectOptions): Promise<Manager> {
    if (typeof options !== 'object' || options === null) {
      throw argTypeError(`Expected \`options\` to be an object, got ${describe(options)}`);
    }
    const address = checkAddress(options.address);
    const authkey = checkAuthkey(options.authkey);
    const timeout = checkTimeout(options.timeout ?? CONNECT_TIMEOUT);
    const signal = checkSignal(options.signal);
    signal?.throwIfAborted();
    const channel = channelFor(address, authkey, true);
    const manager = new Manager(address, authkey, channel, undefined, undefined);
    let timer: LongTimer | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        channel.call(0, 'ping', []).then(() => resolve(), reject);
        if (timeout !== Infinity) {
          timer = setLongTimeout(() => {
            reject(
              new ManagerError(
                'ERR_MANAGER_UNREACHABLE',
                `No manager answered at this address within ${timeout} ms`,
              ),
            );
          }, timeout);
        }
        if (signal !== undefined) {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the signal's reason, as given
          onAbort = () => reject(signal.reason);
          signal.addEventListener('abort', onAbort, { once: true });
        }
      });
    } catch (error) {
      channel.close();
      throw error;
    } finally {
      timer?.clear();
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    }
    return manager;
  }

  /** Where the server listens. */
  get address(): Address {
    return this.#address;
  }

  /** The authkey (clients need it to connect). */
  get authkey(): Uint8Array {
    return this.#authkey;
  }

  #ref(id: number, typeid: string): BaseProxy {
    return makeProxy({ address: this.#address, authkey: this.#authkey, id, typeid });
  }

  async #create<P>(typeid: string, args: unknown[]): Promise<P> {
    this.#check();
    const id = (await this.#channel.call(0, 'create', [typeid, ...args])) as number;
    return this.#ref(id, typeid) as P;
  }

  #createSync<P>(typeid: string, args: unknown[]): P {
    this.#check();
    const id = this.#channel.callSync(0, 'create', [typeid, ...args]) as number;
    return this.#ref(id, typeid) as P;
  }

  #check(): void {
    if (this.#closed !== undefined) {
      throw new ManagerError('ERR_MANAGER_CLOSED', 'The manager was shut down');
    }
  }

  /** A new managed dict, from a plain object, a Map or `[key, value]` pairs. */
  dict<V = unknown>(
    init?:
      | Record<string, NoInfer<V>>
      | Map<unknown, NoInfer<V>>
      | readonly (readonly [unknown, NoInfer<V>])[],
  ): Promise<DictProxy<V>> {
    arity(arguments.length, 1, 'dict');
    return this.#create('dict', init === undefined ? [] : [init]);
  }
  /** Blocking form of {@link Manager.dict}: waits for the manager's answer in this thread. */
  dictSync<V = unknown>(
    init?:
      | Record<string, NoInfer<V>>
      | Map<unknown, NoInfer<V>>
      | readonly (readonly [unknown, NoInfer<V>])[],
  ): DictProxy<V> {
    arity(arguments.length, 1, 'dictSync');
    return this.#createSync('dict', init === undefined ? [] : [init]);
  }
  /** A new managed list. */
  list<T = unknown>(init?: readonly NoInfer<T>[]): Promise<ListProxy<T>> {
    arity(arguments.length, 1, 'list');
    return this.#create('list', init === undefined ? [] : [init]);
  }
  /** Blocking form of {@link Manager.list}: waits for the manager's answer in this thread. */
  listSync<T = unknown>(init?: readonly NoInfer<T>[]): ListProxy<T> {
    arity(arguments.length, 1, 'listSync');
    return this.#createSync('list', init === undefined ? [] : [init]);
  }
  /** A new managed Namespace, with initial attributes. */
  Namespace(init?: Record<string, unknown>): Promise<NamespaceProxy> {
    arity(arguments.length, 1, 'Namespace');
    return this.#create('Namespace', init === undefined ? [] : [init]);
  }
  /** Blocking form of {@link Manager.Namespace}: waits for the manager's answer in this thread. */
  NamespaceSync(init?: Record<string, unknown>): NamespaceProxy {
    arity(arguments.length, 1, 'NamespaceSync');
    return this.#createSync('Namespace', init === undefined ? [] : [init]);
  }
  /** A new managed typed value (`'i'`, `'d'`, … as weft/shared's `Value`). */
  Value<N extends Numeric = number>(type: string, value?: NoInfer<N>): Promise<ValueProxy<N>> {
    arity(arguments.length, 2, 'Value');
    typeInfo(type);
    return this.#create('Value', [type, value]);
  }
  /** Blocking form of {@link Manager.Value}: waits for the manager's answer in this thread. */
  ValueSync<N extends Numeric = number>(type: string, value?: NoInfer<N>): ValueProxy<N> {
    arity(arguments.length, 2, 'ValueSync');
    typeInfo(type);
    return this.#createSync('Value', [type, value]);
  }
  /** A new managed typed array, from values or a length (zeros). */
  Array<N extends Numeric = number>(
    type: string,
    init: readonly NoInfer<N>[] | number,
  ): Promise<ArrayProxy<N>> {
    arity(arguments.length, 2, 'Array');
    typeInfo(type);
    return this.#create('Array', [type, init]);
  }
  /** Blocking form of {@link Manager.Array}: waits for the manager's answer in this thread. */
  ArraySync<N extends Numeric = number>(
    type: string,
    init: readonly NoInfer<N>[] | number,
  ): ArrayProxy<N> {
    arity(arguments.length, 2, 'ArraySync');
    typeInfo(type);
    return this.#createSync('Array', [type, init]);
  }
  /** A new managed Lock (Python's `manager.Lock()`). */
  Lock(): Promise<LockProxy> {
    arity(arguments.length, 0, 'Lock');
    return this.#create('Lock', []);
  }
  /** Blocking form of {@link Manager.Lock}: waits for the manager's answer in this thread. */
  LockSync(): LockProxy {
    arity(arguments.length, 0, 'LockSync');
    return this.#createSync('Lock', []);
  }
  /** A new managed RLock (Python's `manager.RLock()`). */
  RLock(): Promise<RLockProxy> {
    arity(arguments.length, 0, 'RLock');
    return this.#create('RLock', []);
  }
  /** Blocking form of {@link Manager.RLock}: waits for the manager's answer in this thread. */
  RLockSync(): RLockProxy {
    arity(arguments.length, 0, 'RLockSync');
    return this.#createSync('RLock', []);
  }
  /** A new managed Semaphore with `value` permits (Python's `manager.Semaphore(value)`). */
  Semaphore(value = 1): Promise<SemaphoreProxy> {
    arity(arguments.length, 1, 'Semaphore');
    return this.#create('Semaphore', [checkInt(value, 'value', 0, 2 ** 31 - 1)]);
  }
  /** Blocking form of {@link Manager.Semaphore}: waits for the manager's answer in this thread. */
  SemaphoreSync(value = 1): SemaphoreProxy {
    arity(arguments.length, 1, 'SemaphoreSync');
    return this.#createSync('Semaphore', [checkInt(value, 'value', 0, 2 ** 31 - 1)]);
  }
  /** A new managed BoundedSemaphore with `value` permits (Python's `manager.BoundedSemaphore(value)`). */
  BoundedSemaphore(value = 1): Promise<SemaphoreProxy> {
    arity(arguments.length, 1, 'BoundedSemaphore');
    return this.#create('BoundedSemaphore', [checkInt(value, 'value', 0, 2 ** 31 - 1)]);
  }
  /** Blocking form of {@link Manager.BoundedSemaphore}: waits for the manager's answer in this thread. */
  BoundedSemaphoreSync(value = 1): SemaphoreProxy {
    arity(arguments.length, 1, 'BoundedSemaphoreSync');
    return this.#createSync('BoundedSemaphore', [checkInt(value, 'value', 0, 2 ** 31 - 1)]);
  }
  /** A new managed Event, initially clear (Python's `manager.Event()`). */
  Event(): Promise<EventProxy> {
    arity(arguments.length, 0, 'Event');
    return this.#create('Event', []);
  }
  /** Blocking form of {@link Manager.Event}: waits for the manager's answer in this thread. */
  EventSync(): EventProxy {
    arity(arguments.length, 0, 'EventSync');
    return this.#createSync('Event', []);
  }
  /** A new managed Condition over `lock` (a Lock or RLock of this manager), or a new RLock. */
  Condition(lock?: LockProxy): Promise<ConditionProxy> {
    arity(arguments.length, 1, 'Condition');
    return this.#create('Condition', this.#conditionArgs(lock));
  }
  /** Blocking form of {@link Manager.Condition}: waits for the manager's answer in this thread. */
  ConditionSync(lock?: LockProxy): ConditionProxy {
    arity(arguments.length, 1, 'ConditionSync');
    return this.#createSync('Condition', this.#conditionArgs(lock));
  }
  #conditionArgs(lock: LockProxy | undefined): unknown[] {
    if (lock === undefined) return [];
    const id = objectId(lock);
    if (id === undefined || (lock.typeid !== 'Lock' && lock.typeid !== 'RLock')) {
      throw argTypeError(
        `Expected \`lock\` to be a Lock or RLock of this manager, got ${describe(lock)}`,
      );
    }
    return [id];
  }
  /**
   * A new managed Barrier. It has no `action` (that would be code run in
   * the server): `{ action }` or a function is refused with `ERR_INVALID_ARG_VALUE` /
   * `ERR_INVALID_ARG_TYPE`; run the action after `wait()` in the party that gets index 0.
   */
  Barrier(parties: number, options?: { readonly timeout?: number }): Promise<BarrierProxy> {
    arity(arguments.length, 2, 'Barrier');
    return this.#create('Barrier', barrierArgs(parties, options, 'manager.Barrier()'));
  }
  /** Blocking form of {@link Manager.Barrier}: waits for the manager's answer in this thread. */
  BarrierSync(parties: number, options?: { readonly timeout?: number }): BarrierProxy {
    arity(arguments.length, 2, 'BarrierSync');
    return this.#createSync('Barrier', barrierArgs(parties, options, 'manager.BarrierSync()'));
  }
  /** A new managed FIFO Queue (Python's `manager.Queue(maxsize)`). */
  Queue<T = unknown>(options: ManagedQueueOptions = {}): Promise<QueueProxy<T>> {
    arity(arguments.length, 1, 'Queue');
    return this.#create('Queue', [queueSize(options)]);
  }
  /** Blocking form of {@link Manager.Queue}: waits for the manager's answer in this thread. */
  QueueSync<T = unknown>(options: ManagedQueueOptions = {}): QueueProxy<T> {
    arity(arguments.length, 1, 'QueueSync');
    return this.#createSync('Queue', [queueSize(options)]);
  }
  /** A new managed JoinableQueue (Python's `manager.JoinableQueue(maxsize)`). */
  JoinableQueue<T = unknown>(options: ManagedQueueOptions = {}): Promise<QueueProxy<T>> {
    arity(arguments.length, 1, 'JoinableQueue');
    return this.#create('JoinableQueue', [queueSize(options)]);
  }
  /** Blocking form of {@link Manager.JoinableQueue}: waits for the manager's answer in this thread. */
  JoinableQueueSync<T = unknown>(options: ManagedQueueOptions = {}): QueueProxy<T> {
    arity(arguments.length, 1, 'JoinableQueueSync');
    return this.#createSync('JoinableQueue', [queueSize(options)]);
  }
  /** A new managed LIFO queue (weft/queue's `LifoQueue`). */
  LifoQueue<T = unknown>(options: ManagedQueueOptions = {}): Promise<QueueProxy<T>> {
    arity(arguments.length, 1, 'LifoQueue');
    return this.#create('LifoQueue', [queueSize(options)]);
  }
  /** Blocking form of {@link Manager.LifoQueue}: waits for the manager's answer in this thread. */
  LifoQueueSync<T = unknown>(options: ManagedQueueOptions = {}): QueueProxy<T> {
    arity(arguments.length, 1, 'LifoQueueSync');
    return this.#createSync('LifoQueue', [queueSize(options)]);
  }
  /** A new managed priority queue (weft/queue's `PriorityQueue`). */
  PriorityQueue<T = unknown>(options: ManagedQueueOptions = {}): Promise<QueueProxy<T>> {
    arity(arguments.length, 1, 'PriorityQueue');
    return this.#create('PriorityQueue', [queueSize(options)]);
  }
  /** Blocking form of {@link Manager.PriorityQueue}: waits for the manager's answer in this thread. */
  PriorityQueueSync<T = unknown>(options: ManagedQueueOptions = {}): QueueProxy<T> {
    arity(arguments.length, 1, 'PriorityQueueSync');
    return this.#createSync('PriorityQueue', [queueSize(options)]);
  }

  /**
   * Registers a type (Python's `register(typeid, callable)`): `factory` is
   * a task reference (`tasks(url).makeCounter`) that the server imports and
   * calls with `create`'s arguments; the object it returns is served, and
   * its public methods (not starting with `_`) are callable through the
   * proxy. Code only ever comes from the module the reference names.
   */
  async register(typeid: string, factory: Target<AnyFunction>): Promise<void> {
    this.#check();
    if (typeof typeid !== 'string' || typeid === '') {
      throw argTypeError(`Expected \`typeid\` to be a non-empty string, got ${describe(typeid)}`);
    }
    await this.#channel.call(0, 'register', [typeid, toTaskSpec(factory, '`factory`')]);
  }

  /** A new object of a registered type. @throws {ManagerError} `ERR_MANAGER_UNKNOWN_TYPE` */
  create(typeid: string, ...args: unknown[]): Promise<ObjectProxy> {
    return this.#create<ObjectProxy>(typeid, args).catch((error: unknown) => {
      throw fromServed(error);
    });
  }
  /** Blocking form of {@link Manager.create}: waits for the manager's answer in this thread. */
  createSync(typeid: string, ...args: unknown[]): ObjectProxy {
    try {
      return this.#createSync(typeid, args);
    } catch (error) {
      throw fromServed(error);
    }
  }

  /**
   * Stops the server (for a manager from `connect`, closes this client's
   * connection only). Every proxy call then fails fast: `ERR_MANAGER_CLOSED`
   * here, `ERR_MANAGER_GONE` in other threads and processes. Safe to call
   * twice.
   */
  shutdown(): Promise<void> {
    return (this.#closed ??= this.#close());
  }

  async #close(): Promise<void> {
    const worker = this.#worker;
    if (worker !== undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        worker.on('message', (m: { t?: string }) => {
          if (m.t === 'closed') {
            clearTimeout(timer);
            resolve();
          }
        });
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        worker.postMessage({ t: 'shutdown' });
      });
      await worker.terminate();
    }
    this.#channel.close(DEAD.CLOSED);
    if (this.#dir !== undefined) {
      rmSync(this.#dir, { recursive: true, force: true });
      socketDirs.delete(this.#dir);
    }
  }

  /** Calls {@link Manager.shutdown}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }
}

function spawnServer(
  listen: Address,
  authkey: Uint8Array,
): { worker: Worker; a: MessageChannel; s: MessageChannel; word: Int32Array } {
  const a = new MessageChannel();
  const s = new MessageChannel();
  const word = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(weftModule('multiprocessing/entry/server'), {
    workerData: { listen, authkey, port: a.port2, syncPort: s.port2, word },
    transferList: [a.port2, s.port2],
    name: 'weft-manager',
    // Lane FIFOs are opened with fs and closed by their net.Socket: Node's
    // tracking of a worker's fs fds would not see that close and warn when
    // the number is reused.
    trackUnmanagedFds: false,
  });
  return { worker, a, s, word };
}

// Socket directories of managers not shut down: removed when the process
// exits (the server thread ends with it; its directory would stay behind).
const socketDirs = new Set<string>();
let exitHook = false;

function removeAtExit(dir: string): void {
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const d of socketDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  socketDirs.add(dir);
}

function queueSize(options: ManagedQueueOptions): number {
  const o = checkOptions(options, 'manager.Queue()', '{ maxsize: 10 }');
  return o.maxsize === undefined ? 0 : checkInt(o.maxsize, 'maxsize', 0);
}

// A factory given more arguments than it takes: Python's positional habits
// (`Event(1)`, `BarrierSync(2, 5)`) would otherwise be silently dropped.
function arity(count: number, max: number, name: string): void {
  if (count > max) {
    throw argTypeError(
      `\`manager.${name}()\` takes at most ${max} argument${max === 1 ? '' : 's'}, got ${count}: Python's positional arguments are named options in weft`,
    );
  }
}

function barrierArgs(parties: unknown, options: unknown, call: string): unknown[] {
  const o = checkOptions(
    options as { timeout?: number; action?: unknown } | undefined,
    call,
    '{ timeout: 100 }',
  );
  if (o.action !== undefined) {
    throw codedError(
      TypeError,
      'ERR_INVALID_ARG_VALUE',
      `A managed Barrier cannot run an \`action\` (it would be code run in the manager): run it after wait() in the party that gets index 0`,
    );
  }
  return [checkInt(parties, 'parties', 1), checkTimeout(o.timeout)];
}

// The object id of a proxy (read from its shared state, which only weft makes).
function objectId(proxy: unknown): number | undefined {
  const shared = (proxy as { [SHARE]?: () => { state: { id?: unknown } } })[SHARE]?.();
  return typeof shared?.state.id === 'number' ? shared.state.id : undefined;
}
