// How a queue item becomes bytes in shared memory and back.
//
// Fast paths for the common small items (numbers, short strings, booleans,
// null/undefined) write them directly; anything else is first run through
// the shareable codec (so locks, values and queues inside it cross as live
// shareables, and instances of registered classes as instances), its
// SharedArrayBuffers replaced by directory ids, and then serialized with
// v8.serialize (the structured-clone format). A class instance is never a
// flat or JSON item (those take plain objects only).

import v8 from 'node:v8';
import { decode, encode, prepare, SHARE, type SharedTable } from '../internal/codec.js';
import { flatUnits, readFlat, writeFlat } from './flat.js';
import { StateError } from '../internal/errors.js';
import {
  attachDirectory,
  deposit,
  needsAttach,
  release,
  resolveAsync,
  resolveSync,
} from './sab-directory.js';
import { readString } from './utf16.js';
import { priorityOf, priorityText, shapeOf } from '../internal/priority.js';

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

const LONG_STRING = 512;

export const K_NUMBER = 1;
export const K_BIGINT = 2;
export const K_STRING = 3;
/** An array priority: stored as its shape, a NUL, and its text. */
export const K_ARRAY = 4;

/**
 * One item, prepared outside the lock: its tag, payload size, and payload
 * (and, for a PriorityQueue, its key). A blocking put keeps its own until it
 * is stored. Everything is read from the item here, once: what is stored
 * later is this snapshot, never the live object (which may have changed).
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
  /** T_FLAT: the keys and the values read from the object. */
  readonly keys: string[] = [];
  readonly values: unknown[] = [];
  /** T_BYTES: the directory keys of its shared buffers (released if it is never stored). */
  buffers: string[] | undefined;
  /** T_BYTES whose buffers wait for this thread to be welcomed by the directory: see `ready`. */
  #unready: { payload: Uint8Array; sabs: SharedArrayBuffer[] } | undefined;

  /**
   * Prepares `item`. Throws a `DataCloneError` DOMException for what cannot be
   * cloned, before anything touches the queue.
   */
  prepare(item: unknown, block = true): this {
    this.bytes = undefined;
    this.buffers = undefined;
    this.#unready = undefined;
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
    const units = flatUnits(item as object, this.keys, this.values);
    if (units >= 0) {
      this.tag = T_FLAT;
      this.length = units * 2;
      return this;
    }
    this.values.length = 0;
    const json = jsonText(item, 0, new Set());
    if (json !== undefined) {
      this.tag = T_JSON;
      this.string = json;
      this.length = json.length * 2;
      return this;
    }
    this.tag = T_BYTES;
    const { payload, sabs } = serialize(item);
    if (sabs.length > 0 && !block && needsAttach()) this.#unready = { payload, sabs };
    else this.#seal(payload, sabs);
    return this;
  }

  /** False while a prepared item waits for `ready()` (only after `prepare(item, false)`). */
  get isReady(): boolean {
    return this.#unready === undefined;
  }

  /** Completes `prepare(item, false)`: waits, without blocking, for the buffer directory. */
  async ready(): Promise<void> {
    const unready = this.#unready;
    if (unready === undefined) return;
    await attachDirectory();
    this.#unready = undefined;
    this.#seal(unready.payload, unready.sabs);
  }

  #seal(payload: Uint8Array, sabs: SharedArrayBuffer[]): void {
    const keys = sabs.length === 0 ? undefined : deposit(sabs);
    this.bytes = withHeader(payload, keys);
    this.buffers = keys;
    this.length = this.bytes.length;
  }

  /** The item was not stored after all (full, shut down, aborted, …): lets go of its buffers. */
  abandon(): void {
    if (this.buffers !== undefined) release(this.buffers);
    this.buffers = undefined;
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
      writeFlat(u16, at >> 1, p.keys, p.values);
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

  /** The item's value (may block this thread while the buffer directory answers). */
  value(): unknown {
    return this.text !== undefined ? JSON.parse(this.text) : deserialize(this.bytes!);
  }

  /** The item's value, or a promise of it when its buffers must be asked for (never blocks). */
  valueAsync(): unknown {
    return this.text !== undefined ? JSON.parse(this.text) : deserializeAsync(this.bytes!);
  }

  /** The item is dropped unread (shutdown({ immediate })): lets go of its buffers. */
  discard(): void {
    if (this.bytes !== undefined) discard(this.bytes);
  }
}

