// Group and Pool: gevent's group API, the size limit, and deterministic
// imapUnordered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  getCurrent,
  Group,
  GreenletExit,
  Pool,
  setErrorHandler,
  sleep,
  spawn,
  Timeout,
} from '../../src/green/index.js';
import { assertWaited, checkNoLeaksAfterEach, settle } from '../asyncio/helpers.js';

checkNoLeaksAfterEach();
setErrorHandler(() => {});

/** Collects an async iterable. */
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('Pool size is never exceeded, whatever the timings', async () => {
  const pool = new Pool(4);
  assert.equal(pool.size, 4);
  let active = 0;
  let maxActive = 0;
  const work = async (i: number): Promise<number> => {
    active++;
    maxActive = Math.max(maxActive, active);
    assert.ok(pool.length <= pool.size);
    await sleep((i * 7) % 5);
    active--;
    return i;
  };
  const results = await pool.map(
    work,
    Array.from({ length: 40 }, (_, i) => i),
  );
  assert.deepEqual(
    results,
    Array.from({ length: 40 }, (_, i) => i),
  );
  assert.equal(maxActive, 4);
  assert.equal(pool.length, 0);
  assert.equal(pool.freeCount(), 4);
  // spawn directly: the fifth waits for room.
  const gs = await Promise.all(Array.from({ length: 4 }, () => pool.spawn(() => sleep(20))));
  assert.equal(pool.full(), true);
  const start = performance.now();
  const fifth = await pool.spawn(() => 'fifth');
  assert.ok(performance.now() - start >= 19, 'the fifth spawn waited for room');
  assert.ok(gs.some((g) => g.ready()));
  await pool.join();
  assert.equal(fifth.value, 'fifth');
});

test("imapUnordered over a Pool gives the same order on every run (the seed's check_runs)", async () => {
  const pool = new Pool(10);
  const echo = async (i: number): Promise<number> => {
    await sleep(1);
    return i;
  };
  const runs = [];
  for (let r = 0; r < 4; r++)
    runs.push(
      await collect(
        pool.imapUnordered(
          echo,
          Array.from({ length: 10 }, (_, i) => i),
        ),
      ),
    );
  for (const run of runs) assert.deepEqual(run, runs[0]);
  assert.deepEqual(runs[0], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'equal timings finish in start order');
});

test('imapUnordered yields in finishing order; imap and map keep input order', async () => {
  // Each item finishes when the test releases it: the finishing order is
  // chosen here, not left to timer precision.
  const releases = new Map<string, () => void>();
  const work = async (name: string): Promise<string> => {
    await new Promise<void>((resolve) => releases.set(name, resolve));
    return name;
  };
  const release = async (order: readonly string[]): Promise<void> => {
    for (const name of order) {
      while (!releases.has(name)) await sleep(0);
      releases.get(name)!();
      releases.delete(name);
      await sleep(0);
    }
  };
  const pool = new Pool(3);
  const items = ['a', 'b', 'c', 'd', 'e'];
  // Room for 3: d starts when b finishes, e when c does.
  const unordered = collect(pool.imapUnordered(work, items));
  await release(['b', 'c', 'e', 'a', 'd']);
  assert.deepEqual(await unordered, ['b', 'c', 'e', 'a', 'd']);
  const ordered = collect(pool.imap(work, items));
  await release(['c', 'a', 'd', 'b', 'e']);
  assert.deepEqual(await ordered, items);
  const mapped = pool.map(work, items);
  await release(['c', 'b', 'a', 'e', 'd']);
  assert.deepEqual(await mapped, items);
  async function* gen(): AsyncGenerator<number> {
    yield 3;
    await sleep(1);
    yield 1;
  }
  assert.deepEqual(
    await new Group().map(async (ms: number) => (await sleep(ms), ms), gen()),
    [3, 1],
  );
});

