// Python's module-level multiprocessing.Value and Array (multiprocessing's
// sharedctypes): typed values any process can reach, served by the private
// server of the thread that made them (local-server.ts), each with a lock
// for compound updates, as Python's synchronized wrappers have.

import { argTypeError, describe, StateError } from '../internal/errors.js';
import { checkInt, checkOptions } from '../internal/validate.js';
import { checkElement, typeInfo, type ElementType, type ElementValue } from '../shared/types.js';
import { adopted, createOwn, registerOwn } from './local-server.js';
import { ArrayProxy, ValueProxy } from './proxies-data.js';
import { LockProxy } from './proxies-sync.js';
import type { BaseProxy } from './proxy-base.js';
import { RLock } from './synchronize.js';

/** Options of the module-level {@link Value} and {@link Array}. */
export interface SynchronizedOptions {
  /**
   * `true` for a new `RLock` (Python's default), `false` for none (Python's
   * `lock=False`), or a lock to use (weft/multiprocessing's `Lock` / `RLock`
   * or a Manager's). Single reads, writes and `add`s are atomic by
   * themselves; hold the lock around read-modify-write sequences.
   * @default true
   */
  readonly lock?: boolean | LockProxy;
}

/** What an own Value or Array keeps besides its reference. */
interface Kept {
  readonly type: ElementType;
  readonly lock: LockProxy | null;
  readonly length: number;
}

function lockOf(options: SynchronizedOptions | undefined, call: string): LockProxy | null {
  const { lock = true } = checkOptions(options, call, '{ lock: false }');
  if (lock === true) return new RLock();
  if (lock === false) return null;
  if (lock instanceof LockProxy) return lock;
  throw argTypeError(`Expected \`lock\` to be a boolean or a Lock / RLock, got ${describe(lock)}`);
}

function keptOf(state: Record<string, unknown>): Kept {
  const { type, lock, length } = state;
  typeInfo(type);
  if (!(lock === null || lock instanceof LockProxy) || typeof length !== 'number') {
    throw new StateError(
      'ERR_SHAREABLE_INVALID',
      'Cannot rebuild a Value or Array from this state',
    );
  }
  return { type: type as ElementType, lock, length };
}

function getLock(kept: Kept): LockProxy {
  if (kept.lock === null) {
    throw new StateError('ERR_NO_LOCK', 'Created with `lock: false`: there is no lock');
  }
  return kept.lock;
}

/**
 * Python's `multiprocessing.Value`: one typed value that every process and
 * thread it is passed to reads and writes, as `Process` args, `Pool` task
 * arguments, `Thread` args or queue items. It lives in a server thread of
 * the process that made it (started on first use), so each access is a
 * round trip to that thread: about as costly as a Manager's value, and
 * hundreds of times slower than `weft/shared`'s `Value`, which is the one
 * to use between threads of one process.
 *
 * `.value` reads and writes with a blocking call, as in Python; `get()`,
 * `set()` and `add()` are the async forms (with `…Sync` twins). Each single
 * access is atomic; `v.value += 1` is two of them, so hold `getLock()`
 * around it, as in Python. `add(delta)` is one atomic step and returns the
 * new value (weft/shared's returns the previous one, as `Atomics.add`).
 *
 * @example
 * ```ts
 * import { Value } from 'weft/multiprocessing';
 *
 * const counter = new Value('i', 0);
 * // Pass it to processes (`new Process({ target, args: [counter] })`), pool
 * // tasks or threads; each side does its read-modify-write under the lock:
 * {
 *   using _ = counter.getLock().holdSync();
 *   counter.value += 1;
 * }
 * console.log(counter.value); // 1
 * ```
 */
export class Value<T extends ElementType = ElementType> extends ValueProxy<ElementValue<T>> {
  readonly #kept: Kept;

  /**
   * @param type - A typecode (`'i'`, `'d'`, …) or a name (`'int32'`, `'float64'`, …), as weft/shared's.
   * @param initial - The initial value. @default 0 (0n for 64-bit integers)
   * @param options - `{ lock }`, see {@link SynchronizedOptions}.
   * @throws {TypeError} `ERR_INVALID_ARG_VALUE` for an unknown typecode; `ERR_INVALID_ARG_TYPE`
   * for a non-integer in an integer type, or a number in a bigint type (or the reverse).
   * @throws {RangeError} `ERR_OUT_OF_RANGE` for an integer outside the type's range (Python wraps it; weft refuses).
   * @remarks *Blocking*: the first one made in a thread starts that thread's server (a few ms);
   * each one is then a blocking round trip to it.
   */
  constructor(type: T, initial?: ElementValue<T>, options?: SynchronizedOptions) {
    const ref = adopted<Kept>() ?? newValue(type, initial, options);
    super(ref);
    this.#kept = ref;
  }

  /** The element type as given (typecode or name). */
  get type(): T {
    return this.#kept.type as T;
  }

