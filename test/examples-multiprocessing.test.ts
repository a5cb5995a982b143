// Runs the multiprocessing examples (examples/mp-*.ts: ports of seeds 003
// and 004) as their own programs, as a user would (under the tsx preload),
// and checks what they print. A child's lines reach the parent's stdout in
// the child's order, but two children's lines interleave in no fixed order:
// each process's lines are checked in order, main's lines in order.
// Needs `npm run build` first (examples import weft through its exports map).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { grab, runExample } from './helpers/examples.js';
import type { Run } from './helpers/examples.js';

const checks: Record<string, (r: Run) => void> = {
  'mp-value'({ lines }) {
    assert.deepEqual(
      lines.filter((l) => l.startsWith('--') || l.startsWith('In main')),
      [
        "-- a plain object is copied into each process (the seed's Process example)",
        'In main: value = 100',
        "-- a weft/multiprocessing Value is shared by the processes (the seed's Value example)",
        'In main: value = 1234',
      ],
    );
    const foos = [...new Set(grab(lines, /^In foo\[(Process-\d+)\]/))];
    const bars = [...new Set(grab(lines, /^In bar\[(Process-\d+)\]/))];
    assert.equal(foos.length, 2);
    assert.equal(bars.length, 2);
    for (const foo of foos) {
      assert.deepEqual(grab(lines, new RegExp(`^In foo\\[${foo}\\]: (.*)$`)), [
        'value = 100',
        'value is set to 1234',
      ]);
    }
    // The first bar's copy never changes; the second bar sees foo's write to the Value.
    assert.deepEqual(grab(lines, new RegExp(`^In bar\\[${bars[0]}\\]: value = (\\d+)$`)), [
      '100',
      '100',
    ]);
    assert.deepEqual(grab(lines, new RegExp(`^In bar\\[${bars[1]}\\]: value = (\\d+)$`)), [
      '100',
      '1234',
    ]);
    assert.equal(lines.length, 12);
  },

  'mp-buffer'({ lines }) {
    assert.deepEqual(
      lines.filter((l) => !l.startsWith('In main') && !l.startsWith('String')).sort(),
      ["In bar[Process-2]: value = b'hello@world'", "In foo[Process-1]: array = b'hello@world'"],
    );
    assert.deepEqual(lines.slice(-2), [
      'In main: value = <Array(i, [72, 69, 76, 76, 79, 10, 87, 79, 82, 76, 68])>',
      "String = b'HELLO\\nWORLD'",
    ]);
    assert.equal(lines.length, 4);
  },

  'mp-manager-dict'({ lines }) {
    assert.deepEqual(
      lines.map((l) => l.replace(/\[Process-\d+\]/, '[P]')),
      [
        'In foo[P]: d contains {"name":"Jones","role":"Developer","place":"Hyderabad"}',
        'In main (watching): d contains {"name":"Smith","role":"Developer","place":"Hyderabad","country":"India"}',
        'In bar[P]: d  contains {"name":"Smith","role":"Developer","place":"Hyderabad","country":"India"}',
        'In main: contents of d = {"name":"Smith","place":"Hyderabad","country":"India"}',
        'In main: d = <dict proxy 1>',
      ],
    );
  },

  'mp-share-data'({ lines }) {
    // Each `+=` holds the lock: nothing is lost, so the totals are exact.
    assert.deepEqual(lines, [
      'Value at beginning: 0',
      'Array at beginning: [0, 100, 200]',
      'Value at end: 200',
      'Array at end: [200, 300, 400]',
      'end main',
    ]);
  },
};

test('every multiprocessing example has a check', () => {
  const examples = readdirSync(new URL('../examples/', import.meta.url))
    .filter((f) => /^mp-.*\.ts$/.test(f))
    .map((f) => f.slice(0, -3))
    .sort();
  assert.deepEqual(examples, Object.keys(checks).sort());
});

// One at a time, with a longer deadline: each starts child processes (a Node
// start-up each, under the TypeScript loader) that make many blocking calls.
test('multiprocessing examples run and print what their seeds print', async (t) => {
  for (const [name, check] of Object.entries(checks)) {
    await t.test(name, async () => check(await runExample(name, { timeout: 180_000 })));
  }
});
