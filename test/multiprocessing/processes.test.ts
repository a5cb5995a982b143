// Manager across processes, the faults: a client killed mid-call (at random points), a dead
// manager, shutdown under clients, a manager whose process is SIGKILLed,
// remote (TCP) managers.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Manager, type Address, type DictProxy } from '../../src/multiprocessing/index.js';

import { Child, DEADLINE, until } from './children.js';

const manager = await Manager.start();
after(() => manager.shutdown());

const code = (c: string) => (e: unknown) => (e as { code?: unknown }).code === c;

describe('a client process killed mid-call', () => {
  test('while holding a Lock: the server releases it at once (abandoned() counts it) and keeps serving', async (t) => {
    for (const kind of ['Lock', 'RLock'] as const) {
      const lock = kind === 'Lock' ? await manager.Lock() : await manager.RLock();
      const child = new Child(t);
      await child.next();
      child.send('hold', lock);
      await child.next();
      assert.equal(lock.locked(), true);
      assert.equal(await lock.acquire({ timeout: 0 }), false);
      const waiter = lock.acquire({ timeout: DEADLINE });
      await child.kill();
      assert.equal(await waiter, true, `${kind}: the waiter got the dead holder's lock`);
      assert.equal(lock.abandoned(), 1);
      lock.release();
      assert.equal(lock.locked(), false);
    }
  });

  test('at random points of a locked read-modify-write loop: the lock is never left held, the count stays consistent', async (t) => {
    const lock = await manager.Lock();
    const value = await manager.Value('i', 0);
    const d = await manager.dict();
    for (let round = 0; round < 6; round++) {
      const child = new Child(t);
      await child.next();
      child.send('incrementForever', lock, value);
      await child.next();
      const before = value.getSync();
      await until(() => value.getSync() > before, 'the child counted');
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
      await child.kill();
      // Whatever instruction it died at, the lock comes free and stays usable.
      assert.equal(await lock.acquire({ timeout: DEADLINE }), true);
      const seen = value.getSync();
      value.setSync(seen + 1);
      assert.equal(value.getSync(), seen + 1);
      lock.release();
      await d.set(round, seen);
    }
    assert.equal(await d.size(), 6);
    assert.ok(lock.abandoned() <= 6);
  });

  test('while blocked in a Sync acquire: its wait is dropped, the lock is never handed to the dead process', async (t) => {
    const lock = await manager.Lock();
    assert.equal(lock.acquireSync(), true);
    const child = new Child(t);
    await child.next();
    child.send('waitForLock', lock);
    await child.next();
    await child.kill();
    lock.release();
    // Free at once, or — if the release won the race with the server noticing the death — freed by it.
    await until(() => !lock.locked(), 'the lock is free');
    assert.equal(lock.acquireSync({ timeout: 0 }), true);
    lock.release();
  });
});

test("a child's main thread: Sync calls take the lane (two FIFOs) and stay in order after its async calls", async (t) => {
  const d = await manager.dict();
  const child = new Child(t);
  await child.next();
  const n = 50;
  child.send('ordered', d, n);
  const { seen, fifos } = (await child.next()) as { seen: number[]; fifos: number };
  assert.deepEqual(
    seen,
    Array.from({ length: 20 }, (_, round) => round * n + n - 1),
  );
  if (process.platform === 'linux') assert.equal(fifos, 2, 'the lane: a request and a reply FIFO');
});

describe('a dead manager', () => {
  test('every proxy call fails fast with ERR_MANAGER_GONE, pending calls included (no hang)', async (t) => {
    const server = new Child(t);
    await server.next();
    server.send('serve');
    const { d, address } = (await server.next()) as { d: DictProxy; address: Address };
    assert.equal('path' in address, true);
    assert.equal(d.getSync('owner'), server.process.pid);
    const q = (await d.get('owner')) as number;
    assert.equal(q, server.process.pid);
    await server.kill();
    const t0 = performance.now();
    assert.throws(() => d.getSync('owner'), code('ERR_MANAGER_GONE'));
    await assert.rejects(d.get('owner'), code('ERR_MANAGER_GONE'));
    await assert.rejects(d.set('x', 1), code('ERR_MANAGER_GONE'));
    assert.ok(performance.now() - t0 < 10_000, 'the calls failed fast');
  });

  test('dies with its process, even by SIGKILL: nothing answers at its address afterwards', async (t) => {
    for (const kind of ['unix', 'tcp']) {
      const server = new Child(t);
      await server.next();
      server.send('serve', kind);
      const { address, authkey } = (await server.next()) as {
        address: Address;
        authkey: Uint8Array;
      };
      const client = await Manager.connect({ address, authkey });
      assert.equal((await client.dict({ a: 1 })).getSync('a'), 1);
      await client.shutdown();
      await server.kill();
      await assert.rejects(Manager.connect({ address, authkey }), code('ERR_MANAGER_UNREACHABLE'));
    }
  });
});

test('shutdown() ends the server: proxies in child processes fail cleanly with ERR_MANAGER_GONE', async (t) => {
  const m = await Manager.start();
  const d = await m.dict({ owner: process.pid });
  const children = [new Child(t), new Child(t)];
  await Promise.all(children.map((c) => c.next()));
  for (const c of children) c.send('callUntilError', d);
  for (const c of children) assert.equal((await c.next()).ready, process.pid);
  await m.shutdown();
  for (const c of children) {
    const reply = await c.next();
    assert.equal(reply.syncCode, 'ERR_MANAGER_GONE');
    assert.equal(reply.asyncCode, 'ERR_MANAGER_GONE');
  }
});

test('remote manager over TCP: connect with the key works, a wrong key is refused', async (t) => {
  const server = new Child(t);
  await server.next();
  server.send('serve', 'tcp');
  const { address, authkey, d } = (await server.next()) as {
    address: Address;
    authkey: Uint8Array;
    d: DictProxy;
  };
  assert.equal('host' in address && address.host, '127.0.0.1');
  await assert.rejects(
    Manager.connect({ address, authkey: Buffer.from('wrong') }),
    code('ERR_MANAGER_AUTH'),
  );
  const client = await Manager.connect({ address, authkey });
  const mine = await client.dict();
  await mine.set('remote', d);
  const back = (await mine.get('remote')) as DictProxy;
  assert.equal(await back.get('owner'), server.process.pid);
  await client.shutdown();
  await assert.rejects(mine.get('remote'), code('ERR_MANAGER_CLOSED'));
});
