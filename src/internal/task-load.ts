// The receiving side of task-ref.ts: turns a TaskSpec back into a function
// inside a worker thread or child process. Also decides whether a thread
// must load TypeScript the way its parent does (the parent runs under tsx),
// and turns a task module that cannot be found or parsed into an error that
// names the module and the line, instead of weft's own chunk.

import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, workerData } from 'node:worker_threads';
import type * as Acorn from 'acorn';
import { codedError } from './errors.js';
import { readGlobal, TSX_CJS_LOADERS_KEY, TSX_REGISTERED_KEY, writeGlobal } from './globals.js';
import type { TaskSpec } from './task-ref.js';

type Fn = (...args: unknown[]) => unknown;

const compiled = new Map<string, Fn>();

/** Resolves a task spec to the function it names (importing its module once). */
export async function loadTask(spec: TaskSpec): Promise<Fn> {
  if ('source' in spec) return compileInline(spec.source);
  const mod = await loadModule(spec.module);
  const fn = mod[spec.name];
  if (typeof fn !== 'function') {
    throw codedError(
      TypeError,
      'ERR_TASK_NOT_EXPORTED',
      `Module ${spec.module} has no function export named \`${spec.name}\``,
    );
  }
  return fn as Fn;
}

/** Imports a module that a task reference (or a Thread subclass) names, TypeScript included. */
export async function loadModule(url: string): Promise<Record<string, unknown>> {
  if (needsTypeScriptLoader(url)) await ensureTypeScriptLoader(url);
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw explainLoadError(error, url);
  }
}

/** Compiles the source of a checked inline function, synchronously. */
export function compileInline(source: string): Fn {
  let fn = compiled.get(source);
  if (fn === undefined) {
    // Indirect eval: global scope, no access to this module's variables.
    // `__name` stands in for the helper esbuild-based loaders insert.
    fn = (0, eval)(
      `(function () { var __name = function (f) { return f; }; return ${source}; })()`,
    ) as Fn;
    compiled.set(source, fn);
  }
  return fn;
}

const TS_EXT = /\.[cm]?tsx?$/;
const JS_EXT = /\.[cm]?js$/;
/** The key under which a parent passes {@link typeScriptLoader} to the workers it starts. */
export const LOADER_KEY = 'weftTsx';

/**
 * The URL of tsx's ESM API when this thread runs under tsx (`tsx main.ts`,
 * `node --import tsx`, a parent thread that did), else `undefined`. Workers
 * started by weft receive it in their `workerData` under {@link LOADER_KEY},
 * so that they register the same tsx before importing a task module.
 */
export function typeScriptLoader(): string | undefined {
  if (detected === undefined) detected = detectTypeScriptLoader() ?? null;
  return detected ?? undefined;
}
let detected: string | null | undefined;

function detectTypeScriptLoader(): string | undefined {
  const inherited = (workerData as Record<string, unknown> | null | undefined)?.[LOADER_KEY];
  if (typeof inherited === 'string') return inherited;
  const argv = [...process.execArgv, ...splitOptions(process.env['NODE_OPTIONS'] ?? '')];
  for (const preload of preloads(argv)) {
    if (!/(^|[/\\@])tsx([/\\]|$)|register-tsx/.test(preload)) continue;
    // A path or URL: resolve tsx from it (tsx's own files reach tsx by
    // self-reference, so `npx tsx` works without tsx in the project); a bare
    // name (`--import tsx`) is resolved from the working directory, as Node did.
    let base: string;
    if (/^file:/.test(preload)) base = preload;
    else if (/^\.{0,2}[/\\]/.test(preload)) base = pathToFileURL(join(process.cwd(), preload)).href;
    else if (/^[/\\]|^[A-Za-z]:[/\\]/.test(preload)) base = pathToFileURL(preload).href;
    else base = pathToFileURL(join(process.cwd(), 'x')).href;
    const api = tsxApi(base) ?? tsxApi(pathToFileURL(join(process.cwd(), 'x')).href);
    if (api === undefined) continue;
    // Preloads run on a process's main thread only (Node 20): there tsx's
    // hooks are already in place, and registering them again costs its start.
    if (isMainThread) writeGlobal(TSX_REGISTERED_KEY, true);
    return api;
  }
  // tsx registered some other way (its `register()` API, `tsx/cjs`).
  const cjsLoaders = readGlobal(TSX_CJS_LOADERS_KEY);
  if (typeof cjsLoaders === 'number' && cjsLoaders > 0)
    return tsxApi(pathToFileURL(join(process.cwd(), 'x')).href);
  return undefined;
}

/** The values of `--import`, `--require`, `--loader` in a Node argv. */
function preloads(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^(--import|--require|-r|--loader|--experimental-loader)(?:=(.*))?$/.exec(argv[i]!);
    if (m === null) continue;
    const value = m[2] ?? argv[++i];
    if (value !== undefined) out.push(value);
  }
  return out;
}

/** NODE_OPTIONS split as Node splits it: on spaces, double quotes group. */
function splitOptions(text: string): string[] {
  return [...text.matchAll(/"((?:\\.|[^"])*)"|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!,
  );
}

/** tsx's ESM API module as resolved from `base`, or undefined. */
function tsxApi(base: string): string | undefined {
  let pkg: string;
  try {
    pkg = createRequire(base).resolve('tsx/package.json');
  } catch {
    return undefined;
  }
  try {
    const exports = (
      JSON.parse(readFileSync(pkg, 'utf8')) as {
        exports?: Record<string, { import?: { default?: string } } | string>;
      }
    ).exports;
    const entry = exports?.['./esm/api'];
    const file = typeof entry === 'object' ? entry.import?.default : undefined;
    return file === undefined ? undefined : pathToFileURL(join(dirname(pkg), file)).href;
  } catch {
    return undefined;
  }
}

