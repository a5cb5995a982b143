// Rule: an item is read exactly once, at put. What a queue stores is that
// snapshot, so an object changed while its put waits for room, or one whose
// getter throws on a second read, cannot overflow a slot or leave a slot
// half written: every queue kind stays consistent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LifoQueue, PriorityQueue, Queue } from '../../src/queue/index.js';

interface Kind {
  readonly name: string;
  make(maxsize: number): Queue<unknown>;
  wrap(item: unknown, i: number): unknown;
  unwrap(got: unknown): unknown;
}

const plain = { wrap: (item: unknown) => item, unwrap: (got: unknown) => got };
const kinds: Kind[] = [
  { name: 'Queue (ring)', make: (maxsize) => new Queue({ maxsize }), ...plain },
  {
    name: 'Queue (mutex store)',
    make: (maxsize) => new Queue({ maxsize: maxsize + 20_000 }),
    ...plain,
  },
  { name: 'LifoQueue', make: (maxsize) => new LifoQueue({ maxsize }), ...plain },
  {
    name: 'PriorityQueue',
    make: (maxsize) => new PriorityQueue({ maxsize }),
    wrap: (item, i) => [i, item],
    unwrap: (got) => (got as [number, unknown])[1],
  },
];

// Puts and gets a few items of every path: the queue must still work.
function assertConsistent(q: Queue<unknown>, kind: Kind): void {
  const items: unknown[] = [1, 'two', { three: 3 }, { four: [4] }, { five: -0 }, 'x'.repeat(300)];
  for (const [i, item] of items.entries()) {
    q.putNowait(kind.wrap(item, 100 + i));
    assert.deepEqual(kind.unwrap(q.getNowait()), item);
  }
  assert.equal(q.qsize(), 0);
}

// Fills a queue of `maxsize` 1 (the store queue is filled to its real maxsize).
function fill(q: Queue<unknown>, kind: Kind): number {
  let n = 0;
  while (!q.full()) q.putNowait(kind.wrap(`filler ${n}`, n++));
  return n;
}

for (const kind of kinds) {
  test(
    `${kind.name}: an item changed while its put waits for room arrives as it was at put`,
    { timeout: 60_000 },
    async () => {
      const q = kind.make(1);
      const fillers = fill(q, kind);
      const flat: Record<string, unknown> = { s: 'a', n: 1 };
      const nested = { inner: { s: 'a' }, list: [1] };
      const first = q.put(kind.wrap(flat, -2));
      const second = q.put(kind.wrap(nested, -1), { timeout: 30_000 });
      // Bigger than any slot: written from the live object, they would overflow.
      flat.s = 'x'.repeat(2000);
      flat.n = 2;
      flat.extra = 'y'.repeat(500);
      nested.inner.s = 'z'.repeat(2000);
      nested.list.push(2, 3);
      const got: unknown[] = [];
      for (let i = 0; i < fillers + 2; i++) got.push(kind.unwrap(await q.get({ timeout: 30_000 })));
      await Promise.all([first, second]);
      const wanted = [
        { s: 'a', n: 1 },
        { inner: { s: 'a' }, list: [1] },
      ];
      for (const item of wanted) {
        assert.ok(
          got.some((g) => JSON.stringify(g) === JSON.stringify(item)),
          `${JSON.stringify(item)} among ${JSON.stringify(got).slice(0, 200)}`,
        );
      }
      assert.equal(got.length, fillers + 2);
      assertConsistent(q, kind);
    },
  );

  test(
    `${kind.name}: an item whose getter throws on a second read is read once and the queue stays consistent`,
    { timeout: 60_000 },
    async () => {
      const q = kind.make(4);
      const once = (): Record<string, unknown> => {
        let reads = 0;
        const o = {};
        Object.defineProperty(o, 'x', {
          enumerable: true,
          get() {
            if (reads++ > 0) throw new Error('read twice');
            return 1;
          },
        });
        return o;
      };
      // Flat and JSON paths: read exactly once, so the put succeeds.
      q.putNowait(kind.wrap(once(), 0));
      assert.deepEqual(kind.unwrap(q.getNowait()), { x: 1 });
      await q.put(kind.wrap({ inner: once(), list: [once()] }, 1));
      assert.deepEqual(kind.unwrap(await q.get()), { inner: { x: 1 }, list: [{ x: 1 }] });
      // A blocked put (the ring writes the cell only once it has room).
      fill(q, kind);
      const blocked = q.put(kind.wrap(once(), 2), { timeout: 30_000 });
      const got = [kind.unwrap(await q.get({ timeout: 30_000 }))];
      await blocked;
      while (!q.empty()) got.push(kind.unwrap(q.getNowait()));
      assert.deepEqual(
        got.filter((g) => typeof g !== 'string'),
        [{ x: 1 }],
      );
      // Structured-clone path (-0 inside): read during put only; either it is
      // stored as read, or the put throws and nothing is stored.
      try {
        q.putNowait(kind.wrap({ inner: once(), zero: -0 }, 3));
        assert.deepEqual(kind.unwrap(q.getNowait()), { inner: { x: 1 }, zero: -0 });
      } catch (error) {
        assert.equal((error as Error).message, 'read twice');
        assert.equal(q.qsize(), 0);
      }
      assertConsistent(q, kind);
    },
  );
}
