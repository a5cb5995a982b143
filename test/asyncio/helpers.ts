// Helpers for the in-thread tests (weft/asyncio and weft/green).
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { setImmediate as tick, setTimeout as pause } from 'node:timers/promises';
import { pending } from '../../src/internal/scheduler.js';

export { pause, tick };

/** Registers an afterEach check: nothing scheduled, no Node timer or immediate left. */
export function checkNoLeaksAfterEach(): void {
  afterEach(async () => {
    await tick();
    await tick();
    assert.deepEqual(pending(), { timers: 0, ready: 0, handles: 0 }, 'scheduler left work behind');
    const handles = process
      .getActiveResourcesInfo()
      .filter((r) => r === 'Timeout' || r === 'Immediate');
    assert.deepEqual(handles, [], 'a timer or immediate was left behind');
  });
}

/** Tracks whether a promise has settled (and keeps its rejection handled). */
export function track<T>(promise: Promise<T>): {
  readonly settled: boolean;
  readonly promise: Promise<T>;
} {
  const state = { settled: false, promise };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

/** Asserts that at least `ms` passed since `start`, on the monotonic clock. */
export function assertWaited(start: number, ms: number): void {
  const waited = performance.now() - start;
  assert.ok(waited >= ms, `returned after ${waited.toFixed(2)} ms, before its ${ms} ms timeout`);
}

/** Lets every ready callback, task and microtask run (a few loop turns). */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await tick();
}
