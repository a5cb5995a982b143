// The receiving side of task-ref.ts: turns a TaskSpec back into a function
// inside a worker thread or child process.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TaskSpec } from './task-ref.js';

type Fn = (...args: unknown[]) => unknown;

const compiled = new Map<string, Fn>();

/** Resolves a task spec to the function it names (importing its module once). */
export async function loadTask(spec: TaskSpec): Promise<Fn> {
  if ('source' in spec) return compileInline(spec.source);
  const mod = await loadModule(spec.module);
  const fn = mod[spec.name];
  if (typeof fn !== 'function') {
    throw new TypeError(`Module ${spec.module} has no function export named \`${spec.name}\``);
  }
  return fn as Fn;
}

/** Imports a module that a task reference (or a Thread subclass) names, TypeScript included. */
export async function loadModule(url: string): Promise<Record<string, unknown>> {
  if (TS_EXT.test(new URL(url).pathname)) await ensureTypeScriptLoader(url);
  return (await import(url)) as Record<string, unknown>;
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
let tsLoader: Promise<void> | undefined;

// Node 20 runs `--import tsx` only on the main thread, so a worker cannot
// import a .ts module even when the program runs under tsx. Registering tsx's
// hooks from inside the worker fixes that; registering twice is harmless.
function ensureTypeScriptLoader(moduleUrl: string): Promise<void> {
  return (tsLoader ??= (async () => {
    const bases = [moduleUrl, pathToFileURL(join(process.cwd(), 'x')).href, import.meta.url];
    for (const base of bases) {
      let pkg: string;
      try {
        pkg = createRequire(base).resolve('tsx/package.json');
      } catch {
        continue;
      }
      const exports = (
        JSON.parse(readFileSync(pkg, 'utf8')) as {
          exports: Record<string, { import: { default: string } }>;
        }
      ).exports;
      const entry = exports['./esm/api']?.import.default;
      if (entry === undefined) continue;
      const api = (await import(pathToFileURL(join(dirname(pkg), entry)).href)) as {
        register: () => void;
      };
      api.register();
      return;
    }
    throw new Error(
      `Cannot load the TypeScript module ${moduleUrl} in a thread: install tsx (npm i -D tsx) or point to the compiled .js file`,
    );
  })());
}
