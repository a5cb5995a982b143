// registerClass: an instance of a registered class crosses every boundary
// (Thread args, Process args, pool args and results, queue items, Manager
// values) as an instance of its class; an in-thread-only object (asyncio,
// green, futures) is refused on each of them; an unregistered instance keeps
// structured-clone semantics, with one warning per class.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { registerClass } from '../../src/index.js';
import { Lock, tasks, Thread } from '../../src/threading/index.js';
import { LifoQueue, PriorityQueue, Queue, SimpleQueue } from '../../src/queue/index.js';
import { Future, ProcessPoolExecutor, ThreadPoolExecutor } from '../../src/futures/index.js';
import { Manager, Pool, Process } from '../../src/multiprocessing/index.js';
import * as asyncio from '../../src/asyncio/index.js';
import * as green from '../../src/green/index.js';
import { Ghost, Lost, Node, Plain, Point, Point3, Segment, makeRing } from '../fixtures/classes.js';
import type { Report } from '../fixtures/classes.js';
import { shapes } from '../fixtures/hostile.js';

const fx = tasks<typeof import('../fixtures/classes.js')>(
  new URL('../fixtures/classes.ts', import.meta.url),
);
const lazy = tasks<typeof import('../fixtures/classes-lazy.js')>(
  new URL('../fixtures/classes-lazy.ts', import.meta.url),
);
const far = tasks<typeof import('../fixtures/classes-far.js')>(
  new URL('../fixtures/classes-far.ts', import.meta.url),
);
const DEADLINE = { timeout: 60_000 };

const threads = new ThreadPoolExecutor({ maxWorkers: 2 });
const processes = new ProcessPoolExecutor({ maxWorkers: 1 });
after(() => Promise.all([threads.shutdown(), processes.shutdown()]));

function sample(lock = new Lock()): Parameters<typeof import('../fixtures/classes.js').inspect>[0] {
  const shared = new Point(1, 1);
  return {
    p: new Point(3, 4),
    s: new Segment(new Point(0, 0), new Point(5, 12), lock),
    ring: makeRing(),
    pair: [shared, shared],
    p3: new Point3(2, 3, 6),
  };
}

const EXPECTED: Report = {
  point: 5,
  segment: 13,
  locked: true,
  ring: 'a>b>c',
  same: true,
  point3: 7,
};

function isCode(code: string): (e: unknown) => boolean {
  return (e: unknown) => (e as { code?: unknown }).code === code;
}

// ---- queues, same thread ----

for (const [label, make] of [
  ['Queue', () => new Queue<unknown>()],
  ['LifoQueue', () => new LifoQueue<unknown>()],
] as const) {
  test(`${label} in one thread: putSync/getSync and put/get give back instances`, async () => {
    const q = make();
    const value = sample();
    q.putSync(value);
    const back = q.getSync() as typeof value;
    assert.ok(back.p instanceof Point);
    assert.equal(back.p.norm(), 5);
    assert.notEqual(back.p, value.p, 'a copy, not the same object');
    assert.ok(back.s instanceof Segment && back.s.a instanceof Point);
    assert.equal(back.s.length(), 13);
    assert.equal(back.ring.around(), 'a>b>c');
    assert.equal(back.ring.next!.next!.next, back.ring, 'the cycle is kept');
    assert.equal(back.pair[0], back.pair[1], 'one instance stays one instance');
    assert.ok(back.p3 instanceof Point3);
    assert.equal(back.p3.norm(), 7);
    await q.put(new Point(6, 8));
    const p = (await q.get()) as Point;
    assert.ok(p instanceof Point);
    assert.equal(p.norm(), 10);
  });
}

test('SimpleQueue in one thread: put/getSync gives back an instance', () => {
  const q = new SimpleQueue<unknown>();
  q.put({ ring: makeRing() });
  const { ring } = q.getSync() as { ring: Node };
  assert.ok(ring instanceof Node);
  assert.equal(ring.next!.next!.next, ring);
});

test('PriorityQueue in one thread: a [priority, instance] pair keeps the instance', () => {
  const q = new PriorityQueue<[number, Point]>();
  q.putSync([2, new Point(6, 8)]);
  q.putSync([1, new Point(3, 4)]);
  const [, first] = q.getSync();
  assert.ok(first instanceof Point);
  assert.equal(first.norm(), 5);
});