/**
 * Whether importing `moduleUrl` needs tsx's hooks in this thread: a
 * TypeScript URL; any module when the program runs under tsx (so `./work.js`
 * finds `work.ts`, and tsconfig `paths` resolve, as on the main thread),
 * except a built dependency; or a `.js` URL whose file is missing but whose
 * `.ts` sibling exists (a loader weft does not know ran the parent).
 */
function needsTypeScriptLoader(moduleUrl: string): boolean {
  // First: finding the loader may find it already registered in this thread.
  const underTsx = typeScriptLoader() !== undefined;
  if (readGlobal(TSX_REGISTERED_KEY) === true) return false;
  const url = new URL(moduleUrl);
  if (TS_EXT.test(url.pathname)) return true;
  if (url.protocol !== 'file:') return underTsx;
  const path = fileURLToPath(url);
  if (underTsx) {
    return !(JS_EXT.test(path) && /[/\\]node_modules[/\\]/.test(path) && existsSync(path));
  }
  return JS_EXT.test(path) && !existsSync(path) && tsSibling(path) !== undefined;
}

function tsSibling(jsPath: string): string | undefined {
  const stem = jsPath.replace(JS_EXT, '');
  const ts = jsPath.endsWith('.mjs') ? '.mts' : jsPath.endsWith('.cjs') ? '.cts' : '.ts';
  return [`${stem}${ts}`, `${stem}.tsx`].find((p) => existsSync(p));
}

let tsLoader: Promise<void> | undefined;

// Node 20 runs `--import tsx` only on the main thread, so a worker cannot
// import a .ts module even when the program runs under tsx. Registering tsx's
// hooks from inside the worker fixes that, at the cost of starting tsx in
// the thread (~0.3 s of CPU): the price of running TypeScript sources, which
// a built program (`tsc`, then `node main.js`) does not pay.
function ensureTypeScriptLoader(moduleUrl: string): Promise<void> {
  return (tsLoader ??= (async () => {
    const known = typeScriptLoader();
    const bases = [moduleUrl, pathToFileURL(join(process.cwd(), 'x')).href, import.meta.url];
    const apis = [known, ...bases.map(tsxApi)].filter((a): a is string => a !== undefined);
    const api = apis[0];
    if (api === undefined) {
      const error = new Error(
        `Cannot load the TypeScript module ${moduleUrl} in a thread: install tsx (npm i -D tsx) and run the program with it, or point to the compiled .js file`,
      );
      Object.defineProperty(error, 'code', { value: 'ERR_TS_LOADER_MISSING', enumerable: true });
      throw error;
    }
    const { register } = (await import(api)) as { register: () => void };
    register();
    writeGlobal(TSX_REGISTERED_KEY, true);
  })());
}

/**
 * Rewrites an import failure of a task module so it names the user's file:
 * Node's message names the importer, which is a chunk of weft, and a
 * `SyntaxError` from V8 carries no file or line at all.
 */
function explainLoadError(error: unknown, moduleUrl: string): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  let path: string | undefined;
  try {
    path = fileURLToPath(moduleUrl);
  } catch {
    return error;
  }
  if (code === 'ERR_MODULE_NOT_FOUND' && error.message.includes(path)) {
    const sibling = JS_EXT.test(path) ? tsSibling(path) : undefined;
    const hint =
      sibling === undefined
        ? ''
        : ` (${sibling} exists: run the program under tsx, or build it and point to the output)`;
    const e = new Error(`Cannot find task module ${path}${hint}`, { cause: error });
    Object.defineProperty(e, 'code', { value: 'ERR_MODULE_NOT_FOUND', enumerable: true });
    e.stack = `Error [ERR_MODULE_NOT_FOUND]: ${e.message}`;
    return e;
  }
  if (error instanceof SyntaxError && !/:\d+/.test(error.message)) {
    const at = JS_EXT.test(path) ? locateSyntaxError(path) : undefined;
    if (at === undefined) {
      error.message = `${error.message} (in task module ${path} or a module it imports)`;
    } else {
      error.message = `${error.message} (${at.where}${at.newer ? '; this syntax needs a newer Node.js' : ''})`;
      error.stack = `${at.where}\n${at.excerpt}\n\n${error.name}: ${error.message}`;
    }
  }
  return error;
}

/** Where a task module fails to parse, found by acorn (V8's SyntaxError has no position). */
function locateSyntaxError(
  path: string,
): { where: string; excerpt: string; newer: boolean } | undefined {
  let source: string;
  let acorn: typeof Acorn;
  try {
    source = readFileSync(path, 'utf8');
    acorn = createRequire(import.meta.url)('acorn') as typeof Acorn;
  } catch {
    return undefined;
  }
  // 'latest' first; if acorn accepts what V8 refused, the module uses syntax
  // newer than this Node (e.g. `using` on Node 20), which ES2023 pinpoints.
  for (const ecmaVersion of ['latest', 2023] as const) {
    try {
      acorn.parse(source, { ecmaVersion, sourceType: 'module', allowHashBang: true });
    } catch (e) {
      const loc = (e as { loc?: { line: number; column: number } }).loc;
      if (loc === undefined) return undefined;
      const line = source.split(/\r?\n/)[loc.line - 1] ?? '';
      return {
        where: `${path}:${loc.line}:${loc.column + 1}`,
        excerpt: `${line}\n${' '.repeat(loc.column)}^`,
        newer: ecmaVersion !== 'latest',
      };
    }
  }
  return undefined;
}
