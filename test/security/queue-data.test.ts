// Rule: nothing a user puts in a queue item can decode as a shareable, a
// buffer (view), a task reference or code. Every marker shape weft ever used,
// as user data, through every queue kind and storage, every item path (flat,
// JSON, structured clone, beside real shareables and buffers) and every
// get/put form, in one thread and across a thread, arrives as the same plain
// data, and nothing runs (a global canary). Cyclic items survive every path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LifoQueue, PriorityQueue, Queue, SimpleQueue } from '../../src/queue/index.js';
import { Lock, tasks, Thread } from '../../src/threading/index.js';
import { Value } from '../../src/shared/index.js';
import { canary, shapes } from '../fixtures/queue-hostile.js';

const fx = tasks<typeof import('../fixtures/queue-hostile.js')>(
  new URL('../fixtures/queue-hostile.ts', import.meta.url),
);

type Port = Queue<unknown> | SimpleQueue<unknown>;

interface Kind {
  readonly name: string;
  make(): Port;
  /** The item as put (a PriorityQueue takes [priority, item]). */
  wrap(item: unknown, i: number): unknown;
  unwrap(got: unknown): unknown;
}

const plain = { wrap: (item: unknown) => item, unwrap: (got: unknown) => got };
const kinds: Kind[] = [
  { name: 'Queue (ring, maxsize 4)', make: () => new Queue({ maxsize: 4 }), ...plain },
  { name: 'Queue (mutex store, unbounded)', make: () => new Queue(), ...plain },
  { name: 'LifoQueue', make: () => new LifoQueue(), ...plain },
  {
    name: 'PriorityQueue',
    make: () => new PriorityQueue(),
    wrap: (item, i) => [i, item],
    unwrap: (got) => (got as [number, unknown])[1],
  },
  { name: 'SimpleQueue', make: () => new SimpleQueue(), ...plain },
];

function nest(value: unknown, depth: number): unknown {
  for (let i = 0; i < depth; i++) value = { deep: value };
  return value;
}

// Each shape alone (flat objects take the flat path, nested ones JSON), then
// forced onto the structured-clone path (-0, nesting deeper than 32), then
// beside a real Lock (shareable table) and a real shared view (buffers).
/** [label, item, the hostile part of what arrived (real shareables checked here), what it must equal] */
type Variant = [string, unknown, (got: unknown) => unknown, unknown];

function variants(lock: Lock, view: Int32Array): Variant[] {
  const all = shapes();
  const same = (got: unknown): unknown => got;
  const out: Variant[] = [];
  for (const [label, shape] of Object.entries(all)) {
    out.push([label, shape, same, shape]);
    out.push([`${label} with -0`, { shape, zero: -0 }, same, { shape, zero: -0 }]);
    out.push([`${label} 40 deep`, nest(shape, 40), same, nest(shape, 40)]);
    out.push([
      `${label} beside a Lock and a shared view`,
      { shape, lock, view },
      (got) => {
        const g = got as { shape: unknown; lock: unknown; view: unknown };
        assert.ok(g.lock instanceof Lock, `${label}: the real Lock arrives live`);
        assert.ok(g.view instanceof Int32Array && g.view.buffer instanceof SharedArrayBuffer);
        return g.shape;
      },
      shape,
    ]);
  }
  const map = new Map<unknown, unknown>([[all, new Set([all])]]);
  out.push(['all', all, same, all]);
  out.push(['all in a Map and a Set', map, same, map]);
  return out;
}

for (const kind of kinds) {
  test(`${kind.name}: marker shapes put as data arrive as the same plain data and run nothing (one thread)`, async () => {
    const lock = new Lock();
    const view = new Int32Array(new SharedArrayBuffer(8));
    const q = kind.make();
    let i = 0;
    for (const [label, value, check, want] of variants(lock, view)) {
      for (const mode of ['sync', 'async'] as const) {
        const item = kind.wrap(value, i++);
        let got: unknown;
        if (mode === 'sync') {
          q.putNowait(item);
          got = q.getNowait();
        } else {
          await q.put(item);
          got = await q.get({ timeout: 10_000 });
        }
        assert.deepEqual(check(kind.unwrap(got)), want, `${label} (${mode})`);
        assert.equal(canary(), undefined, `${label} (${mode}) ran code`);
      }
    }
    assert.equal(q.qsize(), 0);
  });

  test(`${kind.name}: across a thread (getSync/putSync and get/put there), marker shapes arrive as the same plain data, nothing runs, cycles survive`, async () => {
    const lock = new Lock();
    const view = new Int32Array(new SharedArrayBuffer(8));
    const all = variants(lock, view);
    const cyclic = cycles(lock);
    const input = kind.make();
    const output = kind.make();
    const ran = new Value('i', 0);
    const t = new Thread({
      target: fx.relay,
      args: [
        input,
        output,
        [
          [all.length, 'sync'],
          [all.length, 'async'],
          [cyclic.length, 'sync'],
        ],
        ran,
      ],
    });
    t.start();
    let i = 0;
    for (const mode of ['sync', 'async']) {
      for (const [label, value, check, want] of all) {
        await input.put(kind.wrap(value, i++));
        const got = await output.get({ timeout: 30_000 });
        assert.deepEqual(check(kind.unwrap(got)), want, `${label} (${mode})`);
      }
    }
    const back: unknown[] = [];
    for (const item of cyclic) {
      await input.put(kind.wrap(item, i++));
      back.push(kind.unwrap(await output.get({ timeout: 30_000 })));
    }
    checkCycles(back, lock);
    assert.equal(await t.join({ timeout: 30_000 }), true);
    assert.equal(ran.value, 1, 'the relay thread ran code');
    assert.equal(canary(), undefined);
  });

  test(`${kind.name}: cyclic items keep their cycles (self, through a Map, through a Lock)`, () => {
    const lock = new Lock();
    const q = kind.make();
    const items = cycles(lock);
    for (const [i, item] of items.entries()) q.putNowait(kind.wrap(item, i));
    const got: unknown[] = [];
    for (let i = 0; i < items.length; i++) got.push(kind.unwrap(q.getNowait()));
    if (kind.name === 'LifoQueue') got.reverse();
    checkCycles(got, lock);
  });
}

function cycles(lock: Lock): unknown[] {
  const self: Record<string, unknown> = { name: 'self' };
  self.self = self;
  const viaMap: { map: Map<string, unknown> } = { map: new Map() };
  viaMap.map.set('back', viaMap);
  const viaLock: { lock: Lock; list: unknown[]; self?: unknown } = { lock, list: [] };
  viaLock.self = viaLock;
  viaLock.list.push(viaLock, lock, -0);
  const array: unknown[] = [];
  array.push(array);
  return [self, viaMap, viaLock, array];
}

function checkCycles(got: unknown[], lock: Lock): void {
  const [self, viaMap, viaLock, array] = got as [
    Record<string, unknown>,
    { map: Map<string, unknown> },
    { lock: Lock; list: unknown[]; self: unknown },
    unknown[],
  ];
  assert.equal(self.self, self);
  assert.equal(viaMap.map.get('back'), viaMap);
  assert.equal(viaLock.self, viaLock);
  assert.equal(viaLock.list[0], viaLock);
  assert.equal(viaLock.list[1], viaLock.lock);
  assert.ok(Object.is(viaLock.list[2], -0));
  assert.ok(viaLock.lock instanceof Lock);
  assert.equal(viaLock.lock.acquireSync({ timeout: 5000 }), true);
  assert.equal(lock.locked(), true, 'the Lock in the cycle is the same lock');
  viaLock.lock.release();
  assert.equal(array[0], array);
}
