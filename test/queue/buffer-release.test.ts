// Rule: memory shared through a queue is released once no thread holds it.
// A child process puts 300 items of 1 MiB SharedArrayBuffers through
// queues, gets them (or drops them with shutdown({ immediate })), lets go
// and collects: its RSS must come back (it kept ~300 MiB before) and the
// buffers this thread saw must be collected (FinalizationRegistry).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/queue-release.ts', import.meta.url));

const MODES = {
  same: 'put and got in one thread',
  thread: 'relayed through another thread',
  drop: 'dropped unread by shutdown({ immediate })',
};

test(
  '300 x 1 MiB shared buffers put through queues are freed once no thread holds them',
  { timeout: 120_000 },
  async (t) => {
    // One child for all modes (one loader start on a loaded machine).
    const { stdout } = await run(
      process.execPath,
      ['--import', './scripts/register-tsx.mjs', FIXTURE, ...Object.keys(MODES)],
      // glibc raises its mmap threshold after the first large free, and then
      // keeps later freed 1 MiB blocks in its heap: RSS would not show them
      // freed. A fixed threshold keeps every such block mmapped.
      { cwd: ROOT, timeout: 110_000, env: { ...process.env, MALLOC_MMAP_THRESHOLD_: '65536' } },
    );
    const results = stdout
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map(
        (line) =>
          JSON.parse(line) as {
            mode: keyof typeof MODES;
            growthMB: number;
            collected: number;
            seen: number;
          },
      );
    assert.deepEqual(
      results.map((r) => r.mode),
      Object.keys(MODES),
    );
    for (const result of results) {
      await t.test(MODES[result.mode], () => {
        assert.ok(result.growthMB < 100, `RSS grew by ${result.growthMB.toFixed(0)} MiB`);
        assert.ok(
          result.collected >= result.seen - 4,
          `${result.collected} of ${result.seen} buffers collected`,
        );
      });
    }
  },
);
