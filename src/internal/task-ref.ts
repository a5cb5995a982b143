// Code that crosses into a thread: either a reference to a module export
// (`tasks<typeof import('./work.js')>(url).gcd`), typed from the module, or a
// self-contained inline function, sent as source text and compiled again in
// the thread. An inline function keeps no closure, so its free variables are
// checked here, in the sending thread, where the mistake can be named.

import { createRequire } from 'node:module';
import type * as Acorn from 'acorn';
import type * as EslintScope from 'eslint-scope';
import { registerShareable, SHARE } from './codec.js';
import { argTypeError, codedError, describe } from './errors.js';
import { globalSlot, TASK_REFS_KEY } from './globals.js';

/** Any function a task may be. */
export type AnyFunction = (...args: never[]) => unknown;

declare const FN: unique symbol;

/**
 * A reference to a function exported by a module, made by {@link tasks}.
 * It crosses threads as the module's URL and the export's name; `F` is the
 * function's type, so `Thread` and executors type arguments and results.
 */
export interface TaskRef<F extends AnyFunction = AnyFunction> {
  /** Marks a task reference. */
  readonly kind: 'weft.task';
  /** The module's absolute URL. */
  readonly module: string;
  /** The export's name. */
  readonly name: string;
  /** Phantom: the function's type (never present at run time). */
  readonly [FN]?: F;
}

/** A task reference or a self-contained function. */
export type Target<F extends AnyFunction = AnyFunction> = F | TaskRef<F>;

/** Every function export of module `M`, as task references. */
export type TaskModule<M> = {
  readonly [K in keyof M as M[K] extends AnyFunction ? K : never]: M[K] extends AnyFunction
    ? TaskRef<M[K]>
    : never;
};

/** The function type behind a target. */
export type FunctionOf<T> = T extends TaskRef<infer F> ? F : T extends AnyFunction ? T : never;

/** What crosses into a thread to say which code to run. */
export type TaskSpec =
  | { readonly module: string; readonly name: string }
  | { readonly source: string; readonly name: string };

/**
 * References the exports of a module so they can run in other threads,
 * typed from the module itself.
 *
 * @param url - The module's URL, usually `new URL('./work.js', import.meta.url)`.
 * @returns An object whose properties are task references, one per function export.
 * @example
 * ```ts
 * import { Thread, tasks } from 'weft/threading';
 * const work = tasks<typeof import('./work.js')>(new URL('./work.js', import.meta.url));
 * const t = new Thread({ target: work.crunch, args: [42] });
 * ```
 */
export function tasks<M>(url: string | URL): TaskModule<M> {
  let href: string;
  try {
    href = new URL(url).href;
  } catch {
    throw argTypeError(
      `Expected \`url\` to be an absolute URL such as new URL('./work.js', import.meta.url), got ${describe(url)}`,
    );
  }
  const cache = new Map<string, TaskRef>();
  return new Proxy({} as TaskModule<M>, {
    get(_, name) {
      // Not a thenable, not a symbol-keyed protocol: only string names are exports.
      if (typeof name !== 'string' || name === 'then') return undefined;
      let ref = cache.get(name);
      if (ref === undefined) {
        ref = makeTaskRef(href, name);
        cache.set(name, ref);
      }
      return ref;
    },
  });
}

// Task references are recognised by identity, never by shape: a plain object
// `{ kind: 'weft.task', module, name }` in user data is only data. The set
// lives on globalThis so two copies of weft in one thread (src/ and dist/)
// accept each other's references. A reference crossing a thread travels out
// of band, as a shareable (see codec.ts), and is branded again on arrival.
const brand = globalSlot(TASK_REFS_KEY, () => new WeakSet<object>());

function makeTaskRef(module: string, name: string): TaskRef {
  const ref = { kind: 'weft.task', module, name } as TaskRef;
  Object.defineProperty(ref, SHARE, {
    value: () => ({ tag: 'weft.task', state: [module, name] }),
  });
  Object.freeze(ref);
  brand.add(ref);
  return ref;
}

registerShareable('weft.task', (state) => {
  const [module, name] = state as [string, string];
  return makeTaskRef(module, name);
});

/** Whether `value` is a task reference made by {@link tasks} (in this thread or sent here by weft). */
export function isTaskRef(value: unknown): value is TaskRef {
  return typeof value === 'object' && value !== null && brand.has(value);
}

/**
 * Turns a target into what crosses the thread boundary, checking an inline
 * function for captured variables.
 *
 * @param role - How the error message names the argument, e.g. "Thread `target`".
 */
export function toTaskSpec(target: unknown, role: string): TaskSpec {
  if (isTaskRef(target)) return { module: target.module, name: target.name };
  if (typeof target === 'function')
    return { source: inlineSource(target, role), name: target.name };
  throw argTypeError(
    `Expected ${role} to be a task reference (tasks(url).name) or a function, got ${describe(target)}`,
  );
}

const checked = new Map<string, string>();
const require = createRequire(import.meta.url);
// esbuild-based loaders (tsx) wrap named functions in `__name(fn, "name")`.
const LOADER_HELPERS = new Set(['__name']);

function inlineSource(fn: object, role: string): string {
  const text = Function.prototype.toString.call(fn);
  const hit = checked.get(text);
  if (hit !== undefined) return hit;
  const label = `${role} (${(fn as { name?: string }).name || 'anonymous function'})`;
  if (text.endsWith('{ [native code] }')) {
    throw codedError(
      TypeError,
      'ERR_INVALID_ARG_VALUE',
      `${label} is a native or bound function, which cannot cross into a thread; use a module export with tasks(url)`,
    );
  }
  if (text.startsWith('class')) {
    throw codedError(TypeError, 'ERR_INVALID_ARG_VALUE', `${label} is a class; pass a function`);
  }
  const acorn = require('acorn') as typeof Acorn;
  const scope = require('eslint-scope') as typeof EslintScope;
  let expression = `(${text})`;
  let ast: Acorn.Program;
  try {
    ast = acorn.parse(expression, { ecmaVersion: 'latest', ranges: true });
  } catch {
    // Method shorthand (`name() {}`) is not an expression on its own.
    expression = `Object.values({${text}})[0]`;
    try {
      ast = acorn.parse(expression, { ecmaVersion: 'latest', ranges: true });
    } catch (cause) {
      throw codedError(
        TypeError,
        'ERR_INVALID_ARG_VALUE',
        `${label}: its source cannot be parsed to send it to a thread`,
        { cause },
      );
    }
  }
  const manager = scope.analyze(ast as never, { ecmaVersion: 2022 });
  const free = new Set<string>();
  for (const ref of manager.globalScope?.through ?? []) {
    const name = ref.identifier.name;
    if (!(name in globalThis) && !LOADER_HELPERS.has(name) && name !== 'Object') free.add(name);
  }
  if (free.size > 0) {
    const names = [...free].map((n) => `\`${n}\``).join(', ');
    throw codedError(
      TypeError,
      'ERR_INLINE_CAPTURE',
      `${label} uses ${names}, defined outside it. A function that crosses into a thread keeps no outer variables: ` +
        `pass them as arguments, import them inside it with \`await import()\`, or export it from a module and use tasks(url)`,
    );
  }
  checked.set(text, expression);
  return expression;
}
