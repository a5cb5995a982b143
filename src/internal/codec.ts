// The shareable protocol. A shareable (Lock, Event, Value, Queue, a task
// reference, …) is an object whose whole state is cloneable and whose memory
// lives in SharedArrayBuffers. Crossing a thread, each shareable inside a
// value is replaced by a fresh empty *placeholder* object, and listed with its
// tag and state in a side table. The value and the table are cloned together
// (one postMessage, one v8.serialize), which keeps object identity, so on the
// other side `decode` rebuilds a live instance exactly where an object is
// *identical* to a placeholder of the table.
//
// Nothing is recognised by its keys: user data can hold any keys, but it can
// never hold one of the placeholders, which only the encoder makes. So no
// shape of data decodes as a shareable (or runs an action's source). The
// table is produced by weft alone and travels in weft's own message fields.
//
// Plain objects, arrays, Maps and Sets are walked; when a value holds a
// shareable its containers are copied (the caller's objects are never
// mutated), keeping shared references and cycles.
//
// Any other object is asked about by classes.ts: an instance of a class
// registered with `registerClass` crosses out of band too, as a placeholder
// and `[module, name, fields]` in the table (its fields copied as any value
// is); an object that lives in one thread (an asyncio Lock) is refused; the
// rest go to structured clone as they are. On arrival a class instance is
// made before its fields are restored, so fields that point back at it (a
// cycle through the instance) meet the instance itself.
//
// The registry lives on globalThis so that two copies of weft loaded in one
// thread (say src/ under a loader and dist/) still understand each other.

import { codedError, StateError } from './errors.js';
import { CODEC_REVIVERS_KEY, globalSlot, SHARE_KEY } from './globals.js';
import { CLASS_TAG, classEntry, copyFields, instantiate, loadClasses } from './classes.js';

/** Key under which a shareable exposes its state for crossing threads. */
export const SHARE: typeof SHARE_KEY = SHARE_KEY;

/** What a shareable hands to the codec: a registered tag and cloneable state. */
export interface SharedState {
  readonly tag: string;
  readonly state: unknown;
}

/** An object that crosses threads by reference to shared memory. */
export interface Shareable {
  [SHARE](): SharedState;
}

/**
 * The side table of an encoded value: `[placeholder, tag, state]` triples,
 * flat. Clone it together with the value it belongs to.
 */
export type SharedTable = unknown[];

/** What `encode` returns: the value to clone, and its table (`undefined` when nothing was replaced). */
export interface Encoded {
  readonly value: unknown;
  readonly table: SharedTable | undefined;
}

type Reviver = (state: unknown) => unknown;

const registry = globalSlot(CODEC_REVIVERS_KEY, () => new Map<string, Reviver>());

/** Registers how to rebuild a shareable from its state (once per class, at module load). */
export function registerShareable(tag: string, revive: Reviver): void {
  registry.set(tag, revive);
}

export function isShareable(value: unknown): value is Shareable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<Shareable>)[SHARE] === 'function'
  );
}

/**
 * Replaces every shareable inside `value` by a placeholder listed in the
 * returned table. When there is none, returns `value` itself and no table.
 *
 * @example
 * ```ts
 * const { value, table } = encode({ lock, n: 1 });
 * worker.postMessage({ value, table });   // in the worker: decode(msg.value, msg.table).lock is live
 * ```
 */
export function encode(value: unknown): Encoded {
  try {
    if (!holdsShareable(value, new Set())) return { value, table: undefined };
    const table: SharedTable = [];
    return { value: copy(value, table, new Map()), table };
  } catch (error) {
    // Nested deeper than this thread's stack: no copy could hold it either.
    if (!(error instanceof RangeError) || 'code' in error) throw error;
    throw codedError(
      TypeError,
      'ERR_NOT_CLONEABLE',
      `A value is nested too deeply to be copied: ${error.message}`,
    );
  }
}

