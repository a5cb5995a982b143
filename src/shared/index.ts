/**
 * Python's `multiprocessing.Value` and `Array`: typed values over shared
 * memory, with an optional lock and atomic `add` / `compareExchange`.
 *
 * @module weft/shared
 */
export { Value } from './value.js';
export { SharedArray } from './shared-array.js';
export type { SharedOptions } from './cells.js';
export type { ElementType, ElementValue, TypeCode, TypeName, TypedArrayOf } from './types.js';
export { WeftError, TimeoutError, StateError } from '../internal/errors.js';
