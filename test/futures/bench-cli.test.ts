// `weft bench` at the tiny scale: its --json output has the promised shape
// and sane numbers, and the plain output ends with a verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

function weft(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', './scripts/register-tsx.mjs', 'src/cli/main.ts', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface BenchJson {
  node: string;
  cpus: number;
  workers: number;
  scale: string;
  workloads: {
    name: string;
    size: string;
    modes: { mode: string; seconds: number; speedup: number; cpu: number; correct: boolean }[];
  }[];
  verdict: string;
}

test('weft bench --scale tiny --json: shape and sanity', async () => {
  const r = await weft(['bench', '--scale', 'tiny', '--json', '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as BenchJson;
  assert.equal(out.scale, 'tiny');
  assert.equal(out.workers, 2);
  assert.ok(out.cpus >= 1);
  assert.match(out.node, /^v\d+/);
  assert.deepEqual(
    out.workloads.map((w) => w.name),
    ['gcd', 'primes'],
  );
  for (const w of out.workloads) {
    assert.deepEqual(
      w.modes.map((m) => m.mode),
      ['linear', 'async', 'threads', 'processes'],
    );
    for (const m of w.modes) {
      assert.ok(Number.isFinite(m.seconds) && m.seconds > 0, `${w.name} ${m.mode} seconds`);
      assert.ok(Number.isFinite(m.speedup) && m.speedup > 0, `${w.name} ${m.mode} speedup`);
      assert.ok(m.cpu >= 0 && m.cpu <= 1.5, `${w.name} ${m.mode} cpu ${m.cpu}`);
      assert.equal(m.correct, true, `${w.name} ${m.mode} result`);
    }
    assert.equal(w.modes[0]!.speedup, 1);
  }
  assert.match(out.verdict, /^Verdict/);
});

test('weft bench: plain output when not a terminal; bad arguments exit 2', async () => {
  const r = await weft(['bench', '--scale=tiny', '--workers=1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ThreadPoolExecutor/);
  assert.match(r.stdout, /^Verdict/m);
  assert.ok(!r.stdout.includes('\u001b['), 'no terminal control codes');
  const bad = await weft(['bench', '--scale', 'huge']);
  assert.equal(bad.code, 2);
});
