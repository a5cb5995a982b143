// Proxies of the data objects: dict (Map-like names), list (array-like),
// Namespace, Value, Array. Every method has an async form and a `…Sync`
// twin. Values are copied (structured clone) into the server and out of it;
// shareables and proxies inside them travel by reference.

import { BaseProxy, invoke as invokeAsync, invokeSync, remoteMethods } from './proxy-base.js';
import { fromServed } from './served-error.js';

/** A key of a managed dict: a primitive (objects are copied, so they could never match). */
export type DictKey = string | number | bigint | boolean | null | undefined;

/**
 * A proxy for a dict in a Manager (Python's `DictProxy`), with Map-like
 * names. Values are copies: changing an object you got back changes
 * nothing in the manager until you `set` it again.
 *
 * @example
 * ```ts
 * const d = await manager.dict({ a: 1 });
 * await d.set('b', 2);
 * d.getSync('a'); // 1
 * ```
 */
export interface DictProxy<V = unknown> {
  /** The value at `key`, or `fallback` (default undefined). */
  get(key: DictKey): Promise<V | undefined>;
  /** The value at `key`, or `fallback` if absent (Python's `dict.get`). */
  get<D>(key: DictKey, fallback: D): Promise<V | D>;
  /** Blocking form of {@link DictProxy.get}: waits for the manager's answer in this thread. */
  getSync(key: DictKey): V | undefined;
  /** Blocking form of {@link DictProxy.get}: waits for the manager's answer in this thread. */
  getSync<D>(key: DictKey, fallback: D): V | D;
  /** Stores a copy of `value`. A value that cannot be cloned throws `ERR_NOT_CLONEABLE` and changes nothing. */
  set(key: DictKey, value: V): Promise<void>;
  /** Blocking form of {@link DictProxy.set}: waits for the manager's answer in this thread. */
  setSync(key: DictKey, value: V): void;
  /** Whether `key` is present (Python's `key in d`). */
  has(key: DictKey): Promise<boolean>;
  /** Blocking form of {@link DictProxy.has}: waits for the manager's answer in this thread. */
  hasSync(key: DictKey): boolean;
  /** Removes `key`; true if it was there. */
  delete(key: DictKey): Promise<boolean>;
  /** Blocking form of {@link DictProxy.delete}: waits for the manager's answer in this thread. */
  deleteSync(key: DictKey): boolean;
  /** A copy of the keys (Python's `dict.keys`). */
  keys(): Promise<DictKey[]>;
  /** Blocking form of {@link DictProxy.keys}: waits for the manager's answer in this thread. */
  keysSync(): DictKey[];
  /** A copy of the values (Python's `dict.values`). */
  values(): Promise<V[]>;
  /** Blocking form of {@link DictProxy.values}: waits for the manager's answer in this thread. */
  valuesSync(): V[];
  /** A copy of the `[key, value]` pairs (Python's `dict.items`). */
  entries(): Promise<[DictKey, V][]>;
  /** Blocking form of {@link DictProxy.entries}: waits for the manager's answer in this thread. */
  entriesSync(): [DictKey, V][];
  /** The number of entries (Python's `len(d)`). */
  size(): Promise<number>;
  /** Blocking form of {@link DictProxy.size}: waits for the manager's answer in this thread. */
  sizeSync(): number;
  /** Sets every entry of a plain object, a Map or `[key, value]` pairs (all or nothing). */
  update(
    source: Record<string, V> | Map<DictKey, V> | readonly (readonly [DictKey, V])[],
  ): Promise<void>;
  /** Blocking form of {@link DictProxy.update}: waits for the manager's answer in this thread. */
  updateSync(
    source: Record<string, V> | Map<DictKey, V> | readonly (readonly [DictKey, V])[],
  ): void;
  /** The value at `key`; if absent, stores `fallback` and returns it (Python's `setdefault`). */
  setDefault(key: DictKey, fallback: V): Promise<V>;
  /** Blocking form of {@link DictProxy.setDefault}: waits for the manager's answer in this thread. */
  setDefaultSync(key: DictKey, fallback: V): V;
  /** Removes `key` and returns its value, or `fallback` (default undefined). */
  pop(key: DictKey): Promise<V | undefined>;
  /** Removes `key` and returns its value, or `fallback` if absent (Python's `dict.pop`). */
  pop<D>(key: DictKey, fallback: D): Promise<V | D>;
  /** Blocking form of {@link DictProxy.pop}: waits for the manager's answer in this thread. */
  popSync(key: DictKey): V | undefined;
  /** Blocking form of {@link DictProxy.pop}: waits for the manager's answer in this thread. */
  popSync<D>(key: DictKey, fallback: D): V | D;
  /** Removes every entry (Python's `dict.clear`). */
  clear(): Promise<void>;
  /** Blocking form of {@link DictProxy.clear}: waits for the manager's answer in this thread. */
  clearSync(): void;
  /**
   * A plain-object copy (keys become strings).
   *
   * @throws {TypeError} `ERR_INVALID_ARG_VALUE` if two keys share a string (`1` and `'1'`): use `entries()`.
   */
  toObject(): Promise<Record<string, V>>;
  /** Blocking form of {@link DictProxy.toObject}: waits for the manager's answer in this thread. */
  toObjectSync(): Record<string, V>;
}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-unused-vars
export class DictProxy<V = unknown> extends BaseProxy {}
remoteMethods(DictProxy, [
  'get',
  'set',
  'has',
  'delete',
  'keys',
  'values',
  'entries',
  'size',
  'update',
  'setDefault',
  'pop',
  'clear',
  'toObject',
]);

