// Manager: the data proxies in both forms, proxies crossing threads, child
// processes (ProcessPoolExecutor) and other proxies, bad input, and the data
// rule (nothing a client stores decodes as anything but data).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ProcessPoolExecutor, ThreadPoolExecutor, tasks } from '../../src/futures/index.js';
import { Lock, Thread } from '../../src/threading/index.js';
import { WeftError } from '../../src/internal/errors.js';
import {
  AuthenticationError,
  DictProxy,
  ListProxy,
  LockProxy,
  Manager,
  ManagerError,
  ValueProxy,
} from '../../src/multiprocessing/index.js';

const work = tasks<typeof import('../fixtures/manager-work.js')>(
  new URL('../fixtures/manager-work.ts', import.meta.url),
);

const manager = await Manager.start();
after(() => manager.shutdown());

const code = (c: string) => (e: unknown) => (e as { code?: unknown }).code === c;

describe('dict', () => {
  test('Map-like names, async and Sync forms agree', async () => {
    const d = await manager.dict<unknown>({ a: 1 });
    assert.ok(d instanceof DictProxy);
    await d.set('b', { nested: [1, 2] });
    d.setSync(3, 'three');
    assert.equal(await d.get('a'), 1);
    assert.deepEqual(d.getSync('b'), { nested: [1, 2] });
    assert.equal(await d.get(3), 'three');
    assert.equal(d.getSync('missing'), undefined);
    assert.equal(await d.get('missing', 'fallback'), 'fallback');
    assert.equal(await d.has('a'), true);
    assert.equal(d.hasSync('zzz'), false);
    assert.equal(await d.size(), 3);
    assert.deepEqual(await d.keys(), ['a', 'b', 3]);
    assert.deepEqual(d.valuesSync(), [1, { nested: [1, 2] }, 'three']);
    assert.deepEqual(await d.entries(), [
      ['a', 1],
      ['b', { nested: [1, 2] }],
      [3, 'three'],
    ]);
    await d.update({ c: 4 });
    d.updateSync([['d', 5]]);
    assert.equal(await d.setDefault('c', 99), 4);
    assert.equal(d.setDefaultSync('e', 6), 6);
    assert.equal(await d.pop('e'), 6);
    assert.equal(d.popSync('e', 'gone'), 'gone');
    assert.equal(await d.delete('d'), true);
    assert.equal(d.deleteSync('d'), false);
    assert.deepEqual(await d.toObject(), { a: 1, b: { nested: [1, 2] }, 3: 'three', c: 4 });
    await d.clear();
    assert.equal(d.sizeSync(), 0);
  });

  test('a value is a copy: changing what you got changes nothing in the manager', async () => {
    const d = await manager.dict();
    const value = { n: 1 };
    await d.set('k', value);
    value.n = 2;
    const got = (await d.get('k')) as { n: number };
    assert.equal(got.n, 1);
    got.n = 3;
    assert.deepEqual(d.getSync('k'), { n: 1 });
  });

  test('bad input: a non-cloneable value or an object key is refused with a code and the dict is unchanged', async () => {
    const d = await manager.dict({ keep: 1 });
    for (const bad of [() => 1, Symbol('s'), { f: () => 1 }, new WeakMap()]) {
      await assert.rejects(d.set('x', bad), code('ERR_NOT_CLONEABLE'));
      assert.throws(() => d.setSync('x', bad), code('ERR_NOT_CLONEABLE'));
      await assert.rejects(d.update({ ok: 2, x: bad }), code('ERR_NOT_CLONEABLE'));
    }
    await assert.rejects(d.set({} as never, 1), code('ERR_INVALID_ARG_TYPE'));
    assert.throws(
      () =>
        d.updateSync([
          [{} as never, 1],
          ['ok', 2],
        ]),
      code('ERR_INVALID_ARG_TYPE'),
    );
    assert.deepEqual(await d.toObject(), { keep: 1 });
  });
});