// ---- threads ----

test('Thread args: registered instances arrive as instances (nested, shared, cyclic, with a live Lock)', async () => {
  const reports = new Queue<unknown>();
  const t = new Thread({ target: fx.inspectInto, args: [sample(), reports] });
  t.start();
  assert.deepEqual(await reports.get(DEADLINE), EXPECTED);
  assert.equal(await t.join(DEADLINE), true);
});

test('Thread args: a thread whose task module never imports the class loads it to decode', async () => {
  const out = new Queue<unknown>();
  const t = new Thread({ target: lazy.reportNorm, args: [new Point(3, 4), out] });
  t.start();
  assert.equal(await out.get(DEADLINE), 5);
  assert.equal(await t.join(DEADLINE), true);
});

// ---- queues across threads ----

for (const kind of ['sync', 'async'] as const) {
  test(`Queue across threads (${kind} receiver): instances both ways`, async () => {
    const q = new Queue<unknown>();
    const back = new Queue<unknown>();
    const t = new Thread({ target: kind === 'sync' ? fx.relaySync : lazy.relay, args: [q, back] });
    t.start();
    q.putSync(new Point(5, 12));
    assert.equal(await back.get(DEADLINE), 13);
    assert.equal(await t.join(DEADLINE), true);
    // From a thread to this one.
    const from = new Thread({ target: fx.produce, args: [q] });
    from.start();
    const p = (await q.get(DEADLINE)) as Point;
    assert.ok(p instanceof Point);
    assert.equal(p.norm(), 10);
    const ring = q.getSync(DEADLINE) as Node;
    assert.ok(ring instanceof Node);
    assert.equal(ring.around(), 'a>b>c');
    assert.equal(await from.join(DEADLINE), true);
  });
}

test('getSync in a thread that has not loaded the class under tsx: ERR_CLASS_NOT_FOUND says what to do', async () => {
  const q = new Queue<unknown>();
  const back = new Queue<unknown>();
  const t = new Thread({ target: lazy.relaySync, args: [q, back] });
  t.start();
  await q.put(new Point(3, 4));
  assert.equal(await back.get(DEADLINE), 'ERR_CLASS_NOT_FOUND');
  assert.equal(await t.join(DEADLINE), true);
});

// ---- pools ----

for (const [name, pool] of [
  ['ThreadPoolExecutor', threads],
  ['ProcessPoolExecutor', processes],
] as const) {
  test(`${name}: instances as task arguments and as results`, async () => {
    // A Lock cannot reach a child process: the process pool gets the rest.
    if (pool === threads) assert.deepEqual(await pool.submit(fx.inspect, sample()), EXPECTED);
    else {
      const { s: _s, ...rest } = sample();
      void _s;
      const r = (await pool.submit(fx.echo, rest)) as typeof rest;
      assert.ok(r.p instanceof Point && r.p3 instanceof Point3 && r.ring instanceof Node);
      assert.equal(r.pair[0], r.pair[1]);
      assert.equal(r.ring.around(), 'a>b>c');
    }
    const p = await pool.submit(fx.makePoint, 8, 15);
    assert.ok(p instanceof Point);
    assert.equal(p.norm(), 17);
    const ring = await pool.submit(fx.makeRing);
    assert.ok(ring instanceof Node);
    assert.equal(ring.next!.next!.next, ring);
    const many: number[] = [];
    for await (const x of pool.map(fx.makePoint, [3, 6], [4, 8])) {
      many.push(x instanceof Point ? x.norm() : -1);
    }
    assert.deepEqual(many, [5, 10]);
  });
}