/**
 * Rebuilds live shareables where `value` holds placeholders of `table`.
 * `value` must be a fresh clone (it is changed in place) made in the same
 * clone as `table`.
 */
export function decode(value: unknown, table: SharedTable | undefined): unknown {
  if (table === undefined) return value;
  if (!Array.isArray(table) || table.length % 3 !== 0) {
    throw new StateError('ERR_SHAREABLE_INVALID', 'A shareable table is malformed');
  }
  const entries = new Map<object, { tag: unknown; state: unknown; live?: unknown }>();
  for (let i = 0; i < table.length; i += 3) {
    const placeholder: unknown = table[i];
    if (typeof placeholder !== 'object' || placeholder === null) {
      throw new StateError('ERR_SHAREABLE_INVALID', 'A shareable table is malformed');
    }
    entries.set(placeholder, { tag: table[i + 1], state: table[i + 2] });
  }
  const done = new Set<object>();
  const leaf = (object: object): unknown => {
    const entry = entries.get(object);
    if (entry === undefined) return NONE;
    if (!('live' in entry)) {
      if (entry.tag === CLASS_TAG) {
        const [module, name, fields] = classState(entry.state);
        const live = instantiate(module, name);
        entry.live = live;
        copyFields(live, restore(fields, leaf, done));
        return live;
      }
      const revive = typeof entry.tag === 'string' ? registry.get(entry.tag) : undefined;
      if (revive === undefined) {
        throw new StateError(
          'ERR_SHAREABLE_UNKNOWN',
          `Received a weft shareable \`${String(entry.tag)}\` whose module is not loaded in this thread; import it first`,
        );
      }
      entry.live = revive(restore(entry.state, leaf, done));
    }
    return entry.live;
  };
  return restore(value, leaf, done);
}

const NONE = Symbol('none');

function classState(state: unknown): [string, string, unknown] {
  if (
    !Array.isArray(state) ||
    state.length !== 3 ||
    typeof state[0] !== 'string' ||
    typeof state[1] !== 'string'
  ) {
    throw new StateError('ERR_SHAREABLE_INVALID', 'A shareable table is malformed');
  }
  return state as [string, string, unknown];
}

/**
 * Imports, without blocking, the modules of the registered classes whose
 * instances `table` holds and this thread has not loaded yet, so that
 * {@link decode} finds them. `undefined` (nothing to wait for) in the usual case.
 */
export function prepare(table: SharedTable | undefined): Promise<void> | undefined {
  if (table === undefined || !Array.isArray(table)) return undefined;
  let refs: [string, string][] | undefined;
  for (let i = 1; i < table.length; i += 3) {
    if (table[i] !== CLASS_TAG) continue;
    const state = table[i + 1];
    if (Array.isArray(state) && typeof state[0] === 'string' && typeof state[1] === 'string') {
      (refs ??= []).push([state[0], state[1]]);
    }
  }
  return refs === undefined ? undefined : loadClasses(refs);
}

/** {@link prepare} for what {@link pack} returned: `undefined` when it did not pack. */
export function preparePacked(packed: unknown, wasPacked: boolean): Promise<void> | undefined {
  return wasPacked && Array.isArray(packed) ? prepare(packed[1] as SharedTable) : undefined;
}

