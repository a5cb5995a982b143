// The server's data objects: dict, list, Namespace, Value, Array and the
// queues. Values are stored as the opaque (clone, table) pairs of
// served.ts, never decoded here.

import { isDeepStrictEqual } from 'node:util';
import {
  comparePriority,
  priorityOf,
  shapeError,
  shapeOf,
  type Priority,
} from '../internal/priority.js';
import { checkElement, typeInfo, type TypeInfo } from '../shared/types.js';
import {
  CallError,
  noMethod,
  Out,
  Served,
  Wait,
  intArg,
  timeoutArg,
  type Caller,
  type Item,
} from './served.js';

type Key = string | number | bigint | boolean | null | undefined;

function keyArg(key: unknown): Key {
  const type = typeof key;
  if (type === 'object' ? key !== null : type === 'function' || type === 'symbol') {
    throw new CallError(
      'TypeError',
      'ERR_INVALID_ARG_TYPE',
      'A managed dict key must be a string, number, bigint, boolean, null or undefined',
    );
  }
  return key as Key;
}

const item = (v: unknown, t: unknown[] | undefined): Item => ({ v, t });

export class ServedDict extends Served {
  readonly typeid: string = 'dict';
  readonly #map = new Map<Key, Item>();

  constructor(init: unknown, table: unknown[] | undefined) {
    super();
    if (init !== undefined) this.#update(init, table);
  }

  call(
    _caller: Caller,
    _request: number,
    name: string,
    args: unknown[],
    t: unknown[] | undefined,
  ): unknown {
    const map = this.#map;
    switch (name) {
      case 'get': {
        const found = map.get(keyArg(args[0]));
        return found === undefined ? new Out(args[1], t) : Out.of(found);
      }
      case 'set':
        map.set(keyArg(args[0]), item(args[1], t));
        return undefined;
      case 'has':
        return map.has(keyArg(args[0]));
      case 'delete':
        return map.delete(keyArg(args[0]));
      case 'keys':
        return [...map.keys()];
      case 'values':
        return Out.many((wrap) => [...map.values()].map(wrap));
      case 'entries':
        return Out.many((wrap) => [...map].map(([k, v]) => [k, wrap(v)]));
      case 'size':
        return map.size;
      case 'update':
        this.#update(args[0], t);
        return undefined;
      case 'setDefault': {
        const key = keyArg(args[0]);
        const found = map.get(key);
        if (found !== undefined) return Out.of(found);
        map.set(key, item(args[1], t));
        return new Out(args[1], t);
      }
      case 'pop': {
        const key = keyArg(args[0]);
        const found = map.get(key);
        if (found === undefined) return new Out(args[1], t);
        map.delete(key);
        return Out.of(found);
      }
      case 'clear':
        map.clear();
        return undefined;
      case 'toObject':
        return Out.many((wrap) => {
          const out: Record<string, unknown> = {};
          for (const [k, v] of map) {
            // Python's keys 1 and '1' differ; one string key cannot hold both.
            if (Object.hasOwn(out, String(k))) {
              throw new CallError(
                'TypeError',
                'ERR_INVALID_ARG_VALUE',
                `toObject() would merge two keys that differ in the dict but share the string '${String(k)}' (as 1 and '1' do): read entries() instead`,
              );
            }
            Object.defineProperty(out, String(k), {
              value: wrap(v),
              enumerable: true,
              writable: true,
              configurable: true,
            });
          }
          return out;
        });
      default:
        throw noMethod(this.typeid, name);
    }
  }

  #update(source: unknown, t: unknown[] | undefined): void {
    const pairs: [unknown, unknown][] = [];
    if (source instanceof Map) pairs.push(...(source as Map<unknown, unknown>));
    else if (Array.isArray(source)) {
      for (const pair of source as unknown[]) {
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new CallError('TypeError', 'ERR_INVALID_ARG_TYPE', 'Expected [key, value] pairs');
        }
        pairs.push(pair as [unknown, unknown]);
      }
    } else if (typeof source === 'object' && source !== null) {
      for (const key of Object.keys(source))
        pairs.push([key, (source as Record<string, unknown>)[key]]);
    } else {
      throw new CallError(
        'TypeError',
        'ERR_INVALID_ARG_TYPE',
        'Expected an object, a Map or [key, value] pairs',
      );
    }
    // Validate every key first: an update either happens whole or not at all.
    for (const [k] of pairs) keyArg(k);
    for (const [k, v] of pairs) this.#map.set(k as Key, item(v, t));
  }
}