test('imap: a failure is thrown at its place; imapUnordered: when it arrives', async () => {
  const pool = new Pool(2);
  const work = async (i: number): Promise<number> => {
    await sleep(i);
    if (i === 3) throw new Error(`bad ${i}`);
    return i;
  };
  const got: number[] = [];
  await assert.rejects(async () => {
    for await (const x of pool.imap(work, [1, 3, 2])) got.push(x);
  }, /bad 3/);
  assert.deepEqual(got, [1]);
  await assert.rejects(pool.map(work, [3, 1]), /bad 3/);
  await pool.join();
  const failing = (): Iterable<number> => ({
    *[Symbol.iterator]() {
      yield 1;
      throw new Error('input failed');
    },
  });
  await assert.rejects(collect(pool.imapUnordered(work, failing())), /input failed/);
  await pool.join();
});

test('leaving imapUnordered early starts nothing more; the running ones finish', async () => {
  const pool = new Pool(2);
  let started = 0;
  const work = async (i: number): Promise<number> => {
    started++;
    await sleep(5);
    return i;
  };
  for await (const x of pool.imapUnordered(
    work,
    Array.from({ length: 100 }, (_, i) => i),
  )) {
    assert.equal(x, 0);
    break;
  }
  await pool.join();
  await settle();
  assert.ok(started <= 4, `started ${started}`);
  assert.equal(pool.freeCount(), 2);
});

test('waitAvailable and add wait for room, or throw Timeout no sooner than their timeout', async () => {
  const pool = new Pool(1);
  assert.equal(await pool.waitAvailable(), 1);
  const busy = await pool.spawn(() => sleep(60_000));
  let start = performance.now();
  await assert.rejects(pool.waitAvailable({ timeout: 10 }), (e) => e instanceof Timeout);
  assertWaited(start, 10);
  start = performance.now();
  await assert.rejects(
    pool.add(
      spawn(() => 1),
      { timeout: 10 },
    ),
    Timeout,
  );
  assertWaited(start, 10);
  void busy.kill({ block: false });
  assert.equal(await pool.waitAvailable(), 1);
  assert.equal(busy.ready(), true);
  const g = spawn(() => sleep(1));
  await pool.add(g);
  assert.equal(pool.has(g), true);
  await pool.join();
  assert.equal(pool.has(g), false);
  assert.throws(() => new Pool(0), RangeError);
  assert.equal(String(pool), '<Pool size=1 length=0 free=1>');
});

test('a pool spawn waiting for room is interrupted by a kill of its greenlet', async () => {
  const pool = new Pool(1);
  await pool.spawn(() => sleep(60_000));
  const spawner = spawn(() => pool.spawn(() => 'never'));
  await settle();
  await spawner.kill();
  assert.ok(spawner.value instanceof GreenletExit);
  assert.equal(pool.length, 1);
  assert.equal(await pool.kill(), true);
  assert.equal(pool.length, 0);
  assert.equal(pool.freeCount(), 1);
});

test('Group: spawn, add, discard, join, kill; members leave when they finish', async () => {
  const group = new Group();
  const a = group.spawn(() => sleep(5));
  const b = spawn(() => sleep(60_000));
  group.add(b);
  group.add(b);
  assert.equal(group.length, 2);
  assert.deepEqual([...group], [a, b]);
  assert.equal(await group.join({ timeout: 15 }), false);
  await a.join();
  assert.equal(group.has(a), false);
  group.discard(b);
  assert.equal(await group.join(), true);
  await b.kill();
  const c = group.spawn(() => sleep(60_000));
  await settle();
  assert.equal(await group.kill(), true);
  assert.ok(c.value instanceof GreenletExit);
  assert.equal(String(group), '<Group length=0>');
});

test('Group.join({ raiseError }) throws the error of a member that failed', async () => {
  const group = new Group();
  group.spawn(async () => {
    await sleep(1);
    throw new Error('member failed');
  });
  group.spawn(() => sleep(5));
  await assert.rejects(group.join({ raiseError: true }), /member failed/);
  assert.equal(group.length, 0);
});

test('greenlets of a pool know they are the current greenlet', async () => {
  const pool = new Pool(2);
  const names = await pool.map(async () => {
    await sleep(0);
    return getCurrent()?.name;
  }, [1, 2, 3]);
  assert.ok(names.every((n) => typeof n === 'string' && n.startsWith('Greenlet-')));
  assert.equal(new Set(names).size, 3);
});