// Whether a shareable is reachable from `value` through plain containers.
function holdsShareable(value: unknown, seen: Set<object>): boolean {
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  if (isShareable(value)) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsShareable(value[i], seen)) return true;
    return false;
  }
  if (value instanceof Map) {
    for (const [k, v] of value as Map<unknown, unknown>) {
      if (holdsShareable(k, seen) || holdsShareable(v, seen)) return true;
    }
    return false;
  }
  if (value instanceof Set) {
    for (const v of value as Set<unknown>) if (holdsShareable(v, seen)) return true;
    return false;
  }
  if (!isPlain(value)) return classEntry(value) !== undefined;
  for (const key of Object.keys(value)) {
    if (holdsShareable((value as Record<string, unknown>)[key], seen)) return true;
  }
  return false;
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// Copies the containers of `value`, replacing shareables by placeholders.
// A container is entered in `seen` before its children are copied, so a
// back-reference (a cycle) meets the copy, not the original.
function copy(value: unknown, table: SharedTable, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (isShareable(value)) {
    const placeholder = {};
    seen.set(value, placeholder);
    const { tag, state } = value[SHARE]();
    const at = table.length;
    table.push(placeholder, tag, undefined);
    table[at + 2] = copy(state, table, seen);
    return placeholder;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    seen.set(value, out);
    for (let i = 0; i < value.length; i++) if (i in value) out[i] = copy(value[i], table, seen);
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(value, out);
    for (const [k, v] of value as Map<unknown, unknown>) {
      out.set(copy(k, table, seen), copy(v, table, seen));
    }
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    seen.set(value, out);
    for (const v of value as Set<unknown>) out.add(copy(v, table, seen));
    return out;
  }
  if (!isPlain(value)) {
    const entry = classEntry(value);
    if (entry === undefined) return value;
    const placeholder = {};
    seen.set(value, placeholder);
    const at = table.length;
    table.push(placeholder, CLASS_TAG, undefined);
    table[at + 2] = [entry.module, entry.name, copy(copyFields({}, value), table, seen)];
    return placeholder;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const key of Object.keys(value)) {
    // defineProperty: an own `__proto__` key stays a key.
    Object.defineProperty(out, key, {
      value: copy((value as Record<string, unknown>)[key], table, seen),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

// Walks a fresh clone in place, replacing placeholders by live instances.
function restore(value: unknown, leaf: (o: object) => unknown, done: Set<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const live = leaf(value);
  if (live !== NONE) return live;
  if (done.has(value)) return value;
  done.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (i in value) value[i] = restore(value[i], leaf, done);
    }
  } else if (value instanceof Map) {
    const entries = [...(value as Map<unknown, unknown>)];
    value.clear();
    for (const [k, v] of entries) value.set(restore(k, leaf, done), restore(v, leaf, done));
  } else if (value instanceof Set) {
    const items = [...(value as Set<unknown>)];
    value.clear();
    for (const v of items) value.add(restore(v, leaf, done));
  } else if (isPlain(value)) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const next = restore(record[key], leaf, done);
      if (next !== record[key]) {
        Object.defineProperty(record, key, {
          value: next,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
  }
  return value;
}

/**
 * `encode` for a message field whose flag says whether it was packed: returns
 * `value` itself when it holds no shareable, else a new `[value, table]` pair
 * (so `pack(x) !== x` tells the two apart). Read back with {@link unpack}.
 */
export function pack(value: unknown): unknown {
  const { value: out, table } = encode(value);
  return table === undefined ? value : [out, table];
}

/** Reads back a fresh clone of what {@link pack} returned when it packed. */
export function unpack(packed: unknown): unknown {
  if (!Array.isArray(packed) || packed.length !== 2) {
    throw new StateError('ERR_SHAREABLE_INVALID', 'A packed value is malformed');
  }
  return decode(packed[0], packed[1] as SharedTable);
}

/**
 * Shareables a child process can use: task references (a module URL and a
 * name), Manager proxies (an address and an object id) and registered class
 * instances (whose own fields are checked as entries of their own). Everything else
 * lives in memory that processes do not share.
 */
export const PROCESS_SAFE: readonly string[] = ['weft.task', 'weft.manager.proxy', CLASS_TAG];

/** Whether every shareable in what {@link pack} packed is one of `tags` (e.g. task references, which any process can use). */
export function packedOnly(packed: unknown, tags: readonly string[]): boolean {
  const table = (packed as [unknown, SharedTable])[1];
  for (let i = 1; i < table.length; i += 3) if (!tags.includes(table[i] as string)) return false;
  return true;
}
