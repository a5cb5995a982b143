export { Value } from './value.js';
export { SharedArray } from './shared-array.js';
export type { SharedOptions } from './cells.js';
export type { ElementType, ElementValue, TypeCode, TypeName, TypedArrayOf } from './types.js';
