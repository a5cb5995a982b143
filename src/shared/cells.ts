// What Value and SharedArray have in common: typed elements in a
// SharedArrayBuffer, an optional lock, and atomic helpers for integer types.

import { argTypeError, describe, outOfRangeError, StateError } from '../internal/errors.js';
import { Lock } from '../threading/lock.js';
import { RLock } from '../threading/rlock.js';
import type { ElementType, ElementValue, TypedArrayOf } from './types.js';
import { checkAtomic, checkElement, typeInfo } from './types.js';

/** Options of `Value` and `SharedArray`. */
export interface SharedOptions {
  /**
   * `true` for a new `RLock` (Python's default), `false` for none, or a `Lock`
   * / `RLock` to use. Reads and writes of `.value` never take it themselves:
   * hold it around read-modify-write sequences, as in Python.
   * @default true
   */
  readonly lock?: boolean | Lock | RLock;
}

/** Crosses threads as this. */
export interface CellsState {
  readonly type: ElementType;
  readonly buffer: SharedArrayBuffer;
  readonly lock: Lock | RLock | undefined;
}

type Atomic = Parameters<typeof Atomics.add>[0];

export abstract class Cells<T extends ElementType> {
  readonly #type: T;
  readonly #array: TypedArrayOf<T>;
  readonly #lock: Lock | RLock | undefined;
  readonly #atomic: boolean;

  protected constructor(type: T, length: number | undefined, options: SharedOptions | CellsState) {
    const info = typeInfo(type);
    this.#type = type;
    if ('buffer' in options) {
      if (!(options.buffer instanceof SharedArrayBuffer)) {
        throw new StateError(
          'ERR_SHAREABLE_INVALID',
          'Cannot rebuild shared cells from this buffer',
        );
      }
      this.#array = info.make(options.buffer) as TypedArrayOf<T>;
      this.#lock = options.lock;
    } else {
      const n = length ?? 1;
      this.#array = info.make(allocate(n, info.bytes)) as TypedArrayOf<T>;
      const lock = options.lock ?? true;
      if (lock === true) this.#lock = new RLock();
      else if (lock === false) this.#lock = undefined;
      else if (lock instanceof Lock || lock instanceof RLock) this.#lock = lock;
      else
        throw argTypeError(
          `Expected \`lock\` to be a boolean, a Lock or an RLock, got ${describe(lock)}`,
        );
    }
    this.#atomic = info.integer;
  }

  /** @internal */
  protected state(): CellsState {
    return { type: this.#type, buffer: this.#array.buffer as SharedArrayBuffer, lock: this.#lock };
  }

  /** The element type as given (typecode or name). */
  get type(): T {
    return this.#type;
  }

  /** The Python typecode of the element type. */
  get typecode(): string {
    return typeInfo(this.#type).code;
  }

  /** A typed-array view of the shared elements: reads and writes go straight to shared memory. */
  get array(): TypedArrayOf<T> {
    return this.#array;
  }

  /**
   * The lock guarding compound updates.
   *
   * @throws {StateError} `ERR_NO_LOCK` when created with `{ lock: false }`.
   */
  getLock(): Lock | RLock {
    if (this.#lock === undefined)
      throw new StateError('ERR_NO_LOCK', 'Created with `lock: false`: there is no lock');
    return this.#lock;
  }

  /** @internal */
  protected check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.#array.length) {
      throw outOfRangeError(
        `Expected \`index\` to be an integer from 0 to ${this.#array.length - 1}, got ${describe(index)}`,
      );
    }
  }

  /** @internal */
  protected read(index: number): ElementValue<T> {
    return (
      this.#atomic ? Atomics.load(this.#array as Atomic, index) : this.#array[index]
    ) as ElementValue<T>;
  }

  /** @internal */
  protected write(index: number, value: ElementValue<T>): void {
    checkElement(typeInfo(this.#type), value, 'value');
    if (this.#atomic) Atomics.store(this.#array as Atomic, index, value as never);
    else (this.#array as Float64Array)[index] = value as number;
  }

  /** @internal */
  protected atomicAdd(index: number, delta: ElementValue<T>): ElementValue<T> {
    const info = typeInfo(this.#type);
    checkAtomic(info, 'add');
    checkElement(info, delta, 'delta');
    return Atomics.add(this.#array as Atomic, index, delta as never) as ElementValue<T>;
  }

  /** @internal */
  protected atomicCompareExchange(
    index: number,
    expected: ElementValue<T>,
    replacement: ElementValue<T>,
  ): ElementValue<T> {
    const info = typeInfo(this.#type);
    checkAtomic(info, 'compareExchange');
    checkElement(info, expected, 'expected');
    checkElement(info, replacement, 'replacement');
    return Atomics.compareExchange(
      this.#array as Atomic,
      index,
      expected as never,
      replacement as never,
    ) as ElementValue<T>;
  }
}

// A buffer for `n` elements: a length no buffer can have (or memory that
// cannot be had) is a coded RangeError, not V8's bare one.
function allocate(n: number, bytes: number): SharedArrayBuffer {
  try {
    return new SharedArrayBuffer(n * bytes);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw outOfRangeError(`Cannot allocate ${n} elements of ${bytes} bytes (${error.message})`);
  }
}