  /** The Python typecode of the element type. */
  get typecode(): string {
    return typeInfo(this.#kept.type).code;
  }

  /**
   * The lock for compound updates (Python's `get_lock()`): an `RLock` unless
   * `options.lock` gave one.
   *
   * @throws {StateError} `ERR_NO_LOCK` when made with `{ lock: false }`.
   */
  getLock(): LockProxy {
    return getLock(this.#kept);
  }

  /** `<Value(i, 5)>`, read with a blocking call. */
  override toString(): string {
    return `<Value(${this.typecode}, ${String(this.value)})>`;
  }
}

function newValue(type: unknown, initial: unknown, options: SynchronizedOptions | undefined) {
  const info = typeInfo(type);
  const value = initial ?? (info.big ? 0n : 0);
  checkElement(info, value, 'initial');
  const lock = lockOf(options, 'new Value(type, initial, options)');
  return createOwn('Value', [type, value], { type: type as ElementType, lock, length: 1 });
}

/**
 * Python's `multiprocessing.Array`: a fixed-length typed array that every
 * process and thread it is passed to reads and writes (served like
 * {@link Value}; between threads of one process, `weft/shared`'s
 * `SharedArray` is the memory-speed form). Indexes may be negative (from
 * the end); each single access is atomic, so hold `getLock()` around
 * read-modify-write sequences, as in Python.
 *
 * @example
 * ```ts
 * import { Array as SharedArray } from 'weft/multiprocessing';
 *
 * const nums = new SharedArray('d', [0, 100, 200]);
 * {
 *   using _ = nums.getLock().holdSync();
 *   for (let i = 0; i < nums.lengthSync(); i++) nums.setSync(i, nums.getSync(i) + 1);
 * }
 * console.log([...nums]); // [1, 101, 201]
 * ```
 */
export class Array<T extends ElementType = ElementType>
  extends ArrayProxy<ElementValue<T>>
  implements Iterable<ElementValue<T>>
{
  readonly #kept: Kept;

  /**
   * @param type - A typecode (`'i'`, `'d'`, …) or a name, as weft/shared's.
   * @param sizeOrValues - The length (elements start at 0) or the initial elements (Python's `size_or_initializer`).
   * @param options - `{ lock }`, see {@link SynchronizedOptions}.
   * @throws {TypeError} `ERR_INVALID_ARG_VALUE` for an unknown typecode; `ERR_INVALID_ARG_TYPE` for an element of the wrong kind.
   * @throws {RangeError} `ERR_OUT_OF_RANGE` for a negative size or an integer outside the type's range.
   */
  constructor(
    type: T,
    sizeOrValues: number | Iterable<ElementValue<T>>,
    options?: SynchronizedOptions,
  ) {
    const ref = adopted<Kept>() ?? newArray(type, sizeOrValues, options);
    super(ref);
    this.#kept = ref;
  }

  /** The element type as given (typecode or name). */
  get type(): T {
    return this.#kept.type as T;
  }

  /** The Python typecode of the element type. */
  get typecode(): string {
    return typeInfo(this.#kept.type).code;
  }

  /** The number of elements (fixed: no call). */
  override length(): Promise<number> {
    return Promise.resolve(this.#kept.length);
  }

  /** The number of elements (fixed: no call; Python's `len(arr)`). */
  override lengthSync(): number {
    return this.#kept.length;
  }

  /**
   * The lock for compound updates (Python's `get_lock()`).
   *
   * @throws {StateError} `ERR_NO_LOCK` when made with `{ lock: false }`.
   */
  getLock(): LockProxy {
    return getLock(this.#kept);
  }

  /** Iterates over a copy of the elements, read in one blocking call (Python's `arr[:]`). */
  [Symbol.iterator](): Iterator<ElementValue<T>> {
    return this.toArraySync()[Symbol.iterator]();
  }

  /** `<Array(d, [1, 2])>`, read with a blocking call. */
  override toString(): string {
    return `<Array(${this.typecode}, [${this.toArraySync().map(String).join(', ')}])>`;
  }
}

function newArray(type: unknown, sizeOrValues: unknown, options: SynchronizedOptions | undefined) {
  const info = typeInfo(type);
  let init: unknown[] | number;
  if (typeof sizeOrValues === 'number') init = checkInt(sizeOrValues, 'size', 0);
  else if (
    typeof sizeOrValues === 'object' &&
    sizeOrValues !== null &&
    Symbol.iterator in sizeOrValues
  ) {
    init = [...(sizeOrValues as Iterable<unknown>)];
    for (const v of init) checkElement(info, v, 'value');
  } else {
    throw argTypeError(
      `Expected \`sizeOrValues\` to be a length or an iterable of values, got ${describe(sizeOrValues)}`,
    );
  }
  const lock = lockOf(options, 'new Array(type, sizeOrValues, options)');
  const length = typeof init === 'number' ? init : init.length;
  return createOwn('Array', [type, init], { type: type as ElementType, lock, length });
}

registerOwn('Value', Value as unknown as new () => BaseProxy, keptOf);
registerOwn('Array', Array as unknown as new () => BaseProxy, keptOf);
