// Instances of the user's classes crossing threads and processes. Python
// pickles an instance by reference to its class (module and name) plus its
// fields, and the receiver imports the module to find the class; weft does
// the same for classes registered with `registerClass`. The codec (codec.ts)
// asks `classEntry` about every object that is not a plain container: a
// registered class's instance travels out of band, as `[module, name,
// fields]` in the side table; an object that lives in one thread (an asyncio
// Lock, a Future) is refused; any other instance keeps structured-clone
// semantics (its own fields, as a plain object), with a warning once per class.
//
// The registries live on globalThis so that two copies of weft loaded in one
// thread (src/ under a loader and dist/) share them.

import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { argTypeError, codedError, describe } from './errors.js';
import { loadModule } from './task-load.js';
import {
  CLASS_VERDICTS_KEY,
  CLASSES_BY_KEY,
  globalSlot,
  IN_THREAD_ONLY_KEY,
  SHARE_KEY,
} from './globals.js';

/** Options of {@link registerClass}. */
export interface RegisterClassOptions {
  /**
   * The name the class is known by across threads, unique in its module.
   * @default the class's own `name`
   */
  readonly name?: string;
}

type AnyClass = abstract new (...args: never[]) => object;

interface ClassEntry {
  readonly cls: AnyClass;
  readonly module: string;
  readonly name: string;
}

/**
 * What the codec does with an instance, by its exact prototype (a subclass is
 * a class of its own): a registered class's entry (it crosses as an
 * instance), a refusal (it lives in one thread), or `null` (structured
 * clone). Filled by registerClass, else at the first instance seen, so the
 * codec pays one lookup per object that is not a plain container.
 */
const verdicts = globalSlot(CLASS_VERDICTS_KEY, () => new WeakMap<object, Verdict>());
type Verdict = ClassEntry | Refusal | null;
interface Refusal {
  readonly module: string;
  readonly instead: string;
}
/** `module#name` → entry: what a receiving thread looks up. */
const byKey = globalSlot(CLASSES_BY_KEY, () => new Map<string, ClassEntry>());

/** On the prototype of an object that lives in one thread: what to use instead. */
const IN_THREAD_ONLY: typeof IN_THREAD_ONLY_KEY = IN_THREAD_ONLY_KEY;

/** The tag of a class instance in the codec's side table. */
export const CLASS_TAG = 'weft.class';

/**
 * Lets instances of `cls` cross threads, processes, queues and task results
 * as instances of `cls`, the way Python pickles an instance by reference to
 * its class. Call it once, at the top level of the module that defines the
 * class, with that module's `import.meta.url`: a thread or process that
 * receives an instance imports that module (if it has not yet) to find the
 * class.
 *
 * What crosses is the class's name and module, and the instance's own
 * enumerable fields, each copied the way weft copies any value (so a Lock,
 * Value or Queue field stays live, a registered instance inside stays an
 * instance, and references shared within one message stay shared). On
 * arrival the instance is made with `Object.create(cls.prototype)` and its
 * fields set: as with pickle, the constructor does not run.
 *
 * @remarks
 * *What does not cross.* `#private` fields (JavaScript gives no access to
 * them from outside the class): keep the state that must cross in ordinary
 * properties. A subclass crosses only if it is registered too. Instances of
 * a class that is not registered keep structured-clone semantics (they
 * arrive as plain objects holding their own fields, without methods), and
 * weft warns once per class (`WEFT_UNREGISTERED_CLASS`).
 *
 * *Blocking receivers.* `await queue.get()` and every thread, process and
 * pool boundary import the class's module when needed. A blocking
 * `getSync()` can only load a built `.js` module (synchronously); under tsx
 * it needs the module imported in that thread already.
 *
 * @param cls - The class. Registering it again with the same module and name does nothing.
 * @param module - The URL of the module that defines the class: `import.meta.url`.
 * @param options - See {@link RegisterClassOptions}.
 * @returns `cls`, unchanged.
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `cls` is not a class or `module` is not an absolute URL;
 *   `ERR_INVALID_ARG_VALUE` when another class is registered under the same module and name,
 *   when `cls` is a weft class, or when `module` is the program's entry script (a thread would run the whole program again to load it).
 * @example
 * ```ts
 * import { registerClass } from 'weft';
 * export class Point {
 *   constructor(public x: number, public y: number) {}
 *   norm(): number { return Math.hypot(this.x, this.y); }
 * }
 * registerClass(Point, import.meta.url);
 * // A Point put on a weft Queue, passed to a Thread or returned by a pool task arrives as a Point.
 * ```
 */