test('list: array-like names in both forms, negative indexes, range errors', async () => {
  const l = await manager.list<unknown>([1, 2]);
  assert.ok(l instanceof ListProxy);
  assert.equal(await l.push(3, 4), 4);
  assert.equal(l.pushSync(5), 5);
  assert.equal(await l.get(-1), 5);
  l.setSync(0, 'zero');
  assert.equal(l.getSync(0), 'zero');
  assert.equal(await l.pop(), 5);
  assert.equal(l.shiftSync(), 'zero');
  assert.equal(await l.unshift('a'), 4);
  await l.insert(1, 'b');
  assert.deepEqual(await l.toArray(), ['a', 'b', 2, 3, 4]);
  assert.deepEqual(l.spliceSync(1, 2, 'x'), ['b', 2]);
  assert.deepEqual(await l.slice(1), ['x', 3, 4]);
  assert.equal(await l.indexOf(3), 2);
  assert.equal(l.includesSync({ no: 1 }), false);
  await l.push({ k: [1] });
  assert.equal(await l.remove({ k: [1] }), true);
  assert.equal(await l.extend([7, 8]), 6);
  await l.reverse();
  assert.deepEqual(l.toArraySync(), [8, 7, 4, 3, 'x', 'a']);
  assert.equal(l.lengthSync(), 6);
  await assert.rejects(l.get(6), code('ERR_OUT_OF_RANGE'));
  assert.throws(() => l.setSync(-7, 1), code('ERR_OUT_OF_RANGE'));
  l.clearSync();
  assert.equal(await l.length(), 0);
});

test('Namespace, Value and Array', async () => {
  const ns = await manager.Namespace({ x: 1 });
  await ns.set('y', 'two');
  assert.equal(ns.getSync('x'), 1);
  assert.deepEqual(await ns.toObject(), { x: 1, y: 'two' });
  const v = await manager.Value('i', 5);
  assert.ok(v instanceof ValueProxy);
  v.value = 7;
  assert.equal(v.value, 7);
  await v.set(8);
  assert.equal(await v.get(), 8);
  assert.equal(v.addSync(2), 10);
  await assert.rejects(v.set('x' as never), code('ERR_INVALID_ARG_TYPE'));
  const big = await manager.Value<bigint>('q', 1n);
  assert.equal(big.getSync(), 1n);
  const a = await manager.Array('d', [1.5, 2]);
  a.setSync(1, 2.5);
  assert.deepEqual(await a.toArray(), [1.5, 2.5]);
  assert.equal(a.lengthSync(), 2);
  const zeros = manager.ArraySync('i', 3);
  assert.deepEqual(zeros.toArraySync(), [0, 0, 0]);
  assert.throws(() => manager.ValueSync('nope'), TypeError);
});

test('proxies inside values arrive as live proxies, also through a child process', async () => {
  const outer = await manager.dict();
  const inner = await manager.dict({ tag: 'inner' });
  const list = await manager.list([outer]);
  await outer.set('inner', inner);
  const got = (await outer.get('inner')) as DictProxy;
  assert.ok(got instanceof DictProxy);
  assert.equal(await got.get('tag'), 'inner');
  assert.ok((await list.get(0)) instanceof DictProxy);
  await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  const pid = await pool.submit(work.nested, outer);
  assert.notEqual(pid, process.pid);
  assert.equal(await inner.get('seen'), pid);
});

