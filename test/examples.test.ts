// Runs the threading examples in examples/ (ports of seeds 000, 003 and 004),
// each as its own program as a user would (under the tsx preload), and checks
// what it prints. Threads print through the main thread, which relays their
// console output in no fixed order across threads, so thread lines are
// checked as sets and per-thread sequences; lines printed by the main thread
// itself are checked in order. (A thread's last lines may also come after
// main's next line: Thread.join() resolves before the worker's relayed output
// is drained.)
// Needs `npm run build` first (examples import weft through its exports map).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, runExample } from './helpers/examples.js';
import type { Run } from './helpers/examples.js';

/** The lines matching `pattern`, as their first capture group (or whole match). */
function grab(lines: readonly string[], pattern: RegExp): string[] {
  return lines.flatMap((line) => {
    const m = pattern.exec(line);
    return m === null ? [] : [m[1] ?? m[0]];
  });
}

const range = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i));
const sorted = (values: readonly string[]): string[] => [...values].sort();
const listOf = (text: string): number[] => (text === '' ? [] : text.split(', ').map(Number));

const checks: Record<string, (r: Run) => void> = {
  'counter-thread'({ lines }) {
    assert.deepEqual(grab(lines, /^Thread-1: counting (\d+)$/), range(10));
    assert.deepEqual(grab(lines, /^Thread-2: counting (\d+)$/), range(7));
    assert.equal(lines.at(-1), 'Thread-1 counted 10, Thread-2 counted 7');
    assert.equal(lines.length, 18);
  },

  'send-receive-classes'({ lines }) {
    assert.deepEqual(
      grab(lines, /^Count: {2}(\d+)$/),
      Array.from({ length: 20 }, (_, i) => String(i + 1)),
    );
    assert.equal(lines.at(-1), 'sent 20, received 20');
  },

  'pipeline-workers'({ lines }) {
    assert.deepEqual(lines, [
      '1000 items done',
      'download: polled 1001 times, did 1000 items',
      'resize: polled 1001 times, did 1000 items',
      'upload: polled 1001 times, did 1000 items',
    ]);
  },

  counter({ lines }) {
    assert.equal(lines[0], 'LockingCounter: should be 100000, found 100000');
    const found = Number(
      /^StupidCounter: should be 100000, found (\d+)$/.exec(lines[1] ?? '')?.[1],
    );
    assert.ok(found > 0 && found < 100_000, `the unlocked counter lost no update: ${lines[1]}`);
    assert.equal(lines[2], `Updates lost without the lock: ${100_000 - found}`);
    assert.equal(lines.length, 3);
  },

  'db-val'({ lines }) {
    assert.deepEqual(lines, [
      'Start db_val: 0',
      'End db_val: 1',
      '-- again, with a Lock',
      'Start db_val: 0',
      'End db_val: 2',
    ]);
  },

  'shared-value'({ lines }) {
    assert.deepEqual(lines, [
      'Value at beginning: 0',
      'Array at beginning: [0, 100, 200]',
      'Value at end: 200',
      'Array at end: [200, 300, 400]',
      'end main',
    ]);
  },

  'process-vs-thread'({ lines }) {
    assert.deepEqual(
      lines.filter((l) => l.startsWith('--') || l.startsWith('In main')),
      [
        "-- a plain object is copied into each thread (like Python's Process version)",
        'In main: value = 100',
        "-- a weft Value is shared memory (like Python's Thread version)",
        'In main: value = 1234',
      ],
    );
    for (const foo of ['Thread-1', 'Thread-3']) {
      assert.deepEqual(grab(lines, new RegExp(`^In foo\\[${foo}\\]: (.*)$`)), [
        'value = 100',
        'value is set to 1234',
      ]);
    }
    // bar's copy never changes; bar's Value shows foo's write.
    assert.deepEqual(grab(lines, /^In bar\[Thread-2\]: value = (\d+)$/), ['100', '100']);
    assert.deepEqual(grab(lines, /^In bar\[Thread-4\]: value = (\d+)$/), ['100', '1234']);
    assert.equal(lines.length, 12);
  },

  event({ lines }) {
    const published = grab(lines, /^updater: list update \d+ = \[(.*)\]$/).map(listOf);
    assert.deepEqual(grab(lines, /^updater: list update (\d+)/), ['1', '2', '3']);
    for (const list of published) {
      assert.equal(new Set(list).size, 10);
      assert.ok(list.every((v) => Number.isInteger(v) && v >= 0 && v < 100));
    }
    for (let i = 0; i < 5; i++) {
      const reader = `Reader-${i}`;
      const waits = grab(lines, new RegExp(`^${reader} waiting for list update\\.\\.\\.$`));
      const tops = grab(lines, new RegExp(`^In ${reader}: top 5 = \\[(.*)\\]$`)).map(listOf);
      const bottoms = grab(lines, new RegExp(`^In ${reader}: bottom 5 = \\[(.*)\\]$`)).map(listOf);
      // A reader that comes back late may skip an update (an Event is a state).
      assert.ok(tops.length >= 1 && tops.length <= 3, `${reader} read ${tops.length} updates`);
      assert.equal(bottoms.length, tops.length);
      assert.equal(waits.length, tops.length);
      for (const [k, top] of tops.entries()) {
        const bottom = bottoms[k]!;
        assert.ok(
          published.some(
            (list) =>
              list.slice(0, 5).join() === top.join() && list.slice(-5).join() === bottom.join(),
          ),
          `${reader} read a list that was never published: ${top.join()} / ${bottom.join()}`,
        );
      }
    }
    assert.ok(lines.includes('main done'));
  },

  barrier({ lines }) {
    const names = Array.from({ length: 10 }, (_, i) => `Thread-${i + 1}`);
    for (const name of names) {
      const own = grab(lines, new RegExp(`^${name}: (.*)$`));
      assert.equal(own.length, 3, `${name} printed ${own.join(' | ')}`);
      assert.equal(own[0], 'started...');
      assert.equal(own[1], 'woke up...');
      assert.match(own[2]!, /^continuing\.\.\. \(arrived at the barrier as #\d\)$/);
    }
    assert.deepEqual(sorted(grab(lines, /as #(\d)\)$/)), range(10));
    assert.ok(lines.includes('main done: all threads passed the barrier'));
    assert.equal(lines.length, 31);
  },

  condition({ lines }) {
    const added = grab(lines, /^producer: adding (\d+), queue = \[.*\]$/);
    const fetched = grab(lines, /^consumer-[1-4]: fetched (\d+), queue = \[.*\]$/);
    assert.equal(added.length, 20);
    assert.deepEqual(sorted(fetched), sorted(added));
    for (const queue of grab(lines, /queue = \[(.*)\]$/)) {
      assert.ok(listOf(queue.replaceAll('DONE', '-1')).length <= 5, `over capacity: [${queue}]`);
    }
    assert.equal(lines.length, 41);
    assert.ok(lines.includes('main done: 20 items produced and consumed, queue = []'));
  },

  semaphore({ lines }) {
    const produced = grab(lines, /^Produced: (\d+)$/);
    assert.equal(produced.length, 12);
    // One producer, one consumer, a FIFO queue: consumed in production order.
    assert.deepEqual(grab(lines, /^Consumed: (\d+)$/), produced);
    for (const queue of grab(lines, /^queue: \[(.*)\]$/)) {
      assert.ok(listOf(queue).length <= 5, `over capacity: [${queue}]`);
    }
    assert.ok(lines.includes('main done: queue = []'));
  },

  'thread-group'({ lines }) {
    assert.match(
      lines[0]!,
      /^Created two threads: <Thread\(foo, started \d+\)> <Thread\(testfn, started \d+\)>$/,
    );
    assert.deepEqual(grab(lines, /^foo: counting (\d+)$/), range(15));
    assert.deepEqual(grab(lines, /^bar: counting (\d+)$/), range(10));
    assert.deepEqual(sorted(grab(lines, /^(\w+) completed\.\.\.$/)), ['foo', 'testfn']);
    assert.equal(lines.length, 28);
  },

  enumerate({ lines }) {
    const names = Array.from({ length: 10 }, (_, i) => `Thread-${i + 1}`);
    assert.deepEqual(grab(lines, /^Thread (\S+) running$/), ['MainThread', ...names]);
    assert.deepEqual(grab(lines, /^Thread (\S+) completed\.$/), names);
    for (const name of names) {
      assert.deepEqual(grab(lines, new RegExp(`^foo\\[${name}\\]: counting (\\d+)$`)), range(3));
    }
    assert.equal(lines.length, 51);
  },

  daemon({ lines }) {
    assert.deepEqual(grab(lines, /^Thread-1: counting (\d+)$/), range(3));
    assert.deepEqual(grab(lines, /^Thread-2: counting (\d+)$/), range(6));
    assert.deepEqual(grab(lines, /^MainThread: counting (\d+)$/), range(4));
    const monitored = grab(lines, /^MonitorThread: monitoring (\d+)$/);
    assert.ok(monitored.length >= 1);
    assert.deepEqual(monitored, range(monitored.length));
    // The program ended with the daemon monitor still looping.
    assert.equal(lines.at(-1), 'MainThread: exiting, MonitorThread still alive: true');
  },
};

test('examples run and print what their seeds print', { concurrency: 3 }, async (t) => {
  await Promise.all(
    Object.entries(checks).map(([name, check]) =>
      t.test(name, async () => check(await runExample(name, { quietStderr: false }))),
    ),
  );
});

test('the weft command: --help, unknown command, example NAME', async () => {
  const help = await run(['dist/cli/main.js', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage:/);
  assert.match(help.stdout, /weft tour/);
  assert.match(help.stdout, /weft example NAME/);

  const unknown = await run(['dist/cli/main.js', 'frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command `frobnicate`/);
  assert.match(unknown.stderr, /Usage:/);

  const missing = await run(['dist/cli/main.js', 'example', 'no-such-example']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /db-val/);

  const one = await run(['dist/cli/main.js', 'example', 'db-val']);
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(one.lines.slice(-2), ['Start db_val: 0', 'End db_val: 2']);
});
