// Rule: nothing in user data can decode as a shareable, a buffer, a task
// reference or code. Every marker shape weft ever used goes through every
// path that is not a queue (Thread args, pool args and results, pool task
// position); it must arrive as the same plain data, and nothing may run.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessPoolExecutor, ThreadPoolExecutor } from '../../src/futures/index.js';
import { Lock, tasks, Thread } from '../../src/threading/index.js';
import { Value } from '../../src/shared/index.js';
import { shapes } from '../fixtures/hostile.js';

const fx = tasks<typeof import('../fixtures/hostile.js')>(
  new URL('../fixtures/hostile.ts', import.meta.url),
);
const threads = new ThreadPoolExecutor({ maxWorkers: 2 });
const processes = new ProcessPoolExecutor({ maxWorkers: 1 });
after(() => Promise.all([threads.shutdown(), processes.shutdown()]));

const canary = (): unknown => (globalThis as { __weftCanary?: unknown }).__weftCanary;

// Each shape alone, all together, nested deep, beside a real shareable (so
// the out-of-band path runs), and inside Maps and Sets.
function variants(): [string, unknown][] {
  const all = shapes();
  let deep: unknown = all;
  for (let i = 0; i < 40; i++) deep = { deep };
  return [
    ...Object.entries(all),
    ['all', all],
    ['deep', deep],
    ['map', new Map<unknown, unknown>([[all.lock, all.sab]])],
    ['set', new Set([all.view, all.taskRef])],
  ];
}

for (const [name, pool] of [
  ['ThreadPoolExecutor', threads],
  ['ProcessPoolExecutor', processes],
] as const) {
  test(`${name}: hostile shapes as task arguments arrive as plain data and run nothing`, async () => {
    const lock = new Lock();
    for (const [label, value] of variants()) {
      const alone = await pool.submit(fx.echo, value);
      assert.deepEqual(alone.value, value, label);
      assert.equal(alone.canary, undefined, label);
      // Beside a real shareable, the arguments take the out-of-band path
      // (threads only: a child process cannot share a Lock's memory).
      if (pool === processes) continue;
      const beside = await pool.submit(fx.echo, { value, lock });
      assert.deepEqual((beside.value as { value: unknown }).value, value, `${label} beside a lock`);
      assert.equal(beside.canary, undefined, label);
    }
    assert.equal(await pool.submit(fx.canary), undefined);
    assert.equal(canary(), undefined);
  });

  test(`${name}: hostile shapes returned by a task arrive as plain data`, async () => {
    const back = await pool.submit(fx.makeShapes);
    assert.deepEqual(back, shapes());
    assert.equal(canary(), undefined);
  });

  test(`${name}: an object shaped like a task reference is not a task`, () => {
    const forged = shapes().taskRef as typeof fx.canary;
    assert.throws(() => pool.submit(forged), TypeError);
    assert.equal(canary(), undefined);
  });
}

test('Thread args: hostile shapes arrive as plain data and run nothing', async () => {
  for (const [label, value] of variants()) {
    const seen = new Value('i', 0);
    const t = new Thread({
      target: (v: unknown, expected: string, out: Value<'i'>) => {
        const same = JSON.stringify(v, (_k, x: unknown) =>
          x instanceof Map || x instanceof Set ? [...x] : x,
        );
        const g = globalThis as { __weftCanary?: unknown };
        out.value = same === expected && g.__weftCanary === undefined ? 1 : 2;
      },
      args: [
        value,
        JSON.stringify(value, (_k, x: unknown) =>
          x instanceof Map || x instanceof Set ? [...x] : x,
        ),
        seen,
      ],
    });
    t.start();
    assert.equal(await t.join({ timeout: 30_000 }), true);
    assert.equal(seen.value, 1, label);
  }
});

test('Thread target: an object shaped like a task reference is refused', () => {
  assert.throws(() => new Thread({ target: shapes().taskRef as never }), TypeError);
});

test('cyclic arguments holding a Lock keep their cycle and the Lock is live (pool and Thread)', async () => {
  const lock = new Lock();
  const node: { self?: unknown; lock: Lock; list: unknown[] } = { lock, list: [] };
  node.self = node;
  node.list.push(node, lock);
  assert.equal(await threads.submit(fx.cyclic, node as never), true);
  const ok = new Value('i', 0);
  const t = new Thread({
    target: (n: { self: unknown; lock: Lock; list: unknown[] }, out: Value<'i'>) => {
      const intact = n.self === n && n.list[0] === n && n.list[1] === n.lock;
      const live = n.lock.acquireSync({ timeout: 5000 });
      if (live) n.lock.release();
      out.value = intact && live ? 1 : 2;
    },
    args: [node as never, ok],
  });
  t.start();
  assert.equal(await t.join({ timeout: 30_000 }), true);
  assert.equal(ok.value, 1);
});

test('a task reference passed as data crosses as a working task reference (threads and processes)', async () => {
  // It travels out of band (made by tasks() here), so the worker may submit it on.
  const back = await threads.submit(fx.echo, fx.canary);
  assert.deepEqual({ kind: (back.value as { kind: string }).kind }, { kind: 'weft.task' });
  assert.equal(await threads.submit(back.value as typeof fx.canary), undefined);
  const viaProcess = await processes.submit(fx.echo, fx.canary);
  assert.equal(await processes.submit(viaProcess.value as typeof fx.canary), undefined);
});