for (const name of ['ThreadPoolExecutor', 'ProcessPoolExecutor'] as const) {
  test(`${name}: a class the worker cannot find fails the task with ERR_CLASS_NOT_FOUND naming class and module`, async () => {
    // Fresh workers that never load fixtures/classes.ts (which registers these classes).
    await using pool =
      name === 'ThreadPoolExecutor'
        ? new ThreadPoolExecutor({ maxWorkers: 1 })
        : new ProcessPoolExecutor({ maxWorkers: 1 });
    await assert.rejects(pool.submit(lazy.echo, new Ghost(1)), (e: Error) => {
      assert.equal((e as { code?: unknown }).code, 'ERR_CLASS_NOT_FOUND');
      assert.match(e.message, /Ghost/);
      assert.match(e.message, /classes-empty\.ts/);
      return true;
    });
    await assert.rejects(pool.submit(lazy.echo, { nested: [new Lost(2)] }), (e: Error) => {
      assert.equal((e as { code?: unknown }).code, 'ERR_CLASS_NOT_FOUND');
      assert.match(e.message, /Lost/);
      assert.match(e.message, /classes-missing\.ts/);
      return true;
    });
    // The worker is fine afterwards.
    assert.equal(await pool.submit(lazy.normOf, new Point(3, 4)), 5);
  });
}

test('a result or queue item whose class this thread never imported: the module is loaded, the instance arrives', async () => {
  const viaResult = await threads.submit(far.makeFar, 21);
  assert.equal(viaResult.constructor.name, 'Far');
  assert.equal(viaResult.double(), 42);
  const viaProcess = await processes.submit(far.makeFar, 4);
  assert.equal(viaProcess.double(), 8);
  const q = new Queue<unknown>();
  const t = new Thread({ target: far.putFar, args: [q, 5] });
  t.start();
  const item = (await q.get(DEADLINE)) as { double(): number };
  assert.equal(item.double(), 10);
  assert.equal(await t.join(DEADLINE), true);
});

test('multiprocessing Pool: instances as arguments and results', async () => {
  await using pool = new Pool({ processes: 1 });
  const p = await pool.apply(fx.echo, [new Point(20, 21)]);
  assert.ok(p instanceof Point);
  assert.equal(p.norm(), 29);
});

test('multiprocessing Process args: an instance arrives as an instance', async () => {
  const good = new Process({ target: fx.expectPoint, args: [new Point(3, 4), 5] });
  const bad = new Process({ target: fx.expectPoint, args: [{ x: 3, y: 4 } as Point, 5] });
  good.start();
  bad.start();
  assert.equal(await good.join(DEADLINE), true);
  assert.equal(await bad.join(DEADLINE), true);
  assert.equal(good.exitCode, 0);
  assert.equal(bad.exitCode, 1);
});

test('Manager values: a registered instance stored and read back is an instance', async () => {
  await using manager = await Manager.start();
  const list = await manager.list<Point>();
  await list.push(new Point(7, 24));
  const p = await list.get(0);
  assert.ok(p instanceof Point);
  assert.equal(p.norm(), 25);
});

// ---- forged shapes ----

test('shapes of a class entry in the data stay data, beside a real instance (pool and queue)', async () => {
  const { classEntry, classTriple, classPacked } = shapes();
  const value = { classEntry, classTriple, classPacked, p: new Point(3, 4) };
  const back = (await threads.submit(fx.echo, value)) as typeof value;
  assert.deepEqual(
    { classEntry: back.classEntry, classTriple: back.classTriple, classPacked: back.classPacked },
    { classEntry, classTriple, classPacked },
  );
  assert.ok(back.p instanceof Point);
  const q = new Queue<unknown>();
  q.putSync(value);
  const fromQueue = q.getSync() as typeof value;
  assert.deepEqual(fromQueue.classTriple, classTriple);
  assert.ok(fromQueue.p instanceof Point);
  assert.equal((globalThis as { __weftCanary?: unknown }).__weftCanary, undefined);
});

// ---- unregistered classes ----

test('an unregistered instance crosses as a plain object with its fields, and weft warns once per class', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => {
    if ((w as { code?: unknown }).code === 'WEFT_UNREGISTERED_CLASS') warnings.push(w);
  };
  process.on('warning', onWarning);
  try {
    assert.equal(await threads.submit(fx.plainArrived, new Plain(4)), 'plain:4:undefined');
    const q = new Queue<unknown>();
    q.putSync(new Plain(5));
    const back = q.getSync();
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.deepEqual(back, { n: 5 });
    // Built-in classes do not warn.
    q.putSync([new Date(0), new Uint8Array(2), new Error('x'), /re/]);
    q.getSync();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /Plain/);
    assert.match(warnings[0]!.message, /registerClass/);
  } finally {
    process.off('warning', onWarning);
  }
});

