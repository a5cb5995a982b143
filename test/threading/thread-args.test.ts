import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeCount, Event, Thread } from '../../src/threading/index.js';

// Values structured clone refuses, at every position and nested inside data.
const refused: [string, unknown][] = [
  ['a function', () => 1],
  ['a symbol', Symbol('s')],
  ['a function inside an object', { deep: { f: () => 1 } }],
  ['a WeakMap inside an array', [1, new WeakMap()]],
];

test('an argument structured clone refuses is ERR_NOT_CLONEABLE naming it, and no thread is left behind', () => {
  const before = activeCount();
  for (const [label, value] of refused) {
    for (const index of [0, 1, 2]) {
      const args = [1, 'two', { three: 3 }];
      args[index] = value as never;
      const t = new Thread({ target: (..._: unknown[]) => undefined, args });
      assert.throws(
        () => t.start(),
        (e: unknown) => {
          assert.ok(e instanceof TypeError, `${label}: ${String(e)}`);
          assert.equal((e as { code?: unknown }).code, 'ERR_NOT_CLONEABLE');
          assert.match(e.message, new RegExp(`\\\`args\\[${index}\\]\\\``), label);
          return true;
        },
      );
      assert.equal(t.isAlive(), false);
    }
  }
  assert.equal(activeCount(), before);
});

test('cloneable arguments, shareables included, still start', async () => {
  const done = new Event();
  const t = new Thread({
    target: (e: Event, n: number, o: { k: string }) => {
      if (n === 1 && o.k === 'v') e.set();
    },
    args: [done, 1, { k: 'v' }],
  });
  t.start();
  assert.equal(await t.join({ timeout: 30_000 }), true);
  assert.equal(done.isSet(), true);
});