/**
 * A proxy for a Namespace in a Manager: named attributes, read and written
 * one call at a time.
 *
 * @example
 * ```ts
 * const ns = await manager.Namespace({ x: 1 });
 * ns.setSync('y', 'two');
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface NamespaceProxy {
  /** The attribute `name` (undefined if unset; Python's `getattr(ns, name)`). */
  get(name: string): Promise<unknown>;
  /** Blocking form of {@link NamespaceProxy.get}: waits for the manager's answer in this thread. */
  getSync(name: string): unknown;
  /** Sets the attribute `name` to a copy of `value` (Python's `setattr`). */
  set(name: string, value: unknown): Promise<void>;
  /** Blocking form of {@link NamespaceProxy.set}: waits for the manager's answer in this thread. */
  setSync(name: string, value: unknown): void;
  /** Whether the attribute `name` is set (Python's `hasattr`). */
  has(name: string): Promise<boolean>;
  /** Blocking form of {@link NamespaceProxy.has}: waits for the manager's answer in this thread. */
  hasSync(name: string): boolean;
  /** Removes the attribute `name`; true if it was set (Python's `delattr`). */
  delete(name: string): Promise<boolean>;
  /** Blocking form of {@link NamespaceProxy.delete}: waits for the manager's answer in this thread. */
  deleteSync(name: string): boolean;
  /** A plain-object copy of all attributes. */
  toObject(): Promise<Record<string, unknown>>;
  /** Blocking form of {@link NamespaceProxy.toObject}: waits for the manager's answer in this thread. */
  toObjectSync(): Record<string, unknown>;
}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class NamespaceProxy extends BaseProxy {}
remoteMethods(NamespaceProxy, ['get', 'set', 'has', 'delete', 'toObject']);

/**
 * A proxy for a list in a Manager (Python's `ListProxy`), with array-like
 * names. Negative indexes count from the end (`get(-1)`); an index out of
 * range is a RangeError `ERR_OUT_OF_RANGE`.
 *
 * @example
 * ```ts
 * const l = await manager.list([1, 2]);
 * await l.push(3);
 * l.toArraySync(); // [1, 2, 3]
 * ```
 */