export function registerClass<C extends abstract new (...args: never[]) => object>(
  cls: C,
  module: string | URL,
  options: RegisterClassOptions = {},
): C {
  if (typeof cls !== 'function' || typeof cls.prototype !== 'object' || cls.prototype === null) {
    throw argTypeError(`Expected \`cls\` to be a class, got ${describe(cls)}`);
  }
  let href: string;
  try {
    href = new URL(module).href;
  } catch {
    throw argTypeError(
      `Expected \`module\` to be an absolute URL (import.meta.url), got ${describe(module)}`,
    );
  }
  const name = options.name ?? cls.name;
  if (typeof name !== 'string' || name === '') {
    throw argTypeError(
      `Expected \`options.name\` to be a non-empty string (the class has no name), got ${describe(name)}`,
    );
  }
  const proto = cls.prototype as object;
  if (IN_THREAD_ONLY in proto || SHARE_KEY in proto) {
    throw codedError(
      TypeError,
      'ERR_INVALID_ARG_VALUE',
      `${name} is (or extends) a weft class, which crosses threads on its own terms; it cannot be registered`,
    );
  }
  if (isEntryScript(href)) {
    throw codedError(
      TypeError,
      'ERR_INVALID_ARG_VALUE',
      `Register ${name} in a module of its own, not in the program's entry script ${href}: a thread that receives an instance imports the module, which would run the whole program again`,
    );
  }
  const key = `${href}#${name}`;
  const known = byKey.get(key);
  if (known !== undefined && known.cls !== cls) {
    throw codedError(
      TypeError,
      'ERR_INVALID_ARG_VALUE',
      `Another class is already registered as \`${name}\` of ${href}; give one of them options.name`,
    );
  }
  const entry: ClassEntry = { cls, module: href, name };
  byKey.set(key, entry);
  verdicts.set(proto, entry);
  return cls;
}

function isEntryScript(href: string): boolean {
  const main = process.argv[1];
  if (!isMainThread || main === undefined || !href.startsWith('file:')) return false;
  try {
    return realpathSync(fileURLToPath(href)) === realpathSync(main);
  } catch {
    return false;
  }
}

/**
 * Marks a class whose instances live in one thread (an asyncio Lock, a
 * Future): weft refuses to send one (or one of its subclasses) to another
 * thread or process, with `ERR_IN_THREAD_ONLY`, instead of sending a
 * lifeless copy.
 *
 * @param module - The subpath that exports it, for the message (`weft/asyncio`).
 * @param instead - What to use across threads, for the message.
 */
export function inThreadOnly(cls: AnyClass, module: string, instead: string): void {
  Object.defineProperty(cls.prototype, IN_THREAD_ONLY, { value: { module, instead } });
}

/**
 * What the codec does with `value`, an object that is not a plain object,
 * array, Map or Set: the entry of its registered class (it crosses as an
 * instance), or `undefined` (it crosses by structured clone). Throws for an
 * object that lives in one thread; warns once per unregistered class.
 */
export function classEntry(value: object): ClassEntry | undefined {
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === null) return undefined;
  let verdict = verdicts.get(proto);
  if (verdict === undefined) {
    verdict = judge(proto);
    verdicts.set(proto, verdict);
  }
  if (verdict === null) return undefined;
  if ('cls' in verdict) return verdict;
  const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
  throw codedError(
    TypeError,
    'ERR_IN_THREAD_ONLY',
    `A ${verdict.module} ${String(name)} lives in the thread that made it and cannot be sent to another thread or process; ${verdict.instead}`,
  );
}

