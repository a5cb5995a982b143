// Runs the queue examples in examples/ as their own programs (as a user
// would, under the tsx preload) and checks what they print. Threads print
// through the main thread, which relays their console output in no fixed
// order across threads, so thread lines are checked as sets and per-thread
// sequences; lines printed by the main thread itself are checked in order.
// Needs `npm run build` first (examples import weft through its exports map).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runExample } from './helpers/examples.js';
import type { Run } from './helpers/examples.js';

/** The lines matching `pattern`, as their first capture group (or whole match). */
function grab(lines: readonly string[], pattern: RegExp): string[] {
  return lines.flatMap((line) => {
    const m = pattern.exec(line);
    return m === null ? [] : [m[1] ?? m[0]];
  });
}

/** '<from>', …, '<to>' as strings. */
const span = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
const numerically = (values: readonly string[]): string[] =>
  [...values].sort((a, b) => Number(a) - Number(b));

const checks: Record<string, (r: Run) => void> = {
  'queue-workers'({ lines }) {
    const got = lines.flatMap((line) => {
      const m = /^in thread_num_(\d+) got (\d+)$/.exec(line);
      return m === null ? [] : [{ thread: Number(m[1]), value: m[2]! }];
    });
    assert.equal(got.length, 20, `expected 20 worker lines:\n${lines.join('\n')}`);
    assert.deepEqual(numerically(got.map((g) => g.value)), span(0, 19));
    assert.ok(got.every((g) => g.thread >= 1 && g.thread <= 10));
    // Every line was out before join() returned.
    assert.equal(lines.at(-1), 'main done');
    assert.equal(lines.length, 21);
  },

  pipeline({ lines }) {
    assert.deepEqual(lines, [
      'download: 1000',
      'resize: 1000',
      'upload: 1000',
      'main done: 1000 items through all three stages, in order: true',
    ]);
  },

  'send-receive'({ lines }) {
    // One sender, one receiver, a FIFO queue: every count, in order.
    assert.deepEqual(grab(lines, /^Count: {2}(\d+)$/), span(1, 20));
    assert.ok(lines.includes('Send: sent 20 counts'));
    // Printed after both joins, which return once the threads' output is in.
    assert.equal(lines.at(-1), 'main done');
    assert.equal(lines.length, 22);
  },

  'priority-queue'({ lines }) {
    // Python's order: strings compare character by character.
    assert.deepEqual(
      lines,
      ['10', '123', '123', '123', '123', '124', '2123', '23', '3213', '434'].map(
        (v) => `Value: ${v}`,
      ),
    );
  },

  'lifo-stack'({ lines }) {
    assert.equal(lines[0], 'put 1, 2, 3; got 3, 2, 1');
    const visits = grab(lines, /^walker-[1-3]: visit (\d+)$/);
    assert.deepEqual(numerically(visits), span(1, 15));
    // Which thread visits which node varies from run to run; the set does not.
    assert.equal(lines.at(-1), 'main done: 15 of 15 nodes visited, each once: true');
    assert.equal(lines.length, 17);
  },
};

test('queue examples run and print what their seeds print', { concurrency: 3 }, async (t) => {
  await Promise.all(
    Object.entries(checks).map(([name, check]) =>
      t.test(name, async () => check(await runExample(name))),
    ),
  );
});
