// Greenlets: gevent's spawn / join / kill / joinAll / killAll / Timeout,
// deterministic cooperative scheduling in one thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  getCurrent,
  Greenlet,
  GreenletExit,
  joinAll,
  killAll,
  setErrorHandler,
  sleep,
  spawn,
  spawnLater,
  Timeout,
  wait,
} from '../../src/green/index.js';
import { assertWaited, checkNoLeaksAfterEach, settle } from '../asyncio/helpers.js';

checkNoLeaksAfterEach();
// Failing greenlets are part of these tests: keep stderr for real problems.
setErrorHandler(() => {});

test('spawn runs the function later, in spawn order; value, ready and successful', async () => {
  const log: string[] = [];
  const a = spawn((x: number) => {
    log.push(`a${x}`);
    return x * 2;
  }, 21);
  const b = spawn(async () => {
    log.push('b');
    await sleep(1);
    return 'b done';
  });
  log.push('spawned');
  assert.equal(a.started, true);
  assert.equal(a.ready(), false);
  await joinAll([a, b]);
  assert.deepEqual(log, ['spawned', 'a21', 'b']);
  assert.equal(a.value, 42);
  assert.equal(b.value, 'b done');
  assert.equal(a.successful(), true);
  assert.equal(a.dead, true);
  assert.equal(a.exception, undefined);
});

test('sleep(0) yields: greenlets take turns in a deterministic round robin', async () => {
  for (let run = 0; run < 3; run++) {
    const log: string[] = [];
    const counter = (name: string, n: number) => async () => {
      for (let i = 0; i < n; i++) {
        log.push(`${name}${i}`);
        await sleep(0);
      }
    };
    await joinAll([spawn(counter('foo', 4)), spawn(counter('bar', 2)), spawn(counter('baz', 3))]);
    assert.deepEqual(log, ['foo0', 'bar0', 'baz0', 'foo1', 'bar1', 'baz1', 'foo2', 'baz2', 'foo3']);
  }
});

test('a failing greenlet keeps its exception; get() throws it; joinAll raiseError throws it', async () => {
  const err = new Error('boom');
  const bad = spawn(async () => {
    await sleep(1);
    throw err;
  });
  let release!: () => void;
  const slow = spawn(() => new Promise<void>((resolve) => (release = resolve)));
  await assert.rejects(joinAll([slow, bad], { raiseError: true }), (e) => e === err);
  assert.equal(slow.ready(), false, 'raiseError throws as soon as one fails');
  assert.equal(bad.successful(), false);
  assert.equal(bad.exception, err);
  assert.equal(bad.value, undefined);
  await assert.rejects(bad.get(), (e) => e === err);
  release();
  const done = await joinAll([slow, bad]);
  assert.deepEqual(done, [bad, slow]);
  const sync = spawn(() => {
    throw new TypeError('sync');
  });
  await sync.join();
  assert.ok(sync.exception instanceof TypeError);
});

test('kill: a running greenlet gets GreenletExit at its sleep, counts as successful, signal aborts', async () => {
  let caught: unknown;
  const g = spawn(async () => {
    try {
      await sleep(60_000);
    } catch (e) {
      caught = e;
      throw e;
    }
  });
  await settle();
  assert.equal(await g.kill(), true);
  assert.ok(caught instanceof GreenletExit);
  assert.equal(g.successful(), true);
  assert.equal(g.value, caught);
  assert.equal(g.signal.aborted, true);
  assert.equal(g.signal.reason, caught);
  assert.equal(await g.kill(), true, 'killing a dead greenlet is a no-op');
});

test('kill before it ran: it never runs', async () => {
  let ran = false;
  const g = spawn(() => {
    ran = true;
  });
  await g.kill();
  await settle();
  assert.equal(ran, false);
  assert.equal(g.dead, true);
  assert.ok(g.value instanceof GreenletExit);
  const unstarted = new Greenlet(() => 1);
  await unstarted.kill({ exception: new Error('custom') });
  assert.equal(unstarted.successful(), false);
  unstarted.start();
  await settle();
  assert.equal(unstarted.value, undefined);
});

