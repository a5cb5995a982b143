// Nothing left behind: programs using a pool exit by themselves, whether they
// shut it down or not; a pool holds the process only while it has work.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

function run(
  mode: string,
  kind: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', './scripts/register-tsx.mjs', 'test/fixtures/futures-program.ts', mode, kind],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('programs exit by themselves', { concurrency: 4 }, () => {
  for (const kind of ['thread', 'process']) {
    test(`${kind} pool: a program exits by itself after shutdown()`, async () => {
      const r = await run('shutdown', kind);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'done 2,3,4');
    });

    test(`${kind} pool: a pool never shut down does not keep the program alive once idle`, async () => {
      const r = await run('forgotten', kind);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'done 2');
    });

    test(`${kind} pool: unfinished work keeps the program alive until it is done`, async () => {
      const r = await run('pending-at-exit', kind);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'done late');
    });

    test(`${kind} pool: shutdown({ wait: false }) still finishes the work, then exits`, async () => {
      const r = await run('no-wait', kind);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'done');
    });
  }

  test('process pool: a child’s stdout reaches ours promptly and in order', async () => {
    const r = await run('stdout', 'process');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['one', 'two', 'three', 'done']);
  });

  test('thread pool: a worker’s stdout reaches ours in order', async () => {
    const r = await run('stdout', 'thread');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(
      lines.filter((l) => l !== 'done'),
      ['one', 'two', 'three'],
    );
  });
});
