// multiprocessing.Process: lifecycle, exit codes, signals, subclasses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { activeChildren, currentProcess, Process } from '../../src/multiprocessing/index.js';
import { Lock, tasks } from '../../src/threading/index.js';
import { StateError } from '../../src/internal/errors.js';
import { Counter } from '../fixtures/process-work.js';

const work = tasks<typeof import('../fixtures/process-work.js')>(
  new URL('../fixtures/process-work.ts', import.meta.url),
);

function scratch(): { file: string; lines: () => string[]; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'weft-process-'));
  const file = join(dir, 'out.txt');
  return {
    file,
    lines: () => {
      try {
        return readFileSync(file, 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

test('start, join: the target runs in a child that knows its name and parent; exitCode 0', async () => {
  const s = scratch();
  try {
    const p = new Process({ target: work.whoAmI, args: [s.file], name: 'worker-1' });
    assert.equal(p.exitCode, null);
    assert.equal(p.isAlive(), false);
    p.start();
    assert.ok(Number.isInteger(p.pid));
    assert.ok(activeChildren().includes(p));
    assert.equal(await p.join({ timeout: 30_000 }), true);
    assert.equal(p.exitCode, 0);
    assert.equal(p.isAlive(), false);
    const seen = JSON.parse(s.lines()[0]!) as { name: string; parent: number; pid: number };
    assert.deepEqual(seen, { name: 'worker-1', parent: process.pid, pid: p.pid });
    assert.equal(currentProcess().name, 'MainProcess');
    assert.throws(() => p.start(), StateError);
  } finally {
    s.done();
  }
});

test('exit codes: an error is 1 (and printed), process.exit(n) is n, signals are negative', async () => {
  const failing = new Process({ target: work.fail, args: ['boom'] });
  const exiting = new Process({ target: work.exitWith, args: [7] });
  const s = scratch();
  const spinning = new Process({ target: work.spinForever, args: [s.file] });
  const sleeping = new Process({ target: work.sleepFor, args: [60_000] });
  try {
    for (const p of [failing, exiting, spinning, sleeping]) p.start();
    await failing.join();
    await exiting.join();
    assert.equal(failing.exitCode, 1);
    assert.equal(exiting.exitCode, 7);
    // join with a timeout returns false while the child runs (lower bound only).
    const t0 = performance.now();
    assert.equal(await sleeping.join({ timeout: 50 }), false);
    assert.ok(performance.now() - t0 >= 45);
    assert.equal(sleeping.isAlive(), true);
    assert.equal(sleeping.joinSync({ timeout: 10 }), false);
    sleeping.terminate();
    await sleeping.join();
    assert.equal(sleeping.exitCode, -15);
    while (s.lines().length === 0) await new Promise((r) => setTimeout(r, 5));
    spinning.kill();
    assert.equal(spinning.joinSync({ timeout: 30_000 }), true);
    await spinning.join();
    assert.equal(spinning.exitCode, -9);
    assert.throws(() => failing.start(), StateError);
  } finally {
    s.done();
    for (const p of [spinning, sleeping]) p.kill();
  }
});

test('a Process subclass runs run() in the child; its fields come back at join', async () => {
  const c = new Counter(1000);
  c.start();
  await c.join({ timeout: 30_000 });
  assert.equal(c.exitCode, 0);
  assert.equal(c.count, 1000);
});

test('thread-only shareables are refused with ERR_SHAREABLE_PROCESS; bad options are TypeErrors', () => {
  const p = new Process({ target: work.note, args: [new Lock() as never, 'x'] });
  assert.throws(
    () => p.start(),
    (e: unknown) => (e as { code?: string }).code === 'ERR_SHAREABLE_PROCESS',
  );
  assert.throws(() => new Process(work.note), TypeError);
  assert.throws(() => new Process({ target: work.note, args: 'x' as never }), TypeError);
  assert.throws(() => new Process(), TypeError);
});

test("a child's output reaches the parent's stdout in order; an error prints `Process NAME:`", () => {
  const r = spawnSync(
    process.execPath,
    ['--import', './scripts/register-tsx.mjs', 'test/fixtures/programs/process-output.ts'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.deepEqual(lines, [
    ...Array.from({ length: 50 }, (_, i) => `child line ${i}`),
    'exit codes 0 1',
  ]);
  assert.match(r.stderr, /^Process failer:\nRangeError: bad thing/m);
});

test('Manager proxies pass as Process args and work in the child', async () => {
  const { Manager } = await import('../../src/multiprocessing/index.js');
  await using manager = await Manager.start();
  const value = await manager.Value('i', 0);
  const lock = await manager.Lock();
  const children = [0, 1].map(
    () => new Process({ target: work.addToManaged, args: [value as never, lock as never, 200] }),
  );
  for (const p of children) p.start();
  for (const p of children) await p.join({ timeout: 60_000 });
  assert.deepEqual(
    children.map((p) => p.exitCode),
    [0, 0],
  );
  assert.equal(value.getSync(), 400);
});

test('start() after close() says the process is closed; a second start() that it starts once (ERR_PROCESS_STATE)', async () => {
  const closed = new Process({ target: work.exitWith, args: [0] });
  closed.close();
  assert.throws(
    () => closed.start(),
    (e: StateError) => e.code === 'ERR_PROCESS_STATE' && /closed/.test(e.message),
  );
  const p = new Process({ target: work.exitWith, args: [0] });
  p.start();
  assert.throws(
    () => p.start(),
    (e: StateError) => e.code === 'ERR_PROCESS_STATE' && /once/.test(e.message),
  );
  await p.join();
});
