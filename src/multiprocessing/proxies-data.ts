// Proxies of the data objects: dict (Map-like names), list (array-like),
// Namespace, Value, Array. Every method has an async form and a `…Sync`
// twin. Values are copied (structured clone) into the server and out of it;
// shareables and proxies inside them travel by reference.

import { BaseProxy, invoke as invokeAsync, invokeSync, remoteMethods } from './proxy-base.js';

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
  get<D>(key: DictKey, fallback: D): Promise<V | D>;
  getSync(key: DictKey): V | undefined;
  getSync<D>(key: DictKey, fallback: D): V | D;
  /** Stores a copy of `value`. A value that cannot be cloned throws `ERR_NOT_CLONEABLE` and changes nothing. */
  set(key: DictKey, value: V): Promise<void>;
  setSync(key: DictKey, value: V): void;
  has(key: DictKey): Promise<boolean>;
  hasSync(key: DictKey): boolean;
  /** Removes `key`; true if it was there. */
  delete(key: DictKey): Promise<boolean>;
  deleteSync(key: DictKey): boolean;
  keys(): Promise<DictKey[]>;
  keysSync(): DictKey[];
  values(): Promise<V[]>;
  valuesSync(): V[];
  entries(): Promise<[DictKey, V][]>;
  entriesSync(): [DictKey, V][];
  size(): Promise<number>;
  sizeSync(): number;
  /** Sets every entry of a plain object, a Map or `[key, value]` pairs (all or nothing). */
  update(
    source: Record<string, V> | Map<DictKey, V> | readonly (readonly [DictKey, V])[],
  ): Promise<void>;
  updateSync(
    source: Record<string, V> | Map<DictKey, V> | readonly (readonly [DictKey, V])[],
  ): void;
  /** The value at `key`; if absent, stores `fallback` and returns it (Python's `setdefault`). */
  setDefault(key: DictKey, fallback: V): Promise<V>;
  setDefaultSync(key: DictKey, fallback: V): V;
  /** Removes `key` and returns its value, or `fallback` (default undefined). */
  pop(key: DictKey): Promise<V | undefined>;
  pop<D>(key: DictKey, fallback: D): Promise<V | D>;
  popSync(key: DictKey): V | undefined;
  popSync<D>(key: DictKey, fallback: D): V | D;
  clear(): Promise<void>;
  clearSync(): void;
  /** A plain-object copy (keys become strings). */
  toObject(): Promise<Record<string, V>>;
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
  get(name: string): Promise<unknown>;
  getSync(name: string): unknown;
  set(name: string, value: unknown): Promise<void>;
  setSync(name: string, value: unknown): void;
  has(name: string): Promise<boolean>;
  hasSync(name: string): boolean;
  delete(name: string): Promise<boolean>;
  deleteSync(name: string): boolean;
  toObject(): Promise<Record<string, unknown>>;
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
  get(index: number): Promise<T>;
  getSync(index: number): T;
  set(index: number, value: T): Promise<void>;
  setSync(index: number, value: T): void;
  /** Appends; returns the new length. */
  push(...items: T[]): Promise<number>;
  pushSync(...items: T[]): number;
  pop(): Promise<T | undefined>;
  popSync(): T | undefined;
  shift(): Promise<T | undefined>;
  shiftSync(): T | undefined;
  unshift(...items: T[]): Promise<number>;
  unshiftSync(...items: T[]): number;
  insert(index: number, value: T): Promise<void>;
  insertSync(index: number, value: T): void;
  splice(start: number, deleteCount?: number, ...items: T[]): Promise<T[]>;
  spliceSync(start: number, deleteCount?: number, ...items: T[]): T[];
  slice(start?: number, end?: number): Promise<T[]>;
  sliceSync(start?: number, end?: number): T[];
  length(): Promise<number>;
  lengthSync(): number;
  toArray(): Promise<T[]>;
  toArraySync(): T[];
  /** First index of an item deep-equal to `value`, or -1. */
  indexOf(value: T): Promise<number>;
  indexOfSync(value: T): number;
  includes(value: T): Promise<boolean>;
  includesSync(value: T): boolean;
  /** Removes the first item deep-equal to `value` (Python's `remove`); true if one was. */
  remove(value: T): Promise<boolean>;
  removeSync(value: T): boolean;
  extend(items: readonly T[]): Promise<number>;
  extendSync(items: readonly T[]): number;
  reverse(): Promise<void>;
  reverseSync(): void;
  clear(): Promise<void>;
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
  get(): Promise<N>;
  getSync(): N;
  set(value: N): Promise<void>;
  setSync(value: N): void;
  /** Adds `delta` in one call (atomic: no lock needed); returns the new value. */
  add(delta: N): Promise<N>;
  addSync(delta: N): N;
}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ValueProxy<N extends Numeric = number> extends BaseProxy {
  /** The value, read or written with a blocking call (Python's `.value`). */
  get value(): N {
    return invokeSync(this, 'get', []) as N;
  }
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
  get(index: number): Promise<N>;
  getSync(index: number): N;
  set(index: number, value: N): Promise<void>;
  setSync(index: number, value: N): void;
  add(index: number, delta: N): Promise<N>;
  addSync(index: number, delta: N): N;
  length(): Promise<number>;
  lengthSync(): number;
  toArray(): Promise<N[]>;
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
    return invokeAsync(this, method, args);
  }
  /** Calls `method` and blocks until its result. */
  callSync(method: string, ...args: unknown[]): unknown {
    return invokeSync(this, method, args);
  }
}