// The verdict on a prototype seen for the first time; warns about a class of
// the program's that is not registered.
function judge(proto: object): Verdict {
  const local = (proto as { [IN_THREAD_ONLY]?: Refusal })[IN_THREAD_ONLY];
  if (local !== undefined) return local;
  if (isUserClass(proto)) {
    const own = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    const name = typeof own === 'string' && own !== '' ? own : '(anonymous)';
    process.emitWarning(
      `An instance of class ${name} crosses to another thread as a plain object, without its methods: call registerClass(${name}, import.meta.url) in its module to send it as an instance (warned once per class)`,
      { code: 'WEFT_UNREGISTERED_CLASS' },
    );
  }
  return null;
}

// Prototypes structured clone knows (their instances cross as themselves).
const BUILT_IN: readonly object[] = [
  Date.prototype,
  RegExp.prototype,
  Error.prototype,
  ArrayBuffer.prototype,
  SharedArrayBuffer.prototype,
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  DataView.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  BigInt.prototype,
  Promise.prototype,
  Function.prototype,
];

// A class of the program's, not one structured clone knows.
function isUserClass(proto: object): boolean {
  for (let p: object | null = proto; p !== null && p !== Object.prototype;) {
    if (BUILT_IN.includes(p)) return false;
    p = Object.getPrototypeOf(p) as object | null;
  }
  // Blob, MessagePort, KeyObject, … : Node's own classes.
  const ctor = (proto as { constructor?: unknown }).constructor;
  return !(
    typeof ctor === 'function' &&
    Function.prototype.toString.call(ctor).endsWith('{ [native code] }')
  );
}

/** Makes an empty instance of the class registered as `name` of `module`, loading the module synchronously if it must. */
export function instantiate(module: string, name: string): object {
  let entry = byKey.get(`${module}#${name}`);
  if (entry === undefined) {
    requireSync(module, name);
    entry = byKey.get(`${module}#${name}`);
    if (entry === undefined) throw notRegistered(module, name);
  }
  return Object.create(entry.cls.prototype as object) as object;
}

/**
 * Copies the own enumerable fields of `source` onto `target` as plain data
 * properties (an own `__proto__` key stays a key): an instance's fields out
 * to a plain object before crossing, and back onto the new instance.
 */
export function copyFields<T extends object>(target: T, source: unknown): T {
  if (typeof source !== 'object' || source === null) return target;
  for (const key of Object.keys(source)) {
    Object.defineProperty(target, key, {
      value: (source as Record<string, unknown>)[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return target;
}

/**
 * Imports, without blocking, the modules of the classes `refs` names
 * (`[module, name]` pairs) that this thread has not registered; `undefined`
 * when there is nothing to load.
 */
export function loadClasses(
  refs: readonly (readonly [string, string])[],
): Promise<void> | undefined {
  const missing = refs.filter(([module, name]) => !byKey.has(`${module}#${name}`));
  if (missing.length === 0) return undefined;
  return Promise.all(
    missing.map(async ([module, name]) => {
      try {
        await loadModule(module);
      } catch (cause) {
        throw notFound(module, name, 'its module failed to load', cause);
      }
      if (!byKey.has(`${module}#${name}`)) throw notRegistered(module, name);
    }),
  ).then(() => undefined);
}

const require = createRequire(import.meta.url);

// Node >= 20.19 can require() an ES module that has no top-level await, into
// the same module map as import() (so the class is the one import() gives).
// A TypeScript module under tsx cannot be loaded that way.
function requireSync(module: string, name: string): void {
  let path: string;
  try {
    path = fileURLToPath(module);
  } catch (cause) {
    throw notFound(module, name, 'it is not loaded in this thread', cause);
  }
  if (!/\.[cm]?js$/.test(path) || process.features.require_module !== true) {
    throw notFound(
      module,
      name,
      'it is not loaded in this thread, and a blocking receive (getSync) cannot import a module: import it in this thread first, or receive with the async form (await get())',
    );
  }
  try {
    require(path);
  } catch (cause) {
    throw notFound(module, name, 'its module failed to load', cause);
  }
}

function notRegistered(module: string, name: string): Error {
  return notFound(
    module,
    name,
    `the module loaded but registers no class by that name: call registerClass(${name}, import.meta.url) at its top level`,
  );
}

function notFound(module: string, name: string, why: string, cause?: unknown): Error {
  return codedError(
    TypeError,
    'ERR_CLASS_NOT_FOUND',
    `Received an instance of class \`${name}\` of ${module}, but ${why}`,
    cause === undefined ? undefined : { cause },
  );
}
