// DESIGN.md's layer rule is a check (scripts/check-layers.mjs, run by
// `npm run lint`): it passes on src/ and fails on planted violations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain script without type declarations.
import { violations as check } from '../../scripts/check-layers.mjs';

const violations = check as (root: string) => string[];

test('src/ keeps the layer rule', () => {
  assert.deepEqual(violations('src'), []);
});

test('an upward import, an import of an entry, and asyncio importing threading are each reported', () => {
  const root = mkdtempSync(join(tmpdir(), 'weft-layers-'));
  try {
    const write = (path: string, text: string): void => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('threading/thread.ts', 'export class Thread {}\n');
    write('futures/entry/worker.ts', "import '../pool.js';\n");
    write('futures/pool.ts', "import { Thread } from '../threading/thread.js';\n");
    write('internal/codec.ts', "import {\n  Thread,\n} from '../threading/thread.js';\n");
    write('queue/queue.ts', "export type W = typeof import('../futures/entry/worker.js');\n");
    write('asyncio/lock.ts', "import type { Thread } from '../threading/thread.js';\n");
    const found = violations(root);
    assert.equal(found.length, 3, found.join('\n'));
    assert.match(found.join('\n'), /internal\/codec\.ts imports threading\/thread\.ts/);
    assert.match(found.join('\n'), /queue\/queue\.ts imports futures\/entry\/worker\.ts/);
    assert.match(found.join('\n'), /asyncio\/lock\.ts imports threading\/thread\.ts/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