test('proxies pass as ProcessPoolExecutor arguments and results, Thread args and ThreadPool tasks, and work there', async () => {
  const d = await manager.dict();
  const lock = await manager.Lock();
  const value = await manager.Value('i', 0);
  await using procs = new ProcessPoolExecutor({ maxWorkers: 2 });
  await using threads = new ThreadPoolExecutor({ maxWorkers: 2 });
  assert.deepEqual(await procs.submit(work.dictRoundTrip, d, 'p', [1, 'a']), [1, 'a']);
  assert.deepEqual(await threads.submit(work.dictRoundTrip, d, 't', { t: 1 }), { t: 1 });
  const back = await procs.submit(work.echo, lock);
  assert.ok(back instanceof LockProxy);
  back.acquireSync();
  assert.equal(lock.locked(), true);
  lock.release();
  await Promise.all([
    procs.submit(work.lockedIncrements, lock, value, 50),
    procs.submit(work.lockedIncrementsAsync, lock, value, 50),
    threads.submit(work.lockedIncrements, lock, value, 50),
  ]);
  const thread = new Thread({ target: work.lockedIncrementsAsync, args: [lock, value, 50] });
  thread.start();
  assert.equal(await thread.join({ timeout: 30_000 }), true);
  assert.equal(value.getSync(), 200);
  assert.deepEqual(await d.toObject(), { p: [1, 'a'], t: { t: 1 } });
});

test('weft shareables (shared memory) still cannot cross into a child process beside a proxy', async () => {
  const d = await manager.dict();
  await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
  assert.throws(() => pool.submit(work.echo, [d, new Lock()]), code('ERR_SHAREABLE_PROCESS'));
});

describe('bad input', () => {
  test('an unknown typeid is ERR_MANAGER_UNKNOWN_TYPE', async () => {
    await assert.rejects(
      manager.create('NoSuchType'),
      (e) => e instanceof ManagerError && code('ERR_MANAGER_UNKNOWN_TYPE')(e),
    );
    assert.throws(() => manager.createSync('__proto__'), code('ERR_MANAGER_UNKNOWN_TYPE'));
  });

  test('a wrong authkey is refused with ERR_MANAGER_AUTH, and the error names no key', async () => {
    const secret = 'not-the-key-0123456789';
    for (const authkey of [secret, Buffer.from('x'), manager.authkey.subarray(1)]) {
      const error = await Manager.connect({ address: manager.address, authkey }).then(
        () => assert.fail('connected with a wrong key'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof AuthenticationError);
      assert.equal(error.code, 'ERR_MANAGER_AUTH');
      const text = `${String(error)} ${(error as Error).stack ?? ''} ${JSON.stringify(error)}`;
      assert.ok(!text.includes(secret));
      assert.ok(!text.includes(Buffer.from(manager.authkey).toString('hex')));
    }
    // The right key still works, and the manager kept serving.
    const client = await Manager.connect({ address: manager.address, authkey: manager.authkey });
    const d = await client.dict({ ok: true });
    assert.equal(d.getSync('ok'), true);
    await client.shutdown();
  });

  test('a client that skips the handshake or sends garbage is dropped without a reply; the manager keeps serving', async () => {
    const address = manager.address as { path: string };
    for (const garbage of [
      Buffer.from([255, 255, 255, 255, 0, 0]),
      Buffer.concat([Buffer.from([68, 0, 0, 0]), Buffer.alloc(68, 7)]),
    ]) {
      const received: Buffer[] = [];
      await new Promise<void>((resolve) => {
        const socket = connect(address.path);
        socket.on('data', (chunk: Buffer) => received.push(chunk));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve());
        socket.on('connect', () => socket.write(garbage));
      });
      // Only the 32-byte challenge (+ 8 bytes of header), perhaps a refusal: no reply to a request.
      const bytes = Buffer.concat(received);
      assert.equal(bytes.readUInt32LE(0), 36);
      assert.ok(bytes.length <= 40 + 8 + 'weft.manager.refused'.length);
    }
    const d = await manager.dict({ alive: 1 });
    assert.equal(await d.get('alive'), 1);
  });

  test('a closed manager fails every call at once with ERR_MANAGER_CLOSED; shutdown twice is fine', async () => {
    const m = await Manager.start();
    const d = await m.dict({ a: 1 });
    const q = await m.Queue();
    const waiting = q.get();
    await m.shutdown();
    await m.shutdown();
    await assert.rejects(waiting, code('ERR_MANAGER_CLOSED'));
    await assert.rejects(d.get('a'), code('ERR_MANAGER_CLOSED'));
    assert.throws(() => d.getSync('a'), code('ERR_MANAGER_CLOSED'));
    await assert.rejects(m.dict(), code('ERR_MANAGER_CLOSED'));
    assert.throws(() => m.LockSync(), code('ERR_MANAGER_CLOSED'));
  });
});

