// The two drivers of internal/blocking.ts, on one thread: deadlines, answers,
// abort delivered into the protocol (its finally runs, once), calls, and
// deadlines past Node's 2^31 ms timer limit.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
  abortedRejection,
  call,
  deadlineOf,
  PARK_CHANGED,
  PARK_DEADLINE,
  PARK_OK,
  park,
  runAsync,
  runSync,
} from '../../src/internal/blocking.js';
import type { Protocol, Woken } from '../../src/internal/blocking.js';

const words = (): Int32Array => new Int32Array(new SharedArrayBuffer(8));

// Parks once on word 0 (while it is 0) and reports what the park answered.
function* once(i32: Int32Array, deadline: number, spin = 0): Protocol<Woken> {
  return yield park(i32, 0, 0, deadline, Infinity, spin);
}

// Parks in slices until the deadline; counts the parks.
function* sliced(i32: Int32Array, deadline: number, slice: number): Protocol<number> {
  let parks = 0;
  let woken: Woken = PARK_OK;
  while (woken !== PARK_DEADLINE) {
    parks++;
    woken = yield park(i32, 0, 0, deadline, slice);
  }
  return parks;
}

for (const form of ['sync', 'async'] as const) {
  const run = <R>(p: Protocol<R>): Promise<R> =>
    form === 'sync' ? Promise.resolve(runSync(p)) : runAsync(p);

  test(`${form}: a park answers PARK_DEADLINE no sooner than its deadline, in slices`, async () => {
    const i32 = words();
    const start = performance.now();
    assert.equal(await run(once(i32, deadlineOf(60))), PARK_DEADLINE);
    assert.ok(performance.now() - start >= 59.9, `returned after ${performance.now() - start} ms`);
    const t = performance.now();
    const parks = await run(sliced(i32, deadlineOf(60), 15));
    assert.ok(performance.now() - t >= 59.9);
    assert.ok(parks >= 2, `${parks} parks of at most 15 ms in 60 ms`);
  });

  test(`${form}: a passed deadline answers PARK_DEADLINE without parking; a changed word PARK_CHANGED`, async () => {
    const i32 = words();
    assert.equal(await run(once(i32, deadlineOf(0))), PARK_DEADLINE);
    // A spin that sees no change falls through to the (passed) deadline.
    assert.equal(await run(once(i32, 0, 64)), PARK_DEADLINE);
    i32[0] = 1;
    assert.equal(await run(once(i32, Infinity)), PARK_CHANGED);
    assert.equal(await run(once(i32, Infinity, 64)), PARK_CHANGED);
  });

  test(`${form}: a deadline past 2^31 ms is accepted and does not fire early`, async () => {
    const i32 = words();
    i32[0] = 1;
    // Not equal: returns at once, whatever the timeout.
    assert.equal(await run(once(i32, deadlineOf(2 ** 31 + 1000))), PARK_CHANGED);
    if (form === 'sync') return;
    i32[0] = 0;
    const parked = runAsync(once(i32, deadlineOf(2 ** 31 + 1000)));
    let settled = false;
    void parked.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(settled, false, 'a 2^31+ ms park must not end early (Node timers fire at 1 ms)');
    Atomics.store(i32, 0, 1);
    Atomics.notify(i32, 0);
    assert.equal(await parked, PARK_OK);
  });

  test(`${form}: a call step runs fn (awaited by the async driver); its error is thrown into the protocol`, async () => {
    const seen: string[] = [];
    function* calls(): Protocol<string> {
      yield call(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push('awaited');
      });
      seen.push('after');
      try {
        yield call(() => {
          throw new Error('boom');
        });
      } catch (e) {
        return (e as Error).message;
      }
      return 'no throw';
    }
    assert.equal(await run(calls()), 'boom');
    // The sync driver does not wait for fn's promise.
    assert.deepEqual(seen, form === 'async' ? ['awaited', 'after'] : ['after']);
  });
}

test('async: an abort while parked throws signal.reason into the protocol once: finally runs, clean-up parks are not aborted', async () => {
  const i32 = words();
  const controller = new AbortController();
  const reason = new Error('stop');
  const trail: string[] = [];
  function* protocol(): Protocol<string> {
    try {
      yield park(i32, 0, 0, Infinity);
      trail.push('woken');
    } catch (e) {
      trail.push(e === reason ? 'caught reason' : 'caught other');
      // A clean-up park (re-taking a lock, say) must run to its end.
      const cleanup = yield park(i32, 0, 0, deadlineOf(20));
      trail.push(cleanup === PARK_DEADLINE ? 'cleanup ran' : 'cleanup cut');
      throw e;
    } finally {
      trail.push('finally');
    }
    return 'done';
  }
  const running = runAsync(protocol(), controller.signal);
  await new Promise((resolve) => setTimeout(resolve, 10));
  controller.abort(reason);
  await assert.rejects(running, (e) => e === reason);
  assert.deepEqual(trail, ['caught reason', 'cleanup ran', 'finally']);
});

test('abortedRejection: an aborted signal rejects with its reason; none or a live one gives undefined', async () => {
  const reason = new Error('early');
  await assert.rejects(abortedRejection(AbortSignal.abort(reason))!, (e) => e === reason);
  assert.equal(abortedRejection(undefined), undefined);
  assert.equal(abortedRejection(new AbortController().signal), undefined);
});
