import { registerShareable, SHARE } from '../internal/codec.js';
import type { Shareable, SharedState } from '../internal/codec.js';
import { argTypeError, describe, outOfRangeError } from '../internal/errors.js';
import type { CellsState, SharedOptions } from './cells.js';
import { Cells } from './cells.js';
import { checkOptions } from '../internal/validate.js';
import type { ElementType, ElementValue } from './types.js';

/**
 * A fixed-length typed array in shared memory (Python's
 * `multiprocessing.Array`): every thread it is passed to sees the same elements.
 *
 * @example
 * ```ts
 * const arr = new SharedArray('d', [0.0, 100.0, 200.0]);
 * arr.set(0, arr.get(0) + 1);
 * console.log([...arr]);        // [1, 100, 200]
 * arr.array.fill(0);            // the typed-array view
 * ```
 */
export class SharedArray<T extends ElementType = ElementType>
  extends Cells<T>
  implements Shareable, Iterable<ElementValue<T>>
{
  /**
   * @param type - A typecode (`'i'`, `'d'`, …) or a name (`'int32'`, `'float64'`, …).
   * @param lengthOrValues - The length (elements start at 0) or the initial elements.
   * @param options.lock - See {@link SharedOptions}. @default true
   * @throws {RangeError} `ERR_OUT_OF_RANGE` for an initial integer outside the
   * type's range (Python wraps it silently; weft refuses), as `set` does.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` for a non-integer in an integer type.
   * @remarks `.array` is a raw typed-array view: writes through it wrap as any
   * typed array's do; only the methods check.
   */
  constructor(
    type: T,
    lengthOrValues: number | Iterable<ElementValue<T>>,
    options?: SharedOptions,
  ) {
    const state = restoring;
    restoring = undefined;
    let values: ElementValue<T>[] | undefined;
    let length: number;
    if (state !== undefined) length = 0;
    else if (typeof lengthOrValues === 'number') {
      if (!Number.isInteger(lengthOrValues) || lengthOrValues < 0) {
        throw outOfRangeError(
          `Expected \`length\` to be an integer >= 0, got ${describe(lengthOrValues)}`,
        );
      }
      length = lengthOrValues;
    } else if (
      lengthOrValues !== null &&
      typeof lengthOrValues === 'object' &&
      Symbol.iterator in lengthOrValues
    ) {
      values = [...lengthOrValues];
      length = values.length;
    } else {
      throw argTypeError(
        `Expected \`lengthOrValues\` to be a length or an iterable of values, got ${describe(lengthOrValues)}`,
      );
    }
    super(
      type,
      length,
      state ?? checkOptions(options, 'new SharedArray(type, lengthOrValues, options)', '{ lock }'),
    );
    values?.forEach((v, i) => this.write(i, v));
  }

  /** @internal */
  static fromShared(state: unknown): SharedArray {
    restoring = state as CellsState;
    return new SharedArray(restoring.type, 0);
  }

  /** @internal */
  [SHARE](): SharedState {
    return { tag: 'weft.SharedArray', state: this.state() };
  }

  /** Number of elements. */
  get length(): number {
    return this.array.length;
  }

  /** The element at `index`. @throws {RangeError} out of bounds. */
  get(index: number): ElementValue<T> {
    this.check(index);
    return this.read(index);
  }

  /**
   * Sets the element at `index`.
   *
   * @throws {RangeError} `ERR_OUT_OF_RANGE`: `index` out of bounds, or a value outside the type's range.
   */
  set(index: number, value: ElementValue<T>): void {
    this.check(index);
    this.write(index, value);
  }

  /** Atomically adds `delta` to element `index` (integer types); returns the previous value. */
  add(index: number, delta: ElementValue<T>): ElementValue<T> {
    this.check(index);
    return this.atomicAdd(index, delta);
  }

  /** Atomic compare-and-exchange on element `index` (integer types); returns the value found. */
  compareExchange(
    index: number,
    expected: ElementValue<T>,
    replacement: ElementValue<T>,
  ): ElementValue<T> {
    this.check(index);
    return this.atomicCompareExchange(index, expected, replacement);
  }

  /** A plain-array copy of the elements (Python's `arr[:]`). */
  toArray(): ElementValue<T>[] {
    return [...this];
  }

  /** The elements in order (`[...arr]`, `for … of`). */
  *[Symbol.iterator](): Iterator<ElementValue<T>> {
    for (let i = 0; i < this.array.length; i++) yield this.read(i);
  }

  override toString(): string {
    return `<SharedArray(${this.typecode}, [${this.toArray().map(String).join(', ')}])>`;
  }
}

let restoring: CellsState | undefined;

registerShareable('weft.SharedArray', (state) => SharedArray.fromShared(state));