export class ServedNamespace extends ServedDict {
  override readonly typeid: string = 'Namespace';
}

function indexArg(value: unknown, length: number, insert = false): number {
  const i = intArg(typeof value === 'number' && value < 0 ? value + length : value, 'index', 0);
  if (insert ? i > length : i >= length) {
    throw new CallError(
      'RangeError',
      'ERR_OUT_OF_RANGE',
      `List index out of range: ${String(value)}`,
    );
  }
  return i;
}

export class ServedList extends Served {
  readonly typeid = 'list';
  #items: Item[];

  constructor(init: unknown, table: unknown[] | undefined) {
    super();
    if (init !== undefined && !Array.isArray(init)) {
      throw new CallError('TypeError', 'ERR_INVALID_ARG_TYPE', 'Expected an array');
    }
    this.#items = ((init ?? []) as unknown[]).map((v) => item(v, table));
  }

  call(
    _caller: Caller,
    _request: number,
    name: string,
    args: unknown[],
    t: unknown[] | undefined,
  ): unknown {
    const items = this.#items;
    const all = (list: Item[]): Out => Out.many((wrap) => list.map(wrap));
    switch (name) {
      case 'get':
        return Out.of(items[indexArg(args[0], items.length)]);
      case 'set':
        items[indexArg(args[0], items.length)] = item(args[1], t);
        return undefined;
      case 'push':
        for (const v of args) items.push(item(v, t));
        return items.length;
      case 'unshift':
        items.unshift(...args.map((v) => item(v, t)));
        return items.length;
      case 'pop':
        return Out.of(items.pop());
      case 'shift':
        return Out.of(items.shift());
      case 'insert':
        items.splice(indexArg(args[0], items.length, true), 0, item(args[1], t));
        return undefined;
      case 'splice': {
        const start = args[0] === undefined ? 0 : intArg(args[0], 'start', -Infinity);
        const count = args[1] === undefined ? items.length : intArg(args[1], 'deleteCount', 0);
        return all(items.splice(start, count, ...args.slice(2).map((v) => item(v, t))));
      }
      case 'slice':
        return all(
          items.slice(
            args[0] === undefined ? 0 : intArg(args[0], 'start', -Infinity),
            args[1] === undefined ? undefined : intArg(args[1], 'end', -Infinity),
          ),
        );
      case 'length':
        return items.length;
      case 'toArray':
        return all(items);
      case 'indexOf':
        return items.findIndex((it) => isDeepStrictEqual(it.v, args[0]));
      case 'includes':
        return items.some((it) => isDeepStrictEqual(it.v, args[0]));
      case 'remove': {
        const at = items.findIndex((it) => isDeepStrictEqual(it.v, args[0]));
        if (at >= 0) items.splice(at, 1);
        return at >= 0;
      }
      case 'extend':
        if (!Array.isArray(args[0])) {
          throw new CallError('TypeError', 'ERR_INVALID_ARG_TYPE', 'Expected an array');
        }
        for (const v of args[0] as unknown[]) items.push(item(v, t));
        return items.length;
      case 'reverse':
        items.reverse();
        return undefined;
      case 'clear':
        this.#items = [];
        return undefined;
      default:
        throw noMethod(this.typeid, name);
    }
  }
}

/** Value (length 1) and Array: a typed array of a Python typecode. */
export class ServedTyped extends Served {
  readonly typeid: string;
  readonly #array: { [i: number]: number | bigint; length: number };
  readonly #info: TypeInfo;