/**
 * Extracts and checks the priority of `item` (PriorityQueue) into `prepared`
 * (`internal/priority.ts`: the rules of every PriorityQueue). An array
 * priority is kept as text: its shape, a NUL, then `priorityText`.
 */
export function prepareKey(prepared: Prepared, item: unknown): void {
  const key = priorityOf(item);
  if (typeof key === 'number') prepared.keyKind = K_NUMBER;
  else if (typeof key === 'bigint') prepared.keyKind = K_BIGINT;
  else if (typeof key === 'string') prepared.keyKind = K_STRING;
  else {
    prepared.keyKind = K_ARRAY;
    prepared.key = `${shapeOf(key)}\0${priorityText(key)}`;
    return;
  }
  prepared.key = key;
}

/** The shape of a prepared or stored key (see `shapeOf`). */
export function keyShape(kind: number, key: number | bigint | string): string {
  if (kind === K_ARRAY) return (key as string).slice(0, (key as string).indexOf('\0'));
  return kind === K_STRING ? 's' : 'n';
}

// The JSON text of `value` when JSON round-trips it exactly, else
// undefined: plain objects and arrays (no holes, no object reached twice, so
// no cycle and no shared reference, at most 32 deep) of strings, booleans,
// null and finite numbers other than -0. Reads each property once (the text
// is built here, not by JSON.stringify reading the object again).
function jsonText(value: unknown, depth: number, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? String(value) : undefined;
    case 'object': {
      if (value === null) return 'null';
      if (depth > 32 || seen.has(value)) return undefined;
      seen.add(value);
      if (Array.isArray(value)) {
        let text = '[';
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) return undefined;
          const item = jsonText(value[i], depth + 1, seen);
          if (item === undefined) return undefined;
          text += i === 0 ? item : `,${item}`;
        }
        return `${text}]`;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype || SHARE in value) return undefined;
      if (Object.getOwnPropertySymbols(value).length !== 0) return undefined;
      let text = '{';
      let first = true;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) return undefined;
        const item = jsonText((value as Record<string, unknown>)[key], depth + 1, seen);
        if (item === undefined) return undefined;
        text += `${first ? '' : ','}${JSON.stringify(key)}:${item}`;
        first = false;
      }
      return `${text}}`;
    }
    default:
      return undefined;
  }
}

// The structured-clone bytes of an item, and the shared buffers they
// refer to by index (see ItemSerializer).
function serialize(item: unknown): { payload: Uint8Array; sabs: SharedArrayBuffer[] } {
  const { value, table } = encode(item);
  const serializer = new ItemSerializer();
  try {
    serializer.writeHeader();
    serializer.writeValue(serializer.wrap([value, table]));
    return { payload: serializer.releaseBuffer(), sabs: serializer.buffers };
  } catch (cause) {
    if (cause instanceof DOMException) throw cause;
    throw new DOMException((cause as Error).message, 'DataCloneError');
  }
}