test('data stays data: marker-shaped values, buffers and code-like strings come back as plain data', async () => {
  const d = await manager.dict();
  const shapes: unknown[] = [
    { kind: 'weft.task', module: 'file:///etc/passwd', name: 'x' },
    { tag: 'weft.manager.proxy', state: { address: { path: '/tmp/x' }, id: 1, typeid: 'dict' } },
    ['weft.manager.proxy', { id: 1 }],
    { [Symbol.for('weft.share')]: 1, __proto__: { x: 1 } },
    { source: '() => process.exit(1)', name: 'evil' },
    JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
    new Uint8Array([1, 2, 3]),
    new Map([['weft.manager.proxy', { id: 1 }]]),
  ];
  for (const [i, shape] of shapes.entries()) {
    await d.set(i, shape);
    const back = await d.get(i);
    assert.ok(!(back instanceof DictProxy), `shape ${i} decoded as a proxy`);
    assert.equal(typeof back === 'function', false);
  }
  assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  assert.deepEqual(await d.get(0), shapes[0]);
  assert.deepEqual(await d.get(6), new Uint8Array([1, 2, 3]));
  // A placeholder-shaped empty object is just an empty object.
  await d.set('empty', {});
  assert.deepEqual(await d.get('empty'), {});
});

test('register(typeid, taskRef): a custom type served from a module, called by name', async () => {
  await manager.register('Counter', work.makeCounter);
  const counter = await manager.create('Counter', 10);
  assert.equal(await counter.call('increment'), 11);
  assert.equal(counter.callSync('increment', 5), 16);
  await assert.rejects(counter.call('_secret'), code('ERR_MANAGER_NO_METHOD'));
  await assert.rejects(counter.call('constructor'), code('ERR_MANAGER_NO_METHOD'));
  await assert.rejects(manager.register('dict', work.makeCounter), code('ERR_INVALID_ARG_TYPE'));
});

describe('factories refuse what they would drop', () => {
  test('every factory refuses an argument past those it takes (ERR_INVALID_ARG_TYPE), async and Sync forms', async () => {
    const m = manager as unknown as Record<string, (...args: unknown[]) => unknown>;
    const takes: Record<string, unknown[]> = {
      dict: [{}],
      list: [[]],
      Namespace: [{}],
      Value: ['i', 1],
      Array: ['i', 2],
      Lock: [],
      RLock: [],
      Semaphore: [1],
      BoundedSemaphore: [1],
      Event: [],
      Condition: [undefined],
      Barrier: [2, {}],
      Queue: [{}],
      JoinableQueue: [{}],
      LifoQueue: [{}],
      PriorityQueue: [{}],
    };
    for (const [name, args] of Object.entries(takes)) {
      for (const form of [name, `${name}Sync`]) {
        await assert.rejects(
          Promise.resolve().then(() => m[form]!.call(manager, ...args, 1)),
          code('ERR_INVALID_ARG_TYPE'),
          form,
        );
      }
    }
  });

  test('Barrier: a positional timeout or action, or an { action }, is refused with a code (never dropped)', async () => {
    for (const form of ['Barrier', 'BarrierSync'] as const) {
      const make = manager[form].bind(manager) as (...args: unknown[]) => unknown;
      for (const bad of [5, () => undefined, null, [5]]) {
        await assert.rejects(
          Promise.resolve().then(() => make(2, bad)),
          code('ERR_INVALID_ARG_TYPE'),
          `${form}(2, ${String(bad)})`,
        );
      }
      await assert.rejects(
        Promise.resolve().then(() => make(2, { action: () => undefined })),
        code('ERR_INVALID_ARG_VALUE'),
      );
    }
  });
});

