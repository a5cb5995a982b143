import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  activeCount,
  currentThread,
  enumerate,
  Event,
  Lock,
  mainThread,
  setExcepthook,
  StateError,
  tasks,
  Thread,
} from '../../src/threading/index.js';
import type { ExceptHookArgs } from '../../src/threading/index.js';
import { SharedArray, Value } from '../../src/shared/index.js';

const fx = tasks<typeof import('../fixtures/threads.js')>(
  new URL('../fixtures/threads.ts', import.meta.url),
);
const DEADLINE = { timeout: 30_000 };

function run(program: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', './scripts/register-tsx.mjs', `test/fixtures/programs/${program}`],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('isAlive is true from start() until the target finishes; join returns true', async () => {
  const release = new Event();
  const t = new Thread({ target: fx.waitFor, args: [release] });
  assert.equal(t.isAlive(), false);
  assert.equal(t.ident, undefined);
  t.start();
  assert.equal(t.isAlive(), true);
  assert.equal(typeof t.ident, 'number');
  release.set();
  assert.equal(await t.join(DEADLINE), true);
  assert.equal(t.isAlive(), false);
});

test('join and joinSync time out (lower bound) while the target runs', async () => {
  const release = new Event();
  const t = new Thread({ target: fx.waitFor, args: [release] });
  t.start();
  let start = performance.now();
  assert.equal(await t.join({ timeout: 50 }), false);
  assert.ok(performance.now() - start >= 49);
  start = performance.now();
  assert.equal(t.joinSync({ timeout: 50 }), false);
  assert.ok(performance.now() - start >= 49);
  assert.equal(t.isAlive(), true);
  release.set();
  assert.equal(t.joinSync(DEADLINE), true);
});

test('start twice and join before start throw ERR_THREAD_STATE; bad options throw', async () => {
  const t = new Thread({ target: () => {} });
  assert.throws(
    () => t.joinSync(),
    (e: unknown) => e instanceof StateError && e.code === 'ERR_THREAD_STATE',
  );
  await assert.rejects(
    t.join(),
    (e: unknown) => e instanceof StateError && e.code === 'ERR_THREAD_STATE',
  );
  t.start();
  assert.throws(
    () => t.start(),
    (e: unknown) => e instanceof StateError && e.code === 'ERR_THREAD_STATE',
  );
  assert.throws(() => (t.daemon = true), StateError);
  assert.throws(() => t.joinSync({ timeout: -1 }), RangeError);
  await t.join();
  assert.throws(() => new Thread({ target: 42 as never }), TypeError);
  assert.throws(() => new Thread({ target: () => {}, args: 'x' as never }), TypeError);
  assert.throws(() => currentThread().joinSync(), StateError);
});

test('an inline function that captures outer variables is refused with a clear error', () => {
  const outer = 1;
  assert.throws(
    () => new Thread({ target: () => outer + 1 }),
    (e: unknown) =>
      e instanceof TypeError &&
      (e as { code?: string }).code === 'ERR_INLINE_CAPTURE' &&
      /`outer`/.test(e.message),
  );
  assert.throws(() => new Thread({ target: Math.max }), TypeError);
});

test('names: default Thread-N, given names, currentThread() inside the thread', async () => {
  assert.match(new Thread({ target: () => {} }).name, /^Thread-\d+$/);
  const ok = new Value('i', 0);
  const t = new Thread({ target: fx.reportName, args: ['worker-a', ok], name: 'worker-a' });
  t.start();
  await t.join(DEADLINE);
  assert.equal(ok.value, 1);
  assert.equal(currentThread(), mainThread());
  assert.equal(mainThread().name, 'MainThread');
  assert.equal(mainThread().ident, 0);
});

test('enumerate() and activeCount() see every live thread, from any thread', async () => {
  const out = new SharedArray('i', 3);
  const started = new Event();
  const release = new Event();
  const blocker = new Thread({ target: fx.waitFor, args: [release], name: 'blocker' });
  blocker.start();
  const counter = new Thread({
    target: fx.countThreads,
    args: [out, started, release],
    name: 'counter',
  });
  counter.start();
  assert.equal(await started.wait(DEADLINE), true);
  const names = enumerate().map((t) => t.name);
  assert.ok(names.includes('MainThread') && names.includes('blocker') && names.includes('counter'));
  assert.ok(enumerate().includes(blocker), 'threads started here are returned as themselves');
  assert.equal(activeCount(), enumerate().length);
  assert.ok(out.get(0) >= 3 && out.get(1) === out.get(0) && out.get(2) === 1);
  release.set();
  await blocker.join(DEADLINE);
  await counter.join(DEADLINE);
  assert.ok(!enumerate().includes(blocker));
});

test('threads can start threads', async () => {
  const out = new Value('i', 0);
  const t = new Thread({ target: fx.nested, args: [out] });
  t.start();
  await t.join(DEADLINE);
  assert.equal(out.value, 1);
});

test('shareables nested in plain objects, arrays and Maps arrive live', async () => {
  const lock = new Lock();
  const value = new Value('i', 0);
  const out = new Value('i', 0);
  const t = new Thread({
    target: fx.checkShared,
    args: [{ locks: [lock], map: new Map([['v', value]]), plain: 42 }, out],
  });
  t.start();
  await t.join(DEADLINE);
  assert.equal(out.value, 1);
  assert.equal(value.value, 42);
  assert.equal(lock.locked(), false);
});

test('an error escaping the target goes to the excepthook with class, message, code and stack; join does not hang', async () => {
  const seen: ExceptHookArgs[] = [];
  const previous = setExcepthook((args) => seen.push(args));
  try {
    const work = tasks<typeof import('../fixtures/work.js')>(
      new URL('../fixtures/work.ts', import.meta.url),
    );
    const t = new Thread({ target: work.throwError, args: ['boom'], name: 'failing' });
    t.start();
    assert.equal(await t.join(DEADLINE), true);
    const t2 = new Thread({ target: fx.rejectLater, name: 'rejecting' });
    t2.start();
    assert.equal(await t2.join(DEADLINE), true);
    // The report is a message from the thread: give the event loop a turn until it arrives.
    const deadline = performance.now() + 30_000;
    while (seen.length < 2 && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    const byThread = new Map(seen.map((s) => [s.thread.name, s]));
    const a = byThread.get('failing');
    assert.ok(a);
    assert.equal(a.excType, 'RangeError');
    assert.equal(a.excValue.message, 'boom');
    assert.equal((a.excValue as { code?: string }).code, 'ERR_TEST');
    assert.match(a.excValue.stack ?? '', /work\.ts/);
    assert.equal(a.thread, t);
    assert.equal(byThread.get('rejecting')?.excType, 'TypeError');
  } finally {
    setExcepthook(previous);
  }
});

test('a pending async wait keeps the process alive until it settles', () => {
  const r = run('keepalive.ts');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'woke');
});

test('aborted async waits leave nothing keeping the process alive', () => {
  const r = run('abort-exits.ts');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'rejected,rejected');
});

test('a daemon thread does not keep the process alive; a non-daemon thread does', () => {
  const r = run('daemon.ts');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['main finished', 'worker finished']);
});
