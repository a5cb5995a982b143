import { registerShareable, SHARE } from '../internal/codec.js';
import type { Shareable, SharedState } from '../internal/codec.js';
import type { CellsState, SharedOptions } from './cells.js';
import { Cells } from './cells.js';
import { checkOptions } from '../internal/validate.js';
import type { ElementType, ElementValue } from './types.js';

/**
 * One typed value in shared memory (Python's `multiprocessing.Value`): every
 * thread it is passed to reads and writes the same value.
 *
 * @example
 * ```ts
 * const counter = new Value('i', 0);
 * // in threads:
 * counter.add(1);                     // atomic
 * using _ = counter.getLock().holdSync();
 * counter.value = counter.value * 2;  // compound update under the lock
 * ```
 */
export class Value<T extends ElementType = ElementType> extends Cells<T> implements Shareable {
  /**
   * @param type - A typecode (`'i'`, `'d'`, …) or a name (`'int32'`, `'float64'`, …).
   * @param initial - The initial value. @default 0 (0n for 64-bit integers)
   * @param options.lock - See {@link SharedOptions}. @default true
   * @throws {RangeError} `ERR_OUT_OF_RANGE` for an integer outside the type's
   * range (Python wraps it silently: `Value('B', 300)` holds 44; weft refuses).
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` for a non-integer in an integer
   * type, a number in a bigint type (or the reverse), or options that are not an object.
   */
  constructor(type: T, initial?: ElementValue<T>, options?: SharedOptions) {
    super(
      type,
      1,
      restoring ?? checkOptions(options, 'new Value(type, initial, options)', '{ lock }'),
    );
    if (restoring !== undefined) {
      restoring = undefined;
      return;
    }
    if (initial !== undefined) this.value = initial;
  }

  /** @internal */
  static fromShared(state: unknown): Value {
    restoring = state as CellsState;
    return new Value(restoring.type);
  }

  /** @internal */
  [SHARE](): SharedState {
    return { tag: 'weft.Value', state: this.state() };
  }

  /**
   * The value (an atomic load/store for integer types). Setting an integer
   * outside the type's range throws a `RangeError` (`ERR_OUT_OF_RANGE`).
   */
  get value(): ElementValue<T> {
    return this.read(0);
  }
  /** Stores `value`, atomically for integer types; throws for a value the type cannot hold. */
  set value(value: ElementValue<T>) {
    this.write(0, value);
  }

  /**
   * Atomically adds `delta` (integer types only). `delta` must fit the type
   * (unsigned types also take down to `-max`, to subtract); the sum wraps
   * around as `Atomics.add` does.
   *
   * @returns The previous value, like `Atomics.add`.
   */
  add(delta: ElementValue<T>): ElementValue<T> {
    return this.atomicAdd(0, delta);
  }

  /**
   * Atomically replaces the value with `replacement` if it equals `expected` (integer types only).
   *
   * @returns The value found, like `Atomics.compareExchange` (equal to `expected` on success).
   */
  compareExchange(expected: ElementValue<T>, replacement: ElementValue<T>): ElementValue<T> {
    return this.atomicCompareExchange(0, expected, replacement);
  }

  override toString(): string {
    return `<Value(${this.typecode}, ${String(this.value)})>`;
  }
}

let restoring: CellsState | undefined;

registerShareable('weft.Value', (state) => Value.fromShared(state));