function withHeader(payload: Uint8Array, keys: string[] | undefined): Uint8Array {
  const header = keys === undefined ? '' : JSON.stringify(keys);
  const at = 4 + header.length;
  const bytes = new Uint8Array(at + payload.length);
  new DataView(bytes.buffer).setUint32(0, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[4 + i] = header.charCodeAt(i);
  bytes.set(payload, at);
  return bytes;
}

// The header of a BYTES payload: a u32 length, then the keys of its buffers
// as JSON text (ASCII: keys are digits and dots). Written by weft alone,
// before the data; nothing in the data can reach it.
function keysOf(bytes: Uint8Array): { keys: string[]; at: number } {
  const length = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (length === 0) return { keys: NO_KEYS, at: 4 };
  const text = String.fromCharCode(...bytes.subarray(4, 4 + length));
  return { keys: JSON.parse(text) as string[], at: 4 + length };
}
const NO_KEYS: string[] = [];

function read(
  bytes: Uint8Array,
  at: number,
  sabs: SharedArrayBuffer[],
): [unknown, SharedTable | undefined] {
  const deserializer = new ItemDeserializer(bytes.subarray(at), sabs);
  deserializer.readHeader();
  return deserializer.readValue() as [unknown, SharedTable | undefined];
}

/** Reads back an item of kind BYTES from a private copy of its payload (may block for its buffers). */
export function deserialize(bytes: Uint8Array): unknown {
  const { keys, at } = keysOf(bytes);
  const [value, table] = read(bytes, at, keys.length === 0 ? [] : resolveSync(keys));
  return decode(value, table);
}

/**
 * `deserialize` that waits for the buffer directory, and imports the modules
 * of registered classes the item holds, without blocking.
 */
export function deserializeAsync(bytes: Uint8Array): unknown {
  const { keys, at } = keysOf(bytes);
  if (keys.length === 0) return decodeAsync(read(bytes, at, []));
  return resolveAsync(keys).then((sabs) => decodeAsync(read(bytes, at, sabs)));
}

function decodeAsync([value, table]: [unknown, SharedTable | undefined]): unknown {
  const loading = prepare(table);
  return loading === undefined ? decode(value, table) : loading.then(() => decode(value, table));
}

/** Lets go of the buffers of an item that will never be read. */
export function discard(bytes: Uint8Array): void {
  const { keys } = keysOf(bytes);
  release(keys);
}

// Views over shared memory cross as host objects: [type, buffer index,
// byteOffset, byteLength], the buffer itself out of band (below). Other
// views keep Node's own format (a copy of their bytes). A bare
// SharedArrayBuffer crosses as a host object too: V8 would write it by an id
// that Node 20's Deserializer cannot read back, so before serializing, each
// one is replaced by a wrapper view that the serializer alone made and
// recognises by identity (`wrap`), and written as [buffer index].
const VIEW_TYPES: readonly (abstract new (...args: never[]) => ArrayBufferView)[] = [
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
  DataView,
  Buffer,
];
const HOST_DEFAULT = 0;
const HOST_SHARED_VIEW = 1;
const HOST_SHARED_BUFFER = 2;

type HostSerializer = v8.Serializer & { _writeHostObject(object: object): void };
type HostDeserializer = v8.Deserializer & { _readHostObject(): unknown };

// SharedArrayBuffers (bare, or under a view) are listed in `buffers`, never
// written into the bytes: V8 asks `_getSharedArrayBufferId` for a bare one
// and writes only that index; the reader hands the same list back to
// `transferArrayBuffer`. So shared memory is known by position in a list
// that only the serializer makes, not by anything in the data.
class ItemSerializer extends (v8.DefaultSerializer as new () => HostSerializer) {
  readonly buffers: SharedArrayBuffer[] = [];
  readonly #index = new Map<SharedArrayBuffer, number>();
  /** Wrapper view → the bare buffer it stands for. */
  readonly #wrappers = new Map<object, SharedArrayBuffer>();
  readonly #wrapperOf = new Map<SharedArrayBuffer, object>();

  /**
   * `value` with every bare SharedArrayBuffer reachable through arrays, Maps,
   * Sets and plain objects replaced by a wrapper view; containers on the way
   * are copied (never the caller's), keeping cycles and shared references.
   */
  wrap(value: unknown): unknown {
    return holdsBuffer(value, new Set()) ? this.#copy(value, new Map()) : value;
  }

  #copy(value: unknown, seen: Map<object, unknown>): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (value instanceof SharedArrayBuffer) {
      let wrapper = this.#wrapperOf.get(value);
      if (wrapper === undefined) {
        wrapper = new Uint8Array(0);
        this.#wrappers.set(wrapper, value);
        this.#wrapperOf.set(value, wrapper);
      }
      return wrapper;
    }
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (Array.isArray(value)) {
      const out = new Array<unknown>(value.length);
      seen.set(value, out);
      for (let i = 0; i < value.length; i++) if (i in value) out[i] = this.#copy(value[i], seen);
      return out;
    }
    if (value instanceof Map) {
      const out = new Map<unknown, unknown>();
      seen.set(value, out);
      for (const [k, v] of value as Map<unknown, unknown>) {
        out.set(this.#copy(k, seen), this.#copy(v, seen));
      }
      return out;
    }
    if (value instanceof Set) {
      const out = new Set<unknown>();
      seen.set(value, out);
      for (const v of value as Set<unknown>) out.add(this.#copy(v, seen));
      return out;
    }
    if (!isPlain(value)) return value;
    const out: Record<string, unknown> = {};
    seen.set(value, out);
    for (const key of Object.keys(value)) {
      // defineProperty: an own `__proto__` key stays a key.
      Object.defineProperty(out, key, {
        value: this.#copy((value as Record<string, unknown>)[key], seen),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  #id(sab: SharedArrayBuffer): number {
    let id = this.#index.get(sab);
    if (id === undefined) {
      id = this.buffers.push(sab) - 1;
      this.#index.set(sab, id);
    }
    return id;
  }

  // A bare buffer `wrap` could not reach (inside a class instance, say).
  _getSharedArrayBufferId(): never {
    throw new DOMException(
      'A SharedArrayBuffer inside an object that is not a plain object, array, Map or Set could not be cloned.',
      'DataCloneError',
    );
  }

  override _writeHostObject(view: object): void {
    const bare = this.#wrappers.get(view);
    if (bare !== undefined) {
      this.writeUint32(HOST_SHARED_BUFFER);
      this.writeUint32(this.#id(bare));
      return;
    }
    const buffer = (view as ArrayBufferView).buffer;
    if (!(buffer instanceof SharedArrayBuffer)) {
      this.writeUint32(HOST_DEFAULT);
      super._writeHostObject(view);
      return;
    }
    const type = VIEW_TYPES.indexOf((view as { constructor: never }).constructor);
    if (type < 0) {
      throw new DOMException(
        `${(view as { constructor: { name: string } }).constructor.name} over shared memory could not be cloned.`,
        'DataCloneError',
      );
    }
    const v = view as ArrayBufferView;
    this.writeUint32(HOST_SHARED_VIEW);
    this.writeUint32(type);
    this.writeUint32(this.#id(buffer));
    this.writeUint32(v.byteOffset);
    this.writeUint32(v.byteLength);
  }
}

class ItemDeserializer extends (v8.DefaultDeserializer as new (
  buffer: Uint8Array,
) => HostDeserializer) {
  readonly #buffers: SharedArrayBuffer[];

  constructor(bytes: Uint8Array, buffers: SharedArrayBuffer[]) {
    super(bytes);
    this.#buffers = buffers;
  }

  override _readHostObject(): unknown {
    const kind = this.readUint32();
    if (kind === HOST_DEFAULT) return super._readHostObject();
    if (kind === HOST_SHARED_BUFFER) {
      const sab = this.#buffers[this.readUint32()];
      if (sab === undefined) throw malformed();
      return sab;
    }
    const View = VIEW_TYPES[this.readUint32()];
    const sab = this.#buffers[this.readUint32()];
    const offset = this.readUint32();
    const length = this.readUint32();
    if (View === undefined || sab === undefined) throw malformed();
    if (View === Buffer) return Buffer.from(sab, offset, length);
    if (View === DataView) return new DataView(sab, offset, length);
    const Typed = View as unknown as new (b: SharedArrayBuffer, o: number, l: number) => unknown;
    const bytesPerElement = (View as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    return new Typed(sab, offset, length / bytesPerElement);
  }
}

function malformed(): StateError {
  return new StateError('ERR_SHAREABLE_INVALID', 'A queue item is malformed');
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// Whether a bare SharedArrayBuffer is reachable from `value` through arrays,
// Maps, Sets and plain objects.
function holdsBuffer(value: unknown, seen: Set<object>): boolean {
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  if (value instanceof SharedArrayBuffer) return true;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsBuffer(value[i], seen)) return true;
    return false;
  }
  if (value instanceof Map) {
    for (const [k, v] of value as Map<unknown, unknown>) {
      if (holdsBuffer(k, seen) || holdsBuffer(v, seen)) return true;
    }
    return false;
  }
  if (value instanceof Set) {
    for (const v of value as Set<unknown>) if (holdsBuffer(v, seen)) return true;
    return false;
  }
  if (!isPlain(value)) return false;
  for (const key of Object.keys(value)) {
    if (holdsBuffer((value as Record<string, unknown>)[key], seen)) return true;
  }
  return false;
}
