// Runs the in-thread examples (examples/asyncio-*.ts and examples/green-*.ts)
// as their own programs, as a user would (under the tsx preload), and checks
// what they print against their seeds. Everything here runs in one thread,
// so the order is deterministic and checked exactly, except for times and
// the seeds' deliberately random parts.
// Needs `npm run build` first (examples import weft through its exports map).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { runExample } from './helpers/examples.js';
import type { Run } from './helpers/examples.js';

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
const counting = (name: string, n: number): string[] =>
  range(n).map((i) => `${name}: counting ${i}`);
const alternate = (a: readonly string[], b: readonly string[]): string[] =>
  range(Math.max(a.length, b.length)).flatMap((i) => [a[i], b[i]].filter((x) => x !== undefined));
/** The number in `line` after `prefix`, failing if the line does not match. */
function numberAfter(line: string | undefined, prefix: string): number {
  assert.ok(
    line?.startsWith(prefix) === true,
    `expected a line starting with "${prefix}", got "${line}"`,
  );
  const n = Number(line.slice(prefix.length).trim().split(' ')[0]);
  assert.ok(Number.isFinite(n), `no number in "${line}"`);
  return n;
}

const checks: Record<string, (r: Run) => void> = {
  'asyncio-call-soon'({ lines }) {
    assert.deepEqual(lines, [
      'entering event loop',
      'registering callbacks',
      'callback invoked with 1 and default',
      'callback invoked with 2 and not default',
      'closing event loop',
    ]);
  },

  'asyncio-call-later'({ lines }) {
    assert.deepEqual(lines, [
      'entering event loop',
      'registering callbacks',
      'callback 3 invoked',
      'callback 2 invoked',
      'callback 1 invoked',
      'closing event loop',
    ]);
  },

  'asyncio-call-at'({ lines }) {
    assert.equal(lines[0], 'entering event loop');
    const clock = numberAfter(lines[1], 'clock time:');
    assert.ok(Math.abs(clock - Date.now() / 1000) < 120, 'clock time is the wall clock in seconds');
    const now = numberAfter(lines[2], 'loop time:');
    assert.equal(lines[3], 'registering callbacks');
    // Each callback runs no earlier than its time: soon, now + 100, now + 200.
    const at3 = numberAfter(lines[4], 'callback 3 invoked at');
    const at2 = numberAfter(lines[5], 'callback 2 invoked at');
    const at1 = numberAfter(lines[6], 'callback 1 invoked at');
    assert.ok(at3 >= now && at2 >= now + 100 - 0.001 && at1 >= now + 200 - 0.001, lines.join('\n'));
    assert.equal(lines[7], 'closing event loop');
    assert.equal(lines.length, 8);
  },

  'asyncio-gather'({ lines }) {
    assert.deepEqual(lines, alternate(counting('foo', 10), counting('bar', 10)));
  },

  'asyncio-coroutines'({ lines }) {
    assert.deepEqual(lines, [
      'Received  First',
      'Received  Second',
      '4',
      '4',
      '-1',
      'In total...',
      'total(): waiting for input...',
      'total(): got 10',
      'total(): yielding out 10',
      'total(): waiting for input...',
    ]);
  },

  'asyncio-generators'({ lines }) {
    assert.deepEqual(lines, ['0', '1', '1', '2', '3', '5', '8', '13', '21', '34']);
  },

  'asyncio-generator-scheduler'({ lines }) {
    assert.deepEqual(lines, [
      ...alternate(counting('foo', 5), counting('bar', 5)),
      ...counting('foo', 10).slice(5),
    ]);
  },

  'green-switch'({ lines }) {
    assert.deepEqual(lines, [
      'Running in foo',
      'Explicit context switch to bar',
      'Explicit context switch to foo again',
      'Implicit context switch back to bar',
      '>>  foo',
      '>>  bar',
      '<<  foo',
      '<<  bar',
    ]);
  },

  'green-counting'({ lines }) {
    assert.match(
      lines[0] ?? '',
      /^<Greenlet "Greenlet-\d+": foo\(\)> <Greenlet "Greenlet-\d+": bar\(\)>$/,
    );
    assert.deepEqual(lines.slice(1), alternate(counting('foo', 10), counting('bar', 10)));
  },

  'green-random'({ lines }) {
    assert.equal(lines[0], 'Synchronous');
    assert.deepEqual(
      lines.slice(1, 10),
      range(9, 1).map((i) => `task ${i} done`),
    );
    numberAfter(lines[10], '__main__.synchronous :');
    assert.equal(lines[11], 'Async');
    // Random sleeps: any order, each task once.
    assert.deepEqual(
      lines.slice(12, 22).sort(),
      range(10).map((i) => `task ${i} done`),
    );
    numberAfter(lines[22], '__main__.asynchronous :');
    assert.equal(lines.length, 23);
  },

  'green-select'({ lines }) {
    assert.deepEqual(
      lines.slice(0, 3).map((l) => l.replace(/at [\d.]+ seconds/, 'at T')),
      [
        'Started Polling: at T',
        'Started Polling: at T',
        'Hey lets do some stuff while the greenlets poll, at T',
      ],
    );
    for (const line of lines.slice(0, 3)) assert.ok(numberAfter(line.split(' at ')[1], '') < 1);
    assert.equal(lines.length, 5);
    for (const line of lines.slice(3)) {
      // Each poll ended by its 2 s timeout, no sooner.
      assert.ok(numberAfter(line, 'Ended Polling: at') >= 2, line);
    }
  },

  'green-requests'({ lines: raw }) {
    const lines = raw.map((l) => l.trimEnd()); // the seed prints two trailing spaces
    assert.equal(lines[0], 'Synchronous');
    assert.deepEqual(
      lines.slice(1, 10),
      range(9, 1).map((i) => `Process ${i}: Hello python`),
    );
    const sync = numberAfter(lines[10], '__main__synchronous :');
    assert.equal(lines[11], 'Asynchronous');
    assert.deepEqual(
      lines.slice(12, 21).sort(),
      range(9, 1).map((i) => `Process ${i}: Hello python`),
    );
    const async = numberAfter(lines[21], '__main__asynchronous :');
    // Nine 100 ms requests one after the other, then all at once.
    assert.ok(sync >= 0.9, `synchronous took ${sync} s`);
    // About 0.15 s against 0.95 s on a quiet machine; the bound allows for a loaded one.
    assert.ok(async >= 0.1 && async < sync, `asynchronous took ${async} s, synchronous ${sync} s`);
    assert.equal(lines.length, 22);
  },

  'green-spawn'({ lines }) {
    assert.deepEqual(lines, ['<Greenlet "Greenlet-0": <anonymous>(1, 2, 3)>', 'hello']);
  },

  'green-vs-processes'({ lines }) {
    assert.equal(lines[0], 'weft/green Pool true');
    // Processes race: the four orders need not be equal (Python prints False).
    assert.match(lines[1] ?? '', /^weft\/multiprocessing Pool (true|false)$/);
    const runs = (lines[2] ?? '').replace('process runs: ', '').split(' | ');
    assert.equal(runs.length, 4);
    for (const r of runs) {
      assert.deepEqual(
        r
          .split(' ')
          .map(Number)
          .sort((a, b) => a - b),
        range(10),
      );
    }
    assert.equal(
      lines[1]?.endsWith('true'),
      runs.every((r) => r === runs[0]),
    );
  },
};

test('every in-thread example has a check', () => {
  const examples = readdirSync(new URL('../examples/', import.meta.url))
    .filter((f) => /^(asyncio|green)-.*\.ts$/.test(f))
    .map((f) => f.slice(0, -3))
    .sort();
  assert.deepEqual(examples, Object.keys(checks).sort());
});

test('in-thread examples run and print what their seeds print', { concurrency: 4 }, async (t) => {
  await Promise.all(
    Object.entries(checks).map(([name, check]) =>
      t.test(name, async () => check(await runExample(name))),
    ),
  );
});
