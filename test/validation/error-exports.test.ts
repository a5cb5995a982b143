// Every module's entry point exports the error classes its methods throw, so
// `instanceof` works with one import: `import { QueueFull } from 'weft/queue'`.
// The classes a module's sources construct (`new X(`) are found by reading
// them; every entry point also exports the base classes that shared code
// (the shareable codec, layouts, timeouts) throws everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as weft from '../../src/index.js';
import * as threading from '../../src/threading/index.js';
import * as shared from '../../src/shared/index.js';
import * as queue from '../../src/queue/index.js';
import * as futures from '../../src/futures/index.js';
import * as asyncio from '../../src/asyncio/index.js';
import * as green from '../../src/green/index.js';
import * as multiprocessing from '../../src/multiprocessing/index.js';

const srcDir = fileURLToPath(new URL('../../src/', import.meta.url));

const modules: Record<string, Record<string, unknown>> = {
  threading,
  shared,
  queue,
  futures,
  asyncio,
  green,
  multiprocessing,
};
const entryPoints: Record<string, Record<string, unknown>> = { ...modules, weft };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const isErrorClass = (v: unknown): v is new (...args: never[]) => Error =>
  typeof v === 'function' && v.prototype instanceof Error;

// Every public error class, by name, from any entry point; one class per name.
const errorClasses = new Map<string, unknown>();
for (const [name, exports] of Object.entries(entryPoints)) {
  for (const [key, value] of Object.entries(exports)) {
    if (!isErrorClass(value)) continue;
    const known = errorClasses.get(key);
    assert.ok(known === undefined || known === value, `two classes named ${key} (${name})`);
    errorClasses.set(key, value);
  }
}

test('every entry point exports the base error classes', () => {
  for (const [name, exports] of Object.entries(entryPoints)) {
    for (const base of ['WeftError', 'StateError', 'TimeoutError']) {
      assert.equal(exports[base], entryPoints['weft']![base], `weft/${name} exports ${base}`);
    }
  }
});

test("every module's entry point exports each error class its sources throw", () => {
  const missing: string[] = [];
  for (const [name, exports] of Object.entries(modules)) {
    const thrown = new Set<string>();
    for (const file of sources(join(srcDir, name))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bnew ([A-Z]\w*)\(/g)) {
        if (errorClasses.has(m[1]!)) thrown.add(m[1]!);
      }
    }
    for (const cls of thrown) {
      // weft/asyncio's Timeout is its own (a context, not weft/green's error).
      if (exports[cls] !== undefined && !isErrorClass(exports[cls])) continue;
      if (exports[cls] !== errorClasses.get(cls)) missing.push(`weft/${name}: ${cls}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('the errors of weft/queue and weft/shared, imported from their entry points', () => {
  assert.equal(queue.QueueEmpty, asyncio.QueueEmpty);
  assert.equal(queue.QueueFull, asyncio.QueueFull);
  assert.equal(queue.QueueShutDown, asyncio.QueueShutDown);
  assert.ok(isErrorClass(queue.QueueMemoryError));
  assert.ok(new queue.QueueMemoryError('ERR_QUEUE_MEMORY', 'x') instanceof queue.StateError);
  assert.equal(shared.StateError, weft.StateError);
  assert.equal(weft.CancelledError, asyncio.CancelledError);
});
