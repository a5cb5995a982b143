// No child outlives its parent: a ProcessPoolExecutor child running an
// endless CPU-bound task dies within about a second of its parent, whether
// the parent leaves by process.exit(), an uncaught error, or SIGKILL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROGRAM = 'test/fixtures/programs/orphan-parent.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (dead, not yet reaped) counts as dead.
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

for (const mode of ['exit', 'throw', 'kill']) {
  test(`children die with a parent that leaves by ${mode}, even while a task spins`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-orphans-'));
    const file = join(dir, 'runs');
    writeFileSync(file, '');
    let pids: number[] = [];
    t.after(() => {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone, as it should be
        }
      }
      rmSync(dir, { recursive: true, force: true });
    });
    const parent = spawn(
      process.execPath,
      ['--import', './scripts/register-tsx.mjs', PROGRAM, mode, file],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    parent.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The children inherit the parent's stdout: wait for the line, not for the pipe to close.
    await new Promise<void>((resolve, reject) => {
      parent.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('spinning')) resolve();
      });
      parent.on('exit', () => reject(new Error(`the parent left early: ${stderr}`)));
    });
    pids = [
      ...new Set(
        readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((l) => Number(l.split(' ')[1])),
      ),
    ];
    assert.equal(pids.length, 2, 'two children');
    for (const pid of pids) assert.ok(alive(pid), `child ${pid} runs`);
    const exited = new Promise<void>((resolve) => {
      if (parent.exitCode !== null || parent.signalCode !== null) resolve();
      else parent.on('exit', () => resolve());
    });
    if (mode === 'kill') parent.kill('SIGKILL');
    await exited;
    parent.stdout.destroy();
    parent.stderr.destroy();
    const gone = performance.now();
    // Within about a second; a loaded machine gets a generous deadline, and the time is reported.
    const deadline = gone + 5_000;
    while (pids.some(alive) && performance.now() < deadline) await pause(20);
    const survivors = pids.filter(alive);
    t.diagnostic(`children gone ${Math.round(performance.now() - gone)} ms after the parent left`);
    assert.deepEqual(
      survivors,
      [],
      `children alive ${Math.round(performance.now() - gone)} ms after the parent left`,
    );
  });
}