// ---- in-thread-only objects ----

function inThreadOnly(): [string, object][] {
  return [
    ['asyncio.Lock', new asyncio.Lock()],
    ['asyncio.Event', new asyncio.Event()],
    ['asyncio.Condition', new asyncio.Condition()],
    ['asyncio.Semaphore', new asyncio.Semaphore()],
    ['asyncio.BoundedSemaphore', new asyncio.BoundedSemaphore()],
    ['asyncio.Barrier', new asyncio.Barrier(2)],
    ['asyncio.Queue', new asyncio.Queue()],
    ['asyncio.LifoQueue', new asyncio.LifoQueue()],
    ['asyncio.PriorityQueue', new asyncio.PriorityQueue()],
    ['green.Pool', new green.Pool(2)],
    ['green.Group', new green.Group()],
    ['futures.Future', new Future()],
    ['futures.ThreadPoolExecutor', threads],
  ];
}

test('in-thread-only objects are refused with ERR_IN_THREAD_ONLY on every path, nested or not', async () => {
  const refused = isCode('ERR_IN_THREAD_ONLY');
  for (const [label, value] of inThreadOnly()) {
    const nested = { deep: [new Map([[1, value]])] };
    assert.throws(() => new Thread({ target: fx.echo, args: [value] }).start(), refused, label);
    assert.throws(() => new Thread({ target: fx.echo, args: [nested] }).start(), refused, label);
    assert.throws(() => threads.submit(fx.echo, nested), refused, label);
    assert.throws(() => processes.submit(fx.echo, value), refused, label);
    assert.throws(() => new Process({ target: fx.echo, args: [nested] }).start(), refused, label);
    const q = new Queue<unknown>();
    assert.throws(() => q.putSync(value), refused, label);
    assert.throws(
      () => q.putSync(new Point(1, value as never)),
      refused,
      `${label} in an instance`,
    );
    await assert.rejects(q.put(nested), refused, label);
    assert.equal(q.qsize(), 0);
  }
  const message = (() => {
    try {
      new Queue().putSync(new asyncio.Lock());
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  })();
  assert.match(message, /weft\/asyncio Lock/);
  assert.match(message, /weft\/threading/);
});

test('a task that returns an in-thread-only object fails with ERR_IN_THREAD_ONLY (results path)', async () => {
  await assert.rejects(threads.submit(fx.makeAsyncLock), isCode('ERR_IN_THREAD_ONLY'));
  // The worker is fine afterwards.
  assert.equal((await threads.submit(fx.makePoint, 3, 4)).norm(), 5);
});

test('a green Greenlet is refused too', () => {
  const g = green.spawn(() => 1);
  assert.throws(() => new Queue().putSync(g), isCode('ERR_IN_THREAD_ONLY'));
});

// ---- registerClass ----

test('registerClass: validates its arguments, is idempotent, refuses a clash, weft classes and the entry script', () => {
  class A {}
  assert.throws(() => registerClass(42 as never, import.meta.url), isCode('ERR_INVALID_ARG_TYPE'));
  assert.throws(() => registerClass(A, 'relative.js'), isCode('ERR_INVALID_ARG_TYPE'));
  const module = new URL('./registered-a.js', import.meta.url);
  assert.equal(registerClass(A, module), A);
  assert.equal(registerClass(A, module), A);
  class B {}
  assert.throws(() => registerClass(B, module, { name: 'A' }), isCode('ERR_INVALID_ARG_VALUE'));
  assert.throws(() => registerClass(Lock, module), isCode('ERR_INVALID_ARG_VALUE'));
  assert.throws(() => registerClass(asyncio.Lock, module), isCode('ERR_INVALID_ARG_VALUE'));
  if (process.argv[1] !== undefined && /classes\.test\.ts$/.test(process.argv[1])) {
    assert.throws(() => registerClass(B, import.meta.url), isCode('ERR_INVALID_ARG_VALUE'));
  }
});
