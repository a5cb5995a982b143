// The shareable protocol. A shareable (Lock, Event, Value, Queue, …) is an
// object whose whole state lives in SharedArrayBuffers. Crossing a thread it
// is replaced by a marker `{ [MARK]: tag, s: state }`; the structured clone of
// `state` shares the buffers, and `decode` rebuilds a live instance of the
// same class around them on the other side. Plain objects, arrays, Maps and
// Sets are walked so shareables nested inside them arrive live too; a
// container is copied only when something inside it was replaced, so the
// caller's objects are never mutated.
//
// The registry lives on globalThis so that two copies of weft loaded in one
// thread (say src/ under a loader and dist/) still understand each other.

import { StateError } from './errors.js';

/** Key under which a shareable exposes its state for crossing threads. */
export const SHARE: unique symbol = Symbol.for('weft.share') as never;

/** What a shareable hands to the codec: a registered tag and cloneable state. */
export interface SharedState {
  readonly tag: string;
  readonly state: unknown;
}

/** An object that crosses threads by reference to shared memory. */
export interface Shareable {
  [SHARE](): SharedState;
}

const MARK = '__weft$shareable';

type Reviver = (state: unknown) => unknown;

const registry: Map<string, Reviver> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('weft.codec.registry')
] ??= new Map<string, Reviver>()) as Map<string, Reviver>;

/** Registers how to rebuild a shareable from its state (once per class, at module load). */
export function registerShareable(tag: string, revive: Reviver): void {
  registry.set(tag, revive);
}

export function isShareable(value: unknown): value is Shareable {
  return typeof value === 'object' && value !== null && SHARE in value;
}

/**
 * Replaces every shareable inside `value` by its marker. Returns `value`
 * itself when there is nothing to replace.
 *
 * @example
 * ```ts
 * worker.postMessage(encode({ lock, n: 1 }));   // in the worker: decode(message).lock is live
 * ```
 */
export function encode(value: unknown): unknown {
  return walk(value, encodeLeaf, new Map());
}

/** Rebuilds live shareables from the markers `encode` left. */
export function decode(value: unknown): unknown {
  return walk(value, decodeLeaf, new Map());
}

function encodeLeaf(value: object): unknown {
  if (!isShareable(value)) return NONE;
  const { tag, state } = value[SHARE]();
  return { [MARK]: tag, s: encode(state) };
}

function decodeLeaf(value: object): unknown {
  const tag = (value as Record<string, unknown>)[MARK];
  if (typeof tag !== 'string') return NONE;
  const revive = registry.get(tag);
  if (revive === undefined) {
    throw new StateError(
      'ERR_SHAREABLE_UNKNOWN',
      `Received a weft shareable \`${tag}\` whose module is not loaded in this thread; import it first`,
    );
  }
  return revive(decode((value as { s: unknown }).s));
}

const NONE = Symbol('none');

// Returns the value with leaves replaced; `seen` maps already-walked
// containers to their result so shared references and cycles survive.
function walk(value: unknown, leaf: (v: object) => unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return seen.get(value);
  const replaced = leaf(value);
  if (replaced !== NONE) {
    seen.set(value, replaced);
    return replaced;
  }
  seen.set(value, value);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = walk(item, leaf, seen);
      if (next !== item) {
        out ??= value.slice();
        out[i] = next;
      }
    }
    if (out !== undefined) seen.set(value, out);
    return out ?? value;
  }
  if (value instanceof Map) {
    let changed = false;
    const entries: [unknown, unknown][] = [];
    for (const [k, v] of value as Map<unknown, unknown>) {
      const nk = walk(k, leaf, seen);
      const nv = walk(v, leaf, seen);
      changed ||= nk !== k || nv !== v;
      entries.push([nk, nv]);
    }
    if (!changed) return value;
    const out = new Map(entries);
    seen.set(value, out);
    return out;
  }
  if (value instanceof Set) {
    let changed = false;
    const items: unknown[] = [];
    for (const v of value as Set<unknown>) {
      const nv = walk(v, leaf, seen);
      changed ||= nv !== v;
      items.push(nv);
    }
    if (!changed) return value;
    const out = new Set(items);
    seen.set(value, out);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const next = walk(item, leaf, seen);
    if (next !== item) {
      out ??= { ...(value as Record<string, unknown>) };
      out[key] = next;
    }
  }
  if (out !== undefined) seen.set(value, out);
  return out ?? value;
}