export interface ListProxy<T = unknown> {
  /** The item at `index` (negative counts from the end; Python's `l[i]`). */
  get(index: number): Promise<T>;
  /** Blocking form of {@link ListProxy.get}: waits for the manager's answer in this thread. */
  getSync(index: number): T;
  /** Replaces the item at `index` with a copy of `value` (Python's `l[i] = v`). */
  set(index: number, value: T): Promise<void>;
  /** Blocking form of {@link ListProxy.set}: waits for the manager's answer in this thread. */
  setSync(index: number, value: T): void;
  /** Appends; returns the new length. */
  push(...items: T[]): Promise<number>;
  /** Blocking form of {@link ListProxy.push}: waits for the manager's answer in this thread. */
  pushSync(...items: T[]): number;
  /** Removes and returns the last item, or undefined if empty (Python's `list.pop()`). */
  pop(): Promise<T | undefined>;
  /** Blocking form of {@link ListProxy.pop}: waits for the manager's answer in this thread. */
  popSync(): T | undefined;
  /** Removes and returns the first item, or undefined if empty (Python's `list.pop(0)`). */
  shift(): Promise<T | undefined>;
  /** Blocking form of {@link ListProxy.shift}: waits for the manager's answer in this thread. */
  shiftSync(): T | undefined;
  /** Prepends `items`; returns the new length. */
  unshift(...items: T[]): Promise<number>;
  /** Blocking form of {@link ListProxy.unshift}: waits for the manager's answer in this thread. */
  unshiftSync(...items: T[]): number;
  /** Inserts `value` before `index` (Python's `list.insert`); `index` may equal the length. */
  insert(index: number, value: T): Promise<void>;
  /** Blocking form of {@link ListProxy.insert}: waits for the manager's answer in this thread. */
  insertSync(index: number, value: T): void;
  /** Removes `deleteCount` items from `start` and inserts `items` there; returns the removed items (like `Array.prototype.splice`). */
  splice(start: number, deleteCount?: number, ...items: T[]): Promise<T[]>;
  /** Blocking form of {@link ListProxy.splice}: waits for the manager's answer in this thread. */
  spliceSync(start: number, deleteCount?: number, ...items: T[]): T[];
  /** A copy of the items from `start` up to `end` (Python's `l[start:end]`). */
  slice(start?: number, end?: number): Promise<T[]>;
  /** Blocking form of {@link ListProxy.slice}: waits for the manager's answer in this thread. */
  sliceSync(start?: number, end?: number): T[];
  /** The number of items (Python's `len(l)`). */
  length(): Promise<number>;
  /** Blocking form of {@link ListProxy.length}: waits for the manager's answer in this thread. */
  lengthSync(): number;
  /** A copy of all items (Python's `list(l)`). */
  toArray(): Promise<T[]>;
  /** Blocking form of {@link ListProxy.toArray}: waits for the manager's answer in this thread. */
  toArraySync(): T[];
  /** First index of an item deep-equal to `value`, or -1. */
  indexOf(value: T): Promise<number>;
  /** Blocking form of {@link ListProxy.indexOf}: waits for the manager's answer in this thread. */
  indexOfSync(value: T): number;
  /** Whether an item deep-equal to `value` is present (Python's `value in l`). */
  includes(value: T): Promise<boolean>;
  /** Blocking form of {@link ListProxy.includes}: waits for the manager's answer in this thread. */
  includesSync(value: T): boolean;
  /** Removes the first item deep-equal to `value` (Python's `remove`); true if one was. */
  remove(value: T): Promise<boolean>;
  /** Blocking form of {@link ListProxy.remove}: waits for the manager's answer in this thread. */
  removeSync(value: T): boolean;
  /** Appends every item of `items` (Python's `list.extend`); returns the new length. */
  extend(items: readonly T[]): Promise<number>;
  /** Blocking form of {@link ListProxy.extend}: waits for the manager's answer in this thread. */
  extendSync(items: readonly T[]): number;
  /** Reverses the list in place (Python's `list.reverse`). */
  reverse(): Promise<void>;
  /** Blocking form of {@link ListProxy.reverse}: waits for the manager's answer in this thread. */
  reverseSync(): void;
  /** Removes every item (Python's `list.clear`). */
  clear(): Promise<void>;
  /** Blocking form of {@link ListProxy.clear}: waits for the manager's answer in this thread. */
  clearSync(): void;
}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-unused-vars
export class ListProxy<T = unknown> extends BaseProxy {}
remoteMethods(ListProxy, [
  'get',
  'set',
  'push',
  'pop',
  'shift',
  'unshift',
  'insert',
  'splice',
  'slice',
  'length',
  'toArray',
  'indexOf',
  'includes',
  'remove',
  'extend',
  'reverse',
  'clear',
]);

/** A number, or a bigint for the 64-bit typecodes `q` / `Q`. */
export type Numeric = number | bigint;

