// The package as built (dist/, bundled by scripts/build.mjs) and as a user
// runs it: plain `node`, no TypeScript loader, weft imported by its package
// name. Guards what only the bundle can get wrong: worker entries and modules
// found by URL, shareable classes revived as the user's own imports of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

function node(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('built package: pools, threads and queues work from dist/ without a loader', async () => {
  const r = await node(['test/fixtures/built/smoke.mjs']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    threadInc: 42,
    threadLocked: 4000,
    signal: false,
    bytes: 16,
    error: { name: 'RangeError', code: 'E_RANGE', message: 'out of range' },
    processInc: 2,
    thread: 500,
    queueShared: 99,
    queueSame: 5,
    queueDone: 'done',
  });
});

test('built package: `weft bench --scale tiny --json` runs from dist/', async () => {
  const r = await node([
    'dist/cli/main.js',
    'bench',
    '--scale',
    'tiny',
    '--json',
    '--workers',
    '2',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { workloads: { modes: { correct: boolean }[] }[] };
  assert.ok(out.workloads.length >= 2);
  for (const w of out.workloads) for (const m of w.modes) assert.equal(m.correct, true);
});

test('built package: a Process subclass and a Thread subclass from a user module run and report back', async () => {
  const r = await node(['test/fixtures/built/subclasses.mjs']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { exitCode: 0, process: 84, thread: 15 });
});
