// How a queue item becomes bytes in shared memory and back.
//
// Fast paths for the common small items (numbers, short strings, booleans,
// null/undefined) write them directly; anything else is first run through
// the shareable codec (so locks, values and queues inside it cross as live
// shareables), its SharedArrayBuffers replaced by directory ids, and then
// serialized with v8.serialize (the structured-clone format).

import v8 from 'node:v8';
import { decode, encode, SHARE, type SharedTable } from '../internal/codec.js';
import { flatUnits, readFlat, writeFlat } from './flat.js';
import { sabById, sabId } from './sab-directory.js';
import { readString } from './utf16.js';
import { codedError } from '../internal/errors.js';

export const T_UNDEFINED = 0;
export const T_NULL = 1;
export const T_TRUE = 2;
export const T_FALSE = 3;
export const T_NUMBER = 4;
export const T_STRING = 5;
export const T_BYTES = 6;
/** Plain JSON-safe objects and arrays, stored as JSON text (UTF-16): ~3x faster than v8.serialize, and it holds no native memory. */
export const T_JSON = 7;
/** Flat plain objects (primitive values only), as UTF-16 units: see flat.ts. */
export const T_FLAT = 8;

const SAB_REF = '__weft$sab';
const VIEW_REF = '__weft$view';
const LONG_STRING = 512;

export const K_NUMBER = 1;
export const K_BIGINT = 2;
export const K_STRING = 3;

/**
 * One item, prepared outside the lock: its tag, payload size, and payload
 * (and, for a PriorityQueue, its key). A blocking put keeps its own until it
 * is stored.
 */
export class Prepared {
  tag = T_UNDEFINED;
  key: number | bigint | string = 0;
  keyKind = 0;
  /** Payload length in bytes. */
  length = 0;
  number = 0;
  string = '';
  bytes: Uint8Array | undefined;
  /** T_FLAT: the object and its keys. */
  flat: object | undefined;
  readonly keys: string[] = [];

  /**
   * Prepares `item`. Throws a `DataCloneError` DOMException for what cannot be
   * cloned, before anything touches the queue.
   */
  prepare(item: unknown): this {
    this.bytes = undefined;
    this.flat = undefined;
    switch (typeof item) {
      case 'number':
        this.tag = T_NUMBER;
        this.number = item;
        this.length = 8;
        return this;
      case 'string':
        if (item.length <= LONG_STRING) {
          this.tag = T_STRING;
          this.string = item;
          this.length = item.length * 2;
          return this;
        }
        break;
      case 'boolean':
        this.tag = item ? T_TRUE : T_FALSE;
        this.length = 0;
        return this;
      case 'undefined':
        this.tag = T_UNDEFINED;
        this.length = 0;
        return this;
      case 'function':
      case 'symbol':
        throw new DOMException(`${String(item)} could not be cloned.`, 'DataCloneError');
      default:
        if (item === null) {
          this.tag = T_NULL;
          this.length = 0;
          return this;
        }
    }
    const units = flatUnits(item as object, this.keys);
    if (units >= 0) {
      this.tag = T_FLAT;
      this.flat = item;
      this.length = units * 2;
      return this;
    }
    if (jsonSafe(item, 0)) {
      this.tag = T_JSON;
      this.string = JSON.stringify(item);
      this.length = this.string.length * 2;
      return this;
    }
    this.tag = T_BYTES;
    this.bytes = serialize(item);
    this.length = this.bytes.length;
    return this;
  }
}

/** Writes a prepared item's payload at byte `at` (8-aligned) of a buffer seen through three views. */
export function writePayload(
  u8: Uint8Array,
  u16: Uint16Array,
  f64: Float64Array,
  at: number,
  p: Prepared,
): void {
  switch (p.tag) {
    case T_NUMBER:
      f64[at >> 3] = p.number;
      break;
    case T_STRING:
    case T_JSON: {
      const s = p.string;
      const base = at >> 1;
      for (let i = 0; i < s.length; i++) u16[base + i] = s.charCodeAt(i);
      break;
    }
    case T_BYTES:
      u8.set(p.bytes!, at);
      break;
    case T_FLAT:
      writeFlat(u16, at >> 1, p.flat!, p.keys);
      break;
  }
}

/**
 * Reads back a payload written by `writePayload`. JSON text and v8 bytes come
 * back as a {@link Pending}, copied out so they can be decoded once the
 * storage is released (lock or cell).
 */
export function readPayload(
  u8: Uint8Array,
  u16: Uint16Array,
  f64: Float64Array,
  at: number,
  tag: number,
  length: number,
): unknown {
  switch (tag) {
    case T_NUMBER:
      return f64[at >> 3];
    case T_STRING:
      return readString(u16, at >> 1, length >> 1);
    case T_JSON:
      return new Pending(undefined, readString(u16, at >> 1, length >> 1));
    case T_FLAT:
      return readFlat(u16, at >> 1);
    case T_BYTES:
      return new Pending(u8.slice(at, at + length), undefined);
    case T_NULL:
      return null;
    case T_TRUE:
      return true;
    case T_FALSE:
      return false;
    default:
      return undefined;
  }
}

