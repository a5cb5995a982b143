// Every timeout up to Infinity is honoured. Node's setTimeout fires after 1 ms
// for a delay of 2^31 ms or more; weft's timers are clamped and re-armed
// (internal/scheduler.ts for weft/asyncio and weft/green; internal/timer.ts),
// and Atomics waits take any double. So a wait given 2^31 ms or more has not
// ended ~60 ms later, in every module outside futures (tested there), while
// small timeouts still fire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as pause } from 'node:timers/promises';
import * as asyncio from '../../src/asyncio/index.js';
import * as green from '../../src/green/index.js';
import * as threading from '../../src/threading/index.js';
import * as queue from '../../src/queue/index.js';
import { SharedArray } from '../../src/shared/index.js';
import { setLongTimeout } from '../../src/internal/timer.js';
import { checkNoLeaksAfterEach, track } from '../asyncio/helpers.js';

checkNoLeaksAfterEach();
green.setErrorHandler(() => {});

const LONG = [2 ** 31, 2 ** 31 + 1, 2 ** 32, 2 ** 40, Number.MAX_SAFE_INTEGER, 1e300] as const;
/** Longer than the 1 ms an overflowing Node timer takes, with room for a loaded machine. */
const WATCH = 60;

interface Started {
  readonly label: string;
  readonly settled: () => boolean;
  readonly stop: () => unknown;
}

/** Starts one long wait of each kind with timeout `ms`; each can be stopped. */
function startAll(ms: number): Started[] {
  const started: Started[] = [];
  const add = (label: string, promise: Promise<unknown>, stop: () => unknown): void => {
    const t = track(promise);
    started.push({ label, settled: () => t.settled, stop });
  };
  // weft/asyncio
  {
    const ac = new AbortController();
    add('asyncio.sleep', asyncio.sleep(ms, { signal: ac.signal }), () => ac.abort());
  }
  {
    const scope = asyncio.timeout(ms);
    add(
      'asyncio.timeout',
      new Promise((_, reject) => scope.signal.addEventListener('abort', reject)),
      () => scope[Symbol.dispose](),
    );
  }
  {
    const ac = new AbortController();
    add(
      'asyncio.waitFor',
      asyncio.waitFor(new Promise(() => {}), { timeout: ms, signal: ac.signal }),
      () => ac.abort(),
    );
  }
  {
    let fired = false;
    const handle = asyncio.getEventLoop().callLater(ms, () => (fired = true));
    started.push({ label: 'loop.callLater', settled: () => fired, stop: () => handle.cancel() });
  }
  {
    const event = new asyncio.Event();
    add('asyncio.Event.wait', event.wait({ timeout: ms }), () => event.set());
  }
  {
    const lock = new asyncio.Lock();
    void lock.acquire();
    add('asyncio.Lock.acquire', lock.acquire({ timeout: ms }), () => lock.release());
  }
  {
    const q = new asyncio.Queue<number>();
    add('asyncio.Queue.get', q.get({ timeout: ms }), () => q.putNowait(1));
  }
  // weft/green
  {
    const g = green.spawn(() => green.sleep(ms));
    add('green.sleep', g.join(), () => g.kill());
  }
  {
    const g = green.spawn(async () => {
      using _ = green.Timeout.startNew(ms);
      await green.sleep(WATCH * 2);
    });
    // Settles only when the Timeout fires early (the sleep outlives the watch).
    add(
      'green.Timeout',
      g.join().then(() => assert.equal(g.exception, undefined)),
      () => g.kill(),
    );
  }
  {
    const g = green.spawn(() => green.sleep(Infinity));
    add('green.join', g.join({ timeout: ms }), () => g.kill());
  }
  // weft/threading and weft/queue (Atomics.waitAsync with the timeout itself)
  {
    const event = new threading.Event();
    add('threading.Event.wait', event.wait({ timeout: ms }), () => event.set());
  }
  {
    const lock = new threading.Lock();
    lock.acquireSync();
    add('threading.Lock.acquire', lock.acquire({ timeout: ms }), () => lock.release());
  }
  {
    const q = new queue.Queue<number>({ maxsize: 4 });
    add('queue.Queue.get', q.get({ timeout: ms }), () => q.putNowait(1));
  }
  {
    let fired = false;
    const timer = setLongTimeout(() => (fired = true), ms);
    started.push({ label: 'setLongTimeout', settled: () => fired, stop: () => timer.clear() });
  }
  return started;
}

for (const ms of LONG) {
  test(`a timeout of ${ms} ms has not fired ${WATCH} ms later: asyncio, green, threading, queue, setLongTimeout`, async () => {
    const started = startAll(ms);
    try {
      await pause(WATCH);
      const early = started.filter((s) => s.settled()).map((s) => s.label);
      assert.deepEqual(early, [], `fired early with ${ms} ms`);
    } finally {
      for (const s of started) s.stop();
      await pause(5);
    }
  });
}

test('small timeouts still fire: 5 ms', async () => {
  const start = performance.now();
  await asyncio.sleep(5);
  assert.equal(await new asyncio.Event().wait({ timeout: 5 }), false);
  await assert.rejects(asyncio.waitFor(new Promise(() => {}), { timeout: 5 }));
  await new Promise<void>((resolve) => asyncio.getEventLoop().callLater(5, resolve));
  await green.spawn(() => green.sleep(5)).join();
  assert.equal(await new threading.Event().wait({ timeout: 5 }), false);
  const lock = new threading.Lock();
  lock.acquireSync();
  assert.equal(await lock.acquire({ timeout: 5 }), false);
  assert.equal(lock.acquireSync({ timeout: 5 }), false);
  lock.release();
  await new Promise<void>((resolve) => setLongTimeout(resolve, 5));
  assert.ok(performance.now() - start >= 5 * 9);
});

test('a blocking acquireSync({ timeout: 2 ** 40 }) in a thread waits for the release instead of timing out', async () => {
  const lock = new threading.Lock();
  lock.acquireSync();
  // out[0]: 1 = the thread is about to block, 2 = acquired, 3 = timed out.
  const out = new SharedArray('i', 1);
  const t = new threading.Thread({
    target: (l: threading.Lock, o: SharedArray<'i'>) => {
      o.set(0, 1);
      const ok = l.acquireSync({ timeout: 2 ** 40 });
      o.set(0, ok ? 2 : 3);
      if (ok) l.release();
    },
    args: [lock, out],
  });
  t.start();
  try {
    const deadline = performance.now() + 20_000;
    while (out.get(0) === 0 && performance.now() < deadline) await pause(5);
    assert.equal(out.get(0), 1, 'the thread started');
    await pause(WATCH);
    assert.equal(out.get(0), 1, 'still blocked, not timed out');
  } finally {
    lock.release();
    assert.equal(await t.join({ timeout: 20_000 }), true);
  }
  assert.equal(out.get(0), 2);
});