/**
 * A proxy for a typed value in a Manager (`manager.Value('i', 0)`). Unlike
 * `weft/shared`'s `Value` it lives in the server, so it works across
 * processes; guard read-modify-write with a manager `Lock`, or use `add`.
 *
 * @example
 * ```ts
 * const v = await manager.Value('i', 0);
 * v.setSync(v.getSync() + 1);
 * ```
 */
export interface ValueProxy<N extends Numeric = number> {
  /** The value (Python's `v.value`). */
  get(): Promise<N>;
  /** Blocking form of {@link ValueProxy.get}: waits for the manager's answer in this thread. */
  getSync(): N;
  /** Stores `value` (Python's `v.value = x`). */
  set(value: N): Promise<void>;
  /** Blocking form of {@link ValueProxy.set}: waits for the manager's answer in this thread. */
  setSync(value: N): void;
  /** Adds `delta` in one call (atomic: no lock needed); returns the new value. */
  add(delta: N): Promise<N>;
  /** Blocking form of {@link ValueProxy.add}: waits for the manager's answer in this thread. */
  addSync(delta: N): N;
}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ValueProxy<N extends Numeric = number> extends BaseProxy {
  /** The value, read or written with a blocking call (Python's `.value`). */
  get value(): N {
    return invokeSync(this, 'get', []) as N;
  }
  /** Sets the value with a blocking call (Python's `v.value = x`). */
  set value(value: N) {
    invokeSync(this, 'set', [value]);
  }
}
remoteMethods(ValueProxy, ['get', 'set', 'add']);

/**
 * A proxy for a typed array in a Manager (`manager.Array('d', [1, 2])` or
 * `manager.Array('i', 10)` for ten zeros).
 *
 * @example
 * ```ts
 * const a = await manager.Array('i', [1, 2, 3]);
 * a.setSync(0, 9);
 * ```
 */
export interface ArrayProxy<N extends Numeric = number> {
  /** The item at `index` (negative counts from the end; Python's `a[i]`). */
  get(index: number): Promise<N>;
  /** Blocking form of {@link ArrayProxy.get}: waits for the manager's answer in this thread. */
  getSync(index: number): N;
  /** Stores `value` at `index` (Python's `a[i] = v`). */
  set(index: number, value: N): Promise<void>;
  /** Blocking form of {@link ArrayProxy.set}: waits for the manager's answer in this thread. */
  setSync(index: number, value: N): void;
  /** Adds `delta` to the item at `index` in one call (atomic: no lock needed); returns the new value. */
  add(index: number, delta: N): Promise<N>;
  /** Blocking form of {@link ArrayProxy.add}: waits for the manager's answer in this thread. */
  addSync(index: number, delta: N): N;
  /** The number of items (Python's `len(a)`). */
  length(): Promise<number>;
  /** Blocking form of {@link ArrayProxy.length}: waits for the manager's answer in this thread. */
  lengthSync(): number;
  /** A copy of all items (Python's `list(a)`). */
  toArray(): Promise<N[]>;
  /** Blocking form of {@link ArrayProxy.toArray}: waits for the manager's answer in this thread. */
  toArraySync(): N[];
}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-unused-vars
export class ArrayProxy<N extends Numeric = number> extends BaseProxy {}
remoteMethods(ArrayProxy, ['get', 'set', 'add', 'length', 'toArray']);

/**
 * A proxy for an object of a type registered with `manager.register`: call
 * its public methods by name. Arguments and results are copied.
 *
 * @example
 * ```ts
 * const counter = await manager.create('Counter', 10);
 * await counter.call('increment');
 * counter.callSync('value');
 * ```
 */
export class ObjectProxy extends BaseProxy {
  /** Calls `method` on the object in the server; resolves with its (awaited) result. */
  call(method: string, ...args: unknown[]): Promise<unknown> {
    return invokeAsync(this, method, args).catch((error: unknown) => {
      throw fromServed(error);
    });
  }
  /** Calls `method` and blocks until its result. */
  callSync(method: string, ...args: unknown[]): unknown {
    try {
      return invokeSync(this, method, args);
    } catch (error) {
      throw fromServed(error);
    }
  }
}