/** A taken item still in bytes or JSON text: decoded after its storage is released. */
export class Pending {
  constructor(
    readonly bytes: Uint8Array | undefined,
    readonly text: string | undefined,
  ) {}
  value(): unknown {
    return this.text !== undefined ? JSON.parse(this.text) : deserialize(this.bytes!);
  }
}

/** Extracts and checks the priority of `item` (PriorityQueue) into `prepared`. */
export function prepareKey(prepared: Prepared, item: unknown): void {
  let key: unknown = item;
  if (Array.isArray(item)) {
    if (item.length === 0) {
      throw codedError(
        TypeError,
        'ERR_INVALID_ARG_VALUE',
        'A PriorityQueue item that is an array needs a priority first: [priority, item]',
      );
    }
    key = item[0];
  }
  if (typeof key === 'number') {
    if (Number.isNaN(key))
      throw codedError(
        RangeError,
        'ERR_INVALID_ARG_VALUE',
        'A PriorityQueue priority cannot be NaN',
      );
    prepared.keyKind = K_NUMBER;
  } else if (typeof key === 'bigint') prepared.keyKind = K_BIGINT;
  else if (typeof key === 'string') prepared.keyKind = K_STRING;
  else {
    throw codedError(
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      `A PriorityQueue orders numbers, bigints, strings and [priority, item] pairs; got a priority of type ${typeof key}`,
    );
  }
  prepared.key = key;
}

// Whether JSON round-trips `value` exactly: plain objects and arrays (no
// holes) of strings, booleans, null and finite numbers other than -0.
function jsonSafe(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth > 32) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !jsonSafe(value[i], depth + 1)) return false;
        }
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype || SHARE in value) return false;
      for (const key in value) {
        if (
          !Object.hasOwn(value, key) ||
          !jsonSafe((value as Record<string, unknown>)[key], depth + 1)
        ) {
          return false;
        }
      }
      return Object.getOwnPropertySymbols(value).length === 0;
    }
    default:
      return false;
  }
}

function serialize(item: unknown): Uint8Array {
  const { value, table } = encode(item);
  const prepared = replaceBuffers([value, table]);
  try {
    return v8.serialize(prepared);
  } catch (cause) {
    if (cause instanceof DOMException) throw cause;
    throw new DOMException((cause as Error).message, 'DataCloneError');
  }
}

/** Reads back an item of kind BYTES from a private copy of its payload. */
export function deserialize(bytes: Uint8Array): unknown {
  const [value, table] = restoreBuffers(v8.deserialize(bytes)) as [
    unknown,
    SharedTable | undefined,
  ];
  return decode(value, table);
}

type View = ArrayBufferView & { readonly length: number };

// Replaces SharedArrayBuffers (and typed arrays over them) by directory ids,
// copying containers only where something changed.
function replaceBuffers(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof SharedArrayBuffer) return { [SAB_REF]: sabId(value) };
  if (ArrayBuffer.isView(value)) {
    if (!(value.buffer instanceof SharedArrayBuffer) || value instanceof DataView) return value;
    const view = value as unknown as View;
    return {
      [VIEW_REF]: sabId(view.buffer as SharedArrayBuffer),
      type: view.constructor.name,
      offset: view.byteOffset,
      length: view.length,
    };
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((item: unknown, i) => {
      const next = replaceBuffers(item);
      if (next !== item) (out ??= value.slice())[i] = next;
    });
    return out ?? value;
  }
  if (value instanceof Map) {
    let changed = false;
    const entries = [...(value as Map<unknown, unknown>)].map(([k, v]) => {
      const nk = replaceBuffers(k);
      const nv = replaceBuffers(v);
      changed ||= nk !== k || nv !== v;
      return [nk, nv] as const;
    });
    return changed ? new Map(entries) : value;
  }
  if (value instanceof Set) {
    let changed = false;
    const items = [...(value as Set<unknown>)].map((v) => {
      const nv = replaceBuffers(v);
      changed ||= nv !== v;
      return nv;
    });
    return changed ? new Set(items) : value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const next = replaceBuffers(item);
    if (next !== item) (out ??= { ...(value as Record<string, unknown>) })[key] = next;
  }
  return out ?? value;
}

const VIEWS: Record<string, new (b: SharedArrayBuffer, o: number, l: number) => View> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

function restoreBuffers(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (i in value) value[i] = restoreBuffers(value[i]);
    return value;
  }
  if (value instanceof Map) {
    const entries = [...(value as Map<unknown, unknown>)];
    value.clear();
    for (const [k, v] of entries) value.set(restoreBuffers(k), restoreBuffers(v));
    return value;
  }
  if (value instanceof Set) {
    const items = [...(value as Set<unknown>)];
    value.clear();
    for (const v of items) value.add(restoreBuffers(v));
    return value;
  }
  const record = value as Record<string, unknown>;
  if (typeof record[SAB_REF] === 'string') return sabById(record[SAB_REF]);
  if (typeof record[VIEW_REF] === 'string') {
    const View = VIEWS[record.type as string] ?? Uint8Array;
    return new View(sabById(record[VIEW_REF]), record.offset as number, record.length as number);
  }
  for (const key of Object.keys(record)) record[key] = restoreBuffers(record[key]);
  return value;
}