  constructor(array: boolean, type: unknown, init: unknown) {
    super();
    let info;
    try {
      info = typeInfo(type);
    } catch (error) {
      throw new CallError('TypeError', 'ERR_INVALID_ARG_TYPE', (error as Error).message);
    }
    this.#info = info;
    this.typeid = array ? 'Array' : 'Value';
    const values = array
      ? typeof init === 'number'
        ? new Array<number>(intArg(init, 'size', 0)).fill(0)
        : init
      : [init ?? (info.big ? 0n : 0)];
    if (!Array.isArray(values)) {
      throw new CallError('TypeError', 'ERR_INVALID_ARG_TYPE', 'Expected an array or a length');
    }
    this.#array = info.make(new SharedArrayBuffer(info.bytes * values.length));
    values.forEach((v, i) => this.#store(i, v));
  }

  // Refuses what the type cannot hold (a coded TypeError or RangeError, sent back as such), as weft/shared does.
  #store(i: number, v: unknown): void {
    checkElement(this.#info, v, 'value');
    this.#array[i] = v as number;
  }

  call(_caller: Caller, _request: number, name: string, args: unknown[]): unknown {
    const a = this.#array;
    switch (name) {
      case 'get':
        return this.typeid === 'Value' ? a[0] : a[indexArg(args[0], a.length)];
      case 'set':
        if (this.typeid === 'Value') this.#store(0, args[0]);
        else this.#store(indexArg(args[0], a.length), args[1]);
        return undefined;
      case 'add': {
        const i = this.typeid === 'Value' ? 0 : indexArg(args[0], a.length);
        const delta = this.typeid === 'Value' ? args[0] : args[1];
        checkElement(this.#info, delta, 'delta');
        this.#store(i, (a[i] as number) + (delta as number));
        return a[i];
      }
      case 'length':
        return a.length;
      case 'toArray':
        return Array.from(a as ArrayLike<number>);
      default:
        throw noMethod(this.typeid, name);
    }
  }
}

interface Queued extends Item {
  readonly p: Priority | undefined;
  readonly seq: number;
}

/** Queue, LifoQueue, PriorityQueue, JoinableQueue. */
export class ServedQueue extends Served {
  readonly typeid: string;
  readonly #kind: 'fifo' | 'lifo' | 'priority';
  #maxsize: number;
  #items: Queued[] = [];
  #seq = 0;
  #unfinished = 0;
  #shutdown = false;
  readonly #getters: Wait[] = [];
  /** A hand-off to a remote getter waits its turn of the event loop (see #wakeGetter). */
  #handOff = false;
  readonly #putters: { wait: Wait; item: Queued }[] = [];
  readonly #joiners = new Set<Wait>();

  constructor(typeid: string, kind: 'fifo' | 'lifo' | 'priority', maxsize: unknown) {
    super();
    this.typeid = typeid;
    this.#kind = kind;
    this.#maxsize = maxsize === undefined ? 0 : intArg(maxsize, 'maxsize', -Infinity);
  }

  get #full(): boolean {
    return this.#maxsize > 0 && this.#items.length >= this.#maxsize;
  }

  call(
    caller: Caller,
    request: number,
    name: string,
    args: unknown[],
    t: unknown[] | undefined,
  ): unknown {
    switch (name) {
      case 'put':
        return this.#put(caller, request, args[0], t, timeoutArg(args[1]));
      case 'get':
        return this.#get(caller, request, timeoutArg(args[0]));
      case 'unget': {
        // An aborted get whose item was already on its way: the item goes back first in line.
        const back = this.#entry(args[0], t);
        if (this.#kind === 'fifo') this.#items.unshift(back);
        else this.#insert(back);
        this.#wakeGetter();
        return undefined;
      }
      case 'taskDone':
        if (this.#unfinished <= 0) {
          throw new CallError(
            'StateError',
            'ERR_TASK_DONE_TOO_MANY',
            'taskDone() called too many times',
          );
        }
        if (--this.#unfinished === 0) for (const w of [...this.#joiners]) w.resolve(undefined);
        return undefined;
      case 'join': {
        if (this.#unfinished === 0) return undefined;
        const wait = new Wait(caller, request, Infinity, () => wait.resolve(false));
        this.#joiners.add(wait);
        wait.onEnd = () => this.#joiners.delete(wait);
        return wait.promise;
      }
      case 'qsize':
        return this.#items.length;
      case 'empty':
        return this.#items.length === 0;
      case 'full':
        return this.#full;
      case 'maxsize':
        if (args.length > 0) {
          this.#maxsize = intArg(args[0], 'maxsize', -Infinity);
          this.#admit();
        }
        return this.#maxsize;
      case 'shutdown':
        this.#shut(args[0] === true);
        return undefined;
      default:
        throw noMethod(this.typeid, name);
    }
  }

  #entry(v: unknown, t: unknown[] | undefined): Queued {
    let p: Priority | undefined;
    if (this.#kind === 'priority') {
      // weft/queue's rule (internal/priority.ts): an orderable priority, of
      // the one shape the queue holds now; else refused at the put.
      try {
        p = priorityOf(v);
        const held = this.#items[0]?.p;
        if (held !== undefined && shapeOf(held) !== shapeOf(p)) {
          throw shapeError(shapeOf(held), shapeOf(p));
        }
      } catch (error) {
        throw new CallError('TypeError', codeOf(error), (error as Error).message);
      }
    }
    return { v, t, p, seq: this.#seq++ };
  }

  #insert(entry: Queued): void {
    const items = this.#items;
    if (this.#kind !== 'priority') {
      items.push(entry);
      return;
    }
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = items[mid]!;
      let c: number;
      try {
        c = comparePriority(m.p!, entry.p!) || m.seq - entry.seq;
      } catch (error) {
        throw new CallError('TypeError', codeOf(error), (error as Error).message);
      }
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, entry);
  }

  #take(): Queued {
    return (this.#kind === 'lifo' ? this.#items.pop() : this.#items.shift())!;
  }

  #put(
    caller: Caller,
    request: number,
    v: unknown,
    t: unknown[] | undefined,
    timeout: number,
  ): unknown {
    if (this.#shutdown) throw shutDown();
    const entry = this.#entry(v, t);
    if (!this.#full) {
      this.#insert(entry);
      this.#unfinished++;
      this.#wakeGetter();
      return undefined;
    }
    if (timeout === 0) throw new CallError('QueueFull', 'ERR_QUEUE_FULL', 'The queue is full');
    const wait = new Wait(caller, request, timeout, () =>
      wait.reject(new CallError('QueueFull', 'ERR_QUEUE_FULL', 'The queue is full')),
    );
    const putter = { wait, item: entry };
    this.#putters.push(putter);
    wait.onEnd = () => {
      const at = this.#putters.indexOf(putter);
      if (at >= 0) this.#putters.splice(at, 1);
    };
    return wait.promise;
  }

  #get(caller: Caller, request: number, timeout: number): unknown {
    // Items wait for earlier getters during a hand-off (see #wakeGetter).
    if (this.#items.length > 0 && this.#getters.length === 0) {
      const got = this.#take();
      this.#admit();
      return Out.of(got);
    }
    if (this.#shutdown) throw shutDown();
    if (timeout === 0) throw new CallError('QueueEmpty', 'ERR_QUEUE_EMPTY', 'The queue is empty');
    const wait = new Wait(caller, request, timeout, () =>
      wait.reject(new CallError('QueueEmpty', 'ERR_QUEUE_EMPTY', 'The queue is empty')),
    );
    this.#getters.push(wait);
    wait.onEnd = () => {
      const at = this.#getters.indexOf(wait);
      if (at >= 0) this.#getters.splice(at, 1);
    };
    return wait.promise;
  }

  // Hands queued items to waiting getters, in order. An item for a remote
  // getter waits one turn of the event loop (setImmediate, after the poll
  // phase): a client that died (a SIGKILLed child whose exit the putter
  // already saw) has its socket's end read by then, its wait cancelled, and
  // the item goes to the next getter instead of to the dead one.
  #wakeGetter(turned = false): void {
    if (this.#handOff && !turned) return;
    while (this.#getters.length > 0 && this.#items.length > 0) {
      const getter = this.#getters[0]!;
      if (getter.caller.remote && !turned) {
        this.#handOff = true;
        setImmediate(() => {
          this.#handOff = false;
          this.#wakeGetter(true);
        });
        return;
      }
      const got = this.#take();
      if (!getter.resolve(Out.of(got))) this.#items.unshift(got);
      this.#admit();
    }
  }

  // Lets blocked putters in while there is room.
  #admit(): void {
    while (this.#putters.length > 0 && !this.#full) {
      const { wait, item } = this.#putters[0]!;
      if (!wait.resolve(undefined)) continue;
      this.#insert(item);
      this.#unfinished++;
    }
    if (this.#putters.length === 0) this.#wakeGetterOnly();
  }

  #wakeGetterOnly(): void {
    if (this.#getters.length > 0 && this.#items.length > 0) this.#wakeGetter();
  }

  #shut(immediate: boolean): void {
    this.#shutdown = true;
    if (immediate) {
      this.#unfinished = Math.max(0, this.#unfinished - this.#items.length);
      this.#items = [];
      if (this.#unfinished === 0) for (const w of [...this.#joiners]) w.resolve(undefined);
    }
    for (const { wait } of [...this.#putters]) wait.reject(shutDown());
    if (this.#items.length === 0) for (const wait of [...this.#getters]) wait.reject(shutDown());
  }
}

function shutDown(): CallError {
  return new CallError('QueueShutDown', 'ERR_QUEUE_SHUT_DOWN', 'The queue has been shut down');
}

// The code of a priority error (internal/priority.ts codes all it throws).
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'ERR_INVALID_ARG_TYPE';
}
