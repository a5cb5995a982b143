// Every piece of state weft keeps on globalThis, in one place.
//
// Why globalThis: one thread can hold two copies of weft's modules (src/
// under a loader beside dist/; a pool worker's single-file entry beside the
// public chunks, see scripts/build.mjs), and each copy must see the same
// registries and recognise the other's marks. So this state lives under
// `Symbol.for` keys, which every copy resolves to the same symbol. Each key
// is named here once, with the module that owns it; no other module calls
// `Symbol.for` for state (`nodejs.util.inspect.custom` is Node's API, not state).

/** Key under which a shareable exposes its state for crossing threads. Owner: internal/codec.ts. */
export const SHARE_KEY: unique symbol = Symbol.for('weft.share') as never;

/** A `{ transfer() }` wrapper's brand. Owner: futures/transfer.ts. */
export const TRANSFER_KEY: unique symbol = Symbol.for('weft.transfer') as never;

/** Set once tsx's hooks are registered in this thread (also by scripts/register-tsx.mjs). Owner: internal/task-load.ts. */
export const TSX_REGISTERED_KEY: unique symbol = Symbol.for('weft.tsx.registered') as never;

/** tsx's own count of CommonJS loaders it registered (read, never written). Owner: tsx. */
export const TSX_CJS_LOADERS_KEY: unique symbol = Symbol.for(
  'tsx:global-cjs-loader-count',
) as never;

/** The thread registry's SharedArrayBuffer of this thread. Owner: threading/registry.ts. */
export const REGISTRY_KEY: unique symbol = Symbol.for('weft.threading.registry') as never;

/** The running executor task's context (abort controller, slot). Owner: futures/task-signal.ts. */
export const TASK_CONTEXT_KEY: unique symbol = Symbol.for('weft.futures.context') as never;

/** Shareable tag → reviver. Owner: internal/codec.ts. */
export const CODEC_REVIVERS_KEY: unique symbol = Symbol.for('weft.codec.registry') as never;

/** The task references made by any copy of weft (a WeakSet: identity, never shape). Owner: internal/task-ref.ts. */
export const TASK_REFS_KEY: unique symbol = Symbol.for('weft.task-refs') as never;

/** Error class name → class, for errors crossing a thread or process. Owner: internal/error-wire.ts. */
export const ERROR_CLASSES_KEY: unique symbol = Symbol.for('weft.errors.classes') as never;

/** Prototype → what the codec does with its instances (registered class, refusal, plain). Owner: internal/classes.ts. */
export const CLASS_VERDICTS_KEY: unique symbol = Symbol.for('weft.classes.verdicts') as never;

/** `module#name` → registered class entry. Owner: internal/classes.ts. */
export const CLASSES_BY_KEY: unique symbol = Symbol.for('weft.classes.by-key') as never;

/** On the prototype of an object that lives in one thread (asyncio, green, futures objects). Owner: internal/classes.ts. */
export const IN_THREAD_ONLY_KEY: unique symbol = Symbol.for('weft.in-thread-only') as never;

const slots = globalThis as unknown as Record<symbol, unknown>;

/** The value under `key`, made by `init` the first time any copy of weft asks. */
export function globalSlot<T>(key: symbol, init: () => T): T {
  return (slots[key] ??= init()) as T;
}

/** The value under `key`, if any copy of weft (or tsx) set one. */
export function readGlobal(key: symbol): unknown {
  return slots[key];
}

/** Sets the value under `key`. */
export function writeGlobal(key: symbol, value: unknown): void {
  slots[key] = value;
}
