// Flat plain objects ({ id: 1, name: 'a' }: own string keys, values that are
// numbers, strings, booleans, null or undefined) written as UTF-16 units
// instead of JSON: JSON.stringify and JSON.parse cost ~300 ns each for such
// an object, which capped small-object queues. Read back through a cached
// per-shape factory (an object literal, so every object of a shape shares
// one hidden class).
//
// Units: [count, (keyLength, key units…) × count, (tag, value…) × count]
//   number: tag 1 + 4 units of its float64 bits; string: tag 2, length, units;
//   true 3, false 4, null 5, undefined 6.

import { readString } from './utf16.js';

const MAX_KEYS = 32;
const MAX_KEY = 64;
const MAX_STRING = 1024;
const V_NUMBER = 1;
const V_STRING = 2;
const V_TRUE = 3;
const V_FALSE = 4;
const V_NULL = 5;
const V_UNDEFINED = 6;

const f64 = new Float64Array(1);
const bits = new Uint16Array(f64.buffer);

/**
 * Units needed to write `item` flat, or -1 when it is not a flat object
 * (nested values, long strings, many keys, a prototype, `__proto__`).
 * `keys` and `values` receive its keys and values, each read once: the
 * item is written later from them, never from the object again.
 */
export function flatUnits(item: object, keys: string[], values: unknown[]): number {
  if (Object.getPrototypeOf(item) !== Object.prototype) return -1;
  const own = Object.keys(item);
  if (own.length > MAX_KEYS) return -1;
  let units = 1;
  for (let i = 0; i < own.length; i++) {
    const key = own[i]!;
    if (key.length > MAX_KEY || key === '__proto__') return -1;
    units += 1 + key.length;
    const value = (item as Record<string, unknown>)[key];
    switch (typeof value) {
      case 'number':
        units += 5;
        break;
      case 'string':
        if (value.length > MAX_STRING) return -1;
        units += 2 + value.length;
        break;
      case 'boolean':
      case 'undefined':
        units += 1;
        break;
      default:
        if (value !== null) return -1;
        units += 1;
    }
    keys[i] = key;
    values[i] = value;
  }
  keys.length = own.length;
  values.length = own.length;
  return units;
}

/** Writes the keys and values read by `flatUnits` at unit `at`. */
export function writeFlat(u16: Uint16Array, at: number, keys: string[], values: unknown[]): void {
  let p = at;
  u16[p++] = keys.length;
  for (const key of keys) {
    u16[p++] = key.length;
    for (let i = 0; i < key.length; i++) u16[p++] = key.charCodeAt(i);
  }
  for (const value of values) {
    switch (typeof value) {
      case 'number':
        u16[p++] = V_NUMBER;
        f64[0] = value;
        u16[p++] = bits[0]!;
        u16[p++] = bits[1]!;
        u16[p++] = bits[2]!;
        u16[p++] = bits[3]!;
        break;
      case 'string':
        u16[p++] = V_STRING;
        u16[p++] = value.length;
        for (let i = 0; i < value.length; i++) u16[p++] = value.charCodeAt(i);
        break;
      case 'boolean':
        u16[p++] = value ? V_TRUE : V_FALSE;
        break;
      case 'undefined':
        u16[p++] = V_UNDEFINED;
        break;
      default:
        u16[p++] = V_NULL;
    }
  }
}

interface Shape {
  /** The key section's units, as written. */
  readonly units: Uint16Array;
  readonly make: (values: unknown[]) => object;
}

// The shapes seen lately in this thread, newest first.
const shapes: Shape[] = [];
const SHAPES = 16;

function shapeAt(u16: Uint16Array, at: number, end: number): Shape {
  search: for (let s = 0; s < shapes.length; s++) {
    const shape = shapes[s]!;
    const units = shape.units;
    if (units.length !== end - at) continue;
    for (let i = 0; i < units.length; i++) if (units[i] !== u16[at + i]) continue search;
    if (s > 0) {
      shapes.splice(s, 1);
      shapes.unshift(shape);
    }
    return shape;
  }
  const count = u16[at]!;
  const names: string[] = [];
  let p = at + 1;
  for (let k = 0; k < count; k++) {
    const length = u16[p++]!;
    names.push(String.fromCharCode(...u16.subarray(p, p + length)));
    p += length;
  }
  // An object literal with these keys (JSON-quoted: any string is safe there;
  // __proto__ never comes here).
  const body = names.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(', ');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a literal per shape, from quoted keys only
  const make = new Function('v', `return { ${body} };`) as (values: unknown[]) => object;
  const shape = { units: u16.slice(at, end), make };
  shapes.unshift(shape);
  if (shapes.length > SHAPES) shapes.pop();
  return shape;
}

/** Reads a flat object written at unit `at`. */
export function readFlat(u16: Uint16Array, at: number): object {
  const count = u16[at]!;
  let p = at + 1;
  for (let k = 0; k < count; k++) p += 1 + u16[p]!;
  const shape = shapeAt(u16, at, p);
  const values = new Array<unknown>(count);
  for (let k = 0; k < count; k++) {
    switch (u16[p++]) {
      case V_NUMBER:
        bits[0] = u16[p]!;
        bits[1] = u16[p + 1]!;
        bits[2] = u16[p + 2]!;
        bits[3] = u16[p + 3]!;
        p += 4;
        values[k] = f64[0];
        break;
      case V_STRING: {
        const length = u16[p++]!;
        values[k] = readString(u16, p, length);
        p += length;
        break;
      }
      case V_TRUE:
        values[k] = true;
        break;
      case V_FALSE:
        values[k] = false;
        break;
      case V_NULL:
        values[k] = null;
        break;
      default:
        values[k] = undefined;
    }
  }
  return shape.make(values);
}
