import { argTypeError, codedError, describe, outOfRangeError } from '../internal/errors.js';

/** Python typecodes accepted by `Value` and `SharedArray`. */
export type TypeCode = 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'q' | 'Q' | 'f' | 'd';

/** Type names accepted by `Value` and `SharedArray`. */
export type TypeName =
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64';

/** A typecode or a type name. */
export type ElementType = TypeCode | TypeName;

/** The JS value an element type holds: `bigint` for the 64-bit integers, else `number`. */
export type ElementValue<T extends ElementType> = T extends 'q' | 'Q' | 'int64' | 'uint64'
  ? bigint
  : number;

type AnyTypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** The typed array an element type is viewed through. */
export type TypedArrayOf<T extends ElementType> = T extends 'b' | 'int8'
  ? Int8Array
  : T extends 'B' | 'uint8'
    ? Uint8Array
    : T extends 'h' | 'int16'
      ? Int16Array
      : T extends 'H' | 'uint16'
        ? Uint16Array
        : T extends 'i' | 'int32'
          ? Int32Array
          : T extends 'I' | 'uint32'
            ? Uint32Array
            : T extends 'q' | 'int64'
              ? BigInt64Array
              : T extends 'Q' | 'uint64'
                ? BigUint64Array
                : T extends 'f' | 'float32'
                  ? Float32Array
                  : Float64Array;

export interface TypeInfo {
  readonly name: TypeName;
  readonly code: TypeCode;
  readonly make: (buffer: SharedArrayBuffer) => AnyTypedArray;
  readonly bytes: number;
  readonly integer: boolean;
  readonly big: boolean;
  /** Smallest and largest value of an integer type (0 for floats: unused). */
  readonly min: number | bigint;
  readonly max: number | bigint;
}

const table: TypeInfo[] = (
  [
    { name: 'int8', code: 'b', make: (b) => new Int8Array(b), bytes: 1, integer: true, big: false },
    {
      name: 'uint8',
      code: 'B',
      make: (b) => new Uint8Array(b),
      bytes: 1,
      integer: true,
      big: false,
    },
    {
      name: 'int16',
      code: 'h',
      make: (b) => new Int16Array(b),
      bytes: 2,
      integer: true,
      big: false,
    },
    {
      name: 'uint16',
      code: 'H',
      make: (b) => new Uint16Array(b),
      bytes: 2,
      integer: true,
      big: false,
    },
    {
      name: 'int32',
      code: 'i',
      make: (b) => new Int32Array(b),
      bytes: 4,
      integer: true,
      big: false,
    },
    {
      name: 'uint32',
      code: 'I',
      make: (b) => new Uint32Array(b),
      bytes: 4,
      integer: true,
      big: false,
    },
    {
      name: 'int64',
      code: 'q',
      make: (b) => new BigInt64Array(b),
      bytes: 8,
      integer: true,
      big: true,
    },
    {
      name: 'uint64',
      code: 'Q',
      make: (b) => new BigUint64Array(b),
      bytes: 8,
      integer: true,
      big: true,
    },
    {
      name: 'float32',
      code: 'f',
      make: (b) => new Float32Array(b),
      bytes: 4,
      integer: false,
      big: false,
    },
    {
      name: 'float64',
      code: 'd',
      make: (b) => new Float64Array(b),
      bytes: 8,
      integer: false,
      big: false,
    },
  ] as Omit<TypeInfo, 'min' | 'max'>[]
).map(withRange);

function withRange(info: Omit<TypeInfo, 'min' | 'max'>): TypeInfo {
  if (!info.integer) return { ...info, min: 0, max: 0 };
  const bits = info.bytes * 8;
  const signed = info.name[0] === 'i';
  if (info.big) {
    const min = signed ? -(2n ** BigInt(bits - 1)) : 0n;
    return { ...info, min, max: signed ? -min - 1n : 2n ** BigInt(bits) - 1n };
  }
  const min = signed ? -(2 ** (bits - 1)) : 0;
  return { ...info, min, max: signed ? -min - 1 : 2 ** bits - 1 };
}

const byKey = new Map<string, TypeInfo>();
for (const info of table) {
  byKey.set(info.name, info);
  byKey.set(info.code, info);
}

/** Looks up an element type; throws a TypeError naming the accepted ones. */
export function typeInfo(type: unknown): TypeInfo {
  const info = typeof type === 'string' ? byKey.get(type) : undefined;
  if (info === undefined) {
    throw codedError(
      TypeError,
      typeof type === 'string' ? 'ERR_INVALID_ARG_VALUE' : 'ERR_INVALID_ARG_TYPE',
      `Expected \`type\` to be a typecode (${table.map((t) => t.code).join(' ')}) or a name (${table.map((t) => t.name).join(', ')}), got ${describe(type)}`,
    );
  }
  return info;
}

/**
 * Checks a value fits the element type: its JS kind (`bigint` for the 64-bit
 * types, else `number`), an integer for the integer types, and within the
 * type's range. Python's ctypes wraps out-of-range integers silently
 * (`Value('B', 300)` holds 44) while rejecting `1.7`; weft refuses both, with
 * a `RangeError` (`ERR_OUT_OF_RANGE`) for the former. `delta` (for `add`) may
 * also be negative down to `-max` on unsigned types, to subtract.
 */
export function checkElement(info: TypeInfo, value: unknown, name: string): void {
  if (info.integer && !info.big && typeof value === 'number' && !Number.isInteger(value)) {
    throw argTypeError(
      `Expected \`${name}\` to be an integer for ${info.name}, got ${describe(value)}`,
    );
  }
  if (info.big ? typeof value !== 'bigint' : typeof value !== 'number') {
    throw argTypeError(
      `Expected \`${name}\` to be a ${info.big ? 'bigint' : 'number'} for ${info.name}, got ${describe(value)}`,
    );
  }
  if (!info.integer) return;
  const n = value as number | bigint;
  const min = name === 'delta' && (info.min === 0 || info.min === 0n) ? -info.max : info.min;
  const max = info.max;
  if (n < min || n > max) {
    throw outOfRangeError(
      `Expected \`${name}\` to be from ${String(min)} to ${String(max)} for ${info.name}, got ${describe(value)}: ` +
        'Python wraps out-of-range integers, weft refuses them',
    );
  }
}

/** Checks the type supports Atomics (integer types). */
export function checkAtomic(info: TypeInfo, op: string): void {
  if (!info.integer) {
    throw codedError(
      TypeError,
      'ERR_NOT_ATOMIC',
      `\`${op}\` needs an integer type, not ${info.name}`,
    );
  }
}