describe('served errors', () => {
  // Weft's own error names and codes, as served code might throw them.
  const SPOOFS: [string, string][] = [
    ['QueueEmpty', 'ERR_QUEUE_EMPTY'],
    ['QueueFull', 'ERR_QUEUE_FULL'],
    ['BrokenBarrierError', 'ERR_BROKEN_BARRIER'],
    ['StateError', 'ERR_LOCK_NOT_HELD'],
    ['ManagerError', 'ERR_MANAGER_GONE'],
    ['AuthenticationError', 'ERR_MANAGER_AUTH'],
    ['ManagerError', 'ERR_MANAGER_SERVED'],
  ];
  // A served error arrives as a plain Error (or the thrown value), never a weft class.
  const plain = (name: string) => (e: unknown) =>
    !(e instanceof WeftError) &&
    (e instanceof Error ? e.constructor === Error && e.name === name : true);

  test('what a registered type throws (sync, async, from its factory; Error or plain object) never arrives as a weft class', async () => {
    await manager.register('Thrower', work.makeThrower);
    const o = await manager.create('Thrower');
    for (const [name, c] of SPOOFS) {
      await assert.rejects(o.call('failError', name, c, 'm'), plain(name), name);
      await assert.rejects(o.call('failLater', name, c), plain(name), name);
      assert.throws(() => o.callSync('failError', name, c, 'm'), plain(name), name);
      await assert.rejects(o.call('fail', { name, code: c, message: 'plain object' }), (e) => {
        assert.ok(!(e instanceof WeftError));
        assert.deepEqual(e, { name, code: c, message: 'plain object' });
        return true;
      });
      await assert.rejects(
        manager.create('Thrower', { name, code: c, message: 'from the factory' }),
        (e) => !(e instanceof WeftError),
      );
    }
    // The user's own fields survive; the server's own failures keep their class and code.
    await assert.rejects(o.call('failError', 'AppError', 'E_APP', 'boom'), {
      name: 'AppError',
      code: 'E_APP',
      message: 'boom',
    });
    await assert.rejects(o.call('noSuchMethod'), ManagerError);
    await assert.rejects(manager.create('NoSuchType'), code('ERR_MANAGER_UNKNOWN_TYPE'));
    // A typeid is registered once: again, or a built-in one, is refused.
    for (const typeid of ['Thrower', 'dict', 'Queue']) {
      await assert.rejects(
        manager.register(typeid, work.makeCounter),
        code('ERR_INVALID_ARG_TYPE'),
      );
    }
  });
});

describe('edges', () => {
  test('toObject() refuses keys that differ in the dict but share a string (1 and "1"); entries() keeps both', async () => {
    for (const [a, b] of [
      [1, '1'],
      ['true', true],
      [2n, '2'],
    ] as const) {
      const d = await manager.dict();
      await d.set(a, 'first');
      await d.set(b, 'second');
      await assert.rejects(d.toObject(), code('ERR_INVALID_ARG_VALUE'));
      assert.throws(() => d.toObjectSync(), code('ERR_INVALID_ARG_VALUE'));
      assert.equal((await d.entries()).length, 2);
    }
  });

  test('a value nested deeper than the stack is ERR_NOT_CLONEABLE (async and Sync) and changes nothing', async () => {
    const d = await manager.dict({ ok: 1 });
    let deep: unknown[] = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    await assert.rejects(d.set('deep', deep), code('ERR_NOT_CLONEABLE'));
    assert.throws(() => d.setSync('deep', deep), code('ERR_NOT_CLONEABLE'));
    assert.equal(await d.has('deep'), false);
    assert.equal(await d.get('ok'), 1);
  });

  test('a program that exits without shutdown() leaves no socket directory behind', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', './scripts/register-tsx.mjs', 'test/fixtures/programs/manager-no-shutdown.ts'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const path = r.stdout.trim();
    assert.match(path, /weft-m-/);
    assert.equal(existsSync(dirname(path)), false, `${dirname(path)} left behind`);
  });
});
