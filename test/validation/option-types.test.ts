// One set of option types (src/internal/options.ts): each shared name is
// declared once and re-exported, and options that mean something else have
// names of their own (weft/futures' `WaitFuturesOptions`, weft/green's
// `GreenWaitOptions`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as weft from '../../src/index.js';
import type * as threading from '../../src/threading/index.js';
import type * as asyncio from '../../src/asyncio/index.js';
import type * as queue from '../../src/queue/index.js';
import type * as futures from '../../src/futures/index.js';
import type * as green from '../../src/green/index.js';
import type * as multiprocessing from '../../src/multiprocessing/index.js';

const srcDir = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const SHARED = [
  'WaitOptions',
  'WaitSyncOptions',
  'AcquireOptions',
  'AcquireSyncOptions',
  'QueueWaitOptions',
  'QueueWaitSyncOptions',
];

test('each shared option type is declared once, in internal/options.ts', () => {
  const declared: string[] = [];
  const pattern = new RegExp(`\\binterface (${SHARED.join('|')})\\b`, 'g');
  for (const file of sources(srcDir)) {
    for (const m of readFileSync(file, 'utf8').matchAll(pattern)) {
      declared.push(`${relative(srcDir, file)}: ${m[1]}`);
    }
  }
  assert.deepEqual(declared.sort(), SHARED.map((name) => `internal/options.ts: ${name}`).sort());
});

// Type-level: the same declaration under every module's name (a change that
// forks one fails to compile), and the distinct meanings under distinct names.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// All their members are optional, so any two are assignable: compare members too.
type Same<A, B> = Equal<A, B> extends true ? Equal<keyof A, keyof B> : false;
const same: [
  Same<threading.WaitOptions, asyncio.WaitOptions>,
  Same<threading.WaitOptions, weft.WaitOptions>,
  Same<threading.WaitOptions, futures.FutureWaitOptions>,
  Same<queue.QueueWaitOptions, asyncio.QueueWaitOptions>,
  Same<queue.QueueWaitOptions, multiprocessing.QueueProxyWaitOptions>,
  Same<threading.AcquireOptions, asyncio.AcquireOptions>,
  Same<futures.WaitFuturesOptions, threading.WaitOptions>,
  Same<green.GreenWaitOptions, threading.WaitOptions>,
] = [true, true, true, true, true, true, false, false];

test('the shared names are one type; the other meanings have other names', () => {
  assert.deepEqual(same, [true, true, true, true, true, true, false, false]);
});