test('kill with a custom exception: the greenlet fails with it', async () => {
  const reason = new Error('custom');
  const g = spawn(() => sleep(60_000));
  await settle();
  await g.kill({ exception: reason });
  assert.equal(g.exception, reason);
  assert.equal(g.successful(), false);
});

test('kill of a greenlet awaiting something else: its signal aborts, and its next green call raises', async () => {
  const log: string[] = [];
  const g = spawn(async () => {
    const me = getCurrent()!;
    await new Promise<void>((resolve) => {
      me.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    log.push('signal aborted');
    await sleep(0); // the kill is raised here
    log.push('not reached');
  });
  await settle();
  assert.equal(await g.kill({ timeout: 5000 }), true);
  assert.deepEqual(log, ['signal aborted']);
  assert.ok(g.value instanceof GreenletExit);
});

test('kill with a timeout gives up no sooner than it on a greenlet that ignores the kill', async () => {
  let stop = false;
  const g = spawn(async () => {
    for (;;) {
      try {
        await sleep(2);
      } catch {
        // ignores GreenletExit
      }
      if (stop) return 'survived';
    }
  });
  await settle();
  const start = performance.now();
  assert.equal(await g.kill({ timeout: 20 }), false);
  assertWaited(start, 20);
  assert.equal(await g.kill({ block: false }), false);
  stop = true;
  assert.equal(await g.join(), true);
  assert.equal(g.value, 'survived');
});

test('join({ timeout }) returns false no sooner than its timeout, true once finished', async () => {
  const g = spawn(() => sleep(60_000));
  const start = performance.now();
  assert.equal(await g.join({ timeout: 15 }), false);
  assertWaited(start, 15);
  assert.equal(await g.join({ timeout: 0 }), false);
  void g.kill({ block: false });
  assert.equal(await g.join(), true);
  assert.equal(await g.join({ timeout: 0 }), true);
  await assert.rejects(g.join({ timeout: -1 }), RangeError);
});

test('get({ block: false }) or a timed-out get throws a Timeout', async () => {
  const g = spawn(() => sleep(30).then(() => 'v'));
  await assert.rejects(g.get({ block: false }), (e) => e instanceof Timeout);
  await assert.rejects(
    g.get({ timeout: 5 }),
    (e) => e instanceof Timeout && e.code === 'ERR_TIMEOUT',
  );
  assert.equal(await g.get(), 'v');
});

test('joinAll timeout: returns the finished ones no sooner than its timeout', async () => {
  const fast = spawn(() => 'at once');
  const slow = spawn(() => sleep(60_000));
  const start = performance.now();
  const done = await joinAll([slow, fast], { timeout: 20 });
  assertWaited(start, 20);
  assert.deepEqual(done, [fast]);
  void slow.kill({ block: false });
  assert.deepEqual(await joinAll([slow, fast]), [fast, slow]);
  assert.deepEqual(await joinAll([]), []);
  await assert.rejects(joinAll([1 as never]), TypeError);
});

test('wait({ count }) returns as soon as that many finished, in finishing order', async () => {
  const release: (() => void)[] = [];
  const gs = [0, 1, 2].map((i) =>
    spawn(() => new Promise<void>((resolve) => (release[i] = resolve))),
  );
  await settle();
  const first = wait(gs, { count: 1 });
  release[1]!();
  assert.deepEqual(await first, [gs[1]]);
  const all = wait(gs);
  release[2]!();
  await settle();
  release[0]!();
  assert.deepEqual(await all, [gs[1], gs[2], gs[0]], 'the finished one first, then as they finish');
});

test('killAll kills every greenlet', async () => {
  const gs = Array.from({ length: 5 }, () => spawn(() => sleep(60_000)));
  await settle();
  assert.equal(await killAll(gs), true);
  assert.ok(gs.every((g) => g.dead && g.value instanceof GreenletExit));
  const more = [spawn(() => sleep(60_000)), spawn(() => 1)];
  assert.equal(await killAll(more, { block: false }), true, 'unstarted ones die at once');
});

test('getCurrent: the running greenlet inside one, undefined outside', async () => {
  assert.equal(getCurrent(), undefined);
  const seen: (Greenlet | undefined)[] = [];
  const g = spawn(async () => {
    seen.push(getCurrent());
    await sleep(1);
    seen.push(getCurrent());
  });
  await g.join();
  assert.deepEqual(seen, [g, g]);
});

test('Timeout: raised in the greenlet that started it, at its blocking call, no sooner than ms', async () => {
  let caught: unknown;
  let timeout!: Timeout;
  const start = performance.now();
  const g = spawn(async () => {
    timeout = Timeout.startNew(20);
    try {
      await sleep(60_000);
    } catch (e) {
      caught = e;
    } finally {
      timeout.cancel();
    }
  });
  await g.join();
  assertWaited(start, 20);
  assert.equal(caught, timeout);
  assert.ok(caught instanceof Timeout);
  assert.equal(timeout.expired, true);
  assert.equal(timeout.signal.reason, timeout);
  assert.equal(g.successful(), true);
});

test('Timeout with an exception raises that; cancelled in time it raises nothing', async () => {
  const reason = new Error('too slow');
  const g = spawn(async () => {
    using _t = Timeout.startNew(5, reason);
    await sleep(60_000);
  });
  await g.join();
  assert.equal(g.exception, reason);
  const ok = spawn(async () => {
    {
      using _t = Timeout.startNew(10);
      await sleep(1);
    }
    await sleep(20);
    return 'fine';
  });
  assert.equal(await ok.get(), 'fine');
});

test('Timeout outside greenlets applies to the main flow', async () => {
  using timeout = Timeout.startNew(10);
  await assert.rejects(sleep(60_000), (e) => e === timeout);
  assert.equal(timeout.pending, false);
  assert.throws(() => new Timeout(-1), RangeError);
  const never = new Timeout();
  assert.equal(never.start().pending, false);
  using started = Timeout.startNew(1000);
  assert.throws(() => started.start(), { code: 'ERR_TIMEOUT_PENDING' });
});

test('link: callbacks run after the greenlet finished; unlink removes one', async () => {
  const log: string[] = [];
  const g = spawn(() => 'x');
  const removed = (): void => void log.push('removed');
  g.link((done) => log.push(`linked ${String(done.value)}`));
  g.link(removed);
  g.unlink(removed);
  await g.join();
  await settle();
  g.link(() => log.push('late'));
  await settle();
  assert.deepEqual(log, ['linked x', 'late']);
});

test('spawnLater starts after the delay; startLater validates it', async () => {
  const start = performance.now();
  const g = spawnLater(15, () => performance.now());
  const first = spawn(() => performance.now());
  await joinAll([g, first]);
  const ranAt = await g.get();
  assert.ok(ranAt - start >= 15);
  assert.ok((await first.get()) < ranAt);
  assert.throws(() => spawnLater(-1, () => {}), RangeError);
});

test("greenlets describe themselves like gevent's", async () => {
  const g = spawn(function fetchPage(_a: number, _b: string) {}, 1, 'x');
  assert.match(inspect(g), /^<Greenlet "Greenlet-\d+": fetchPage\(1, 'x'\)>$/);
  assert.match(String(spawn(() => 'hello')), /: <anonymous>\(\)>$/);
  await settle();
  assert.throws(() => spawn(5 as never), /`fn`/);
});

test('failures go to the error handler; by default they are printed, as gevent does', async () => {
  const seen: [Greenlet, unknown][] = [];
  setErrorHandler((g, e) => seen.push([g, e]));
  const err = new Error('reported');
  const g = spawn(() => Promise.reject(err));
  const killed = spawn(() => sleep(60_000));
  await settle();
  await killed.kill();
  await g.join();
  assert.deepEqual(seen, [[g, err]], 'a kill with GreenletExit is not a failure');
  const printed: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  try {
    setErrorHandler(undefined);
    await spawn(function failing() {
      throw new RangeError('printed');
    }).join();
  } finally {
    console.error = original;
    setErrorHandler(() => {});
  }
  assert.match(printed.join('\n'), /RangeError: printed/);
  assert.match(printed.join('\n'), /<Greenlet "Greenlet-\d+": failing\(\)> failed with RangeError/);
  assert.throws(() => setErrorHandler(1 as never), /`handler`/);
});
