// `weft bench`'s verdict judges each workload on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeVerdict } from '../../src/cli/bench-report.js';
import type { Mode, ModeResult, Workload } from '../../src/cli/bench.js';

type Case = { threads: number; processes: number; cpu: number };

function results(
  cases: Record<'gcd' | 'primes', Case>,
): { workload: Workload; modes: ModeResult[] }[] {
  return (['gcd', 'primes'] as const).map((name) => {
    const c = cases[name];
    const m = (mode: Mode, speedup: number, cpu: number): ModeResult => ({
      mode,
      seconds: 1 / speedup,
      speedup,
      cpu,
      correct: true,
    });
    return {
      workload: { name } as Workload,
      modes: [
        m('linear', 1, 0.5),
        m('async', 0.93, 0.5),
        m('threads', c.threads, c.cpu),
        m('processes', c.processes, c.cpu),
      ],
    };
  });
}

const KINDS: Record<string, Case> = {
  fast: { threads: 1.74, processes: 1.5, cpu: 0.95 },
  fastProcesses: { threads: 1.3, processes: 1.8, cpu: 0.95 },
  flat: { threads: 1.05, processes: 0.98, cpu: 0.9 },
  starved: { threads: 1.02, processes: 0.97, cpu: 0.55 },
};

function line(verdict: string, name: string): string {
  return verdict.split('\n').find((l) => l.startsWith(`  ${name}:`)) ?? '';
}

test('each workload gets its own verdict, whatever the other one did', () => {
  for (const [gk, g] of Object.entries(KINDS)) {
    for (const [pk, p] of Object.entries(KINDS)) {
      const verdict = makeVerdict(results({ gcd: g, primes: p }), 2, undefined);
      assert.match(verdict, /^Verdict \(2 CPUs\):/);
      for (const [name, kind] of [
        ['gcd', gk],
        ['primes', pk],
      ] as const) {
        const own = line(verdict, name);
        const label = `${gk}/${pk}: ${own}`;
        if (kind === 'fast')
          assert.match(own, /ThreadPoolExecutor was fastest, 1\.74x over linear/, label);
        if (kind === 'fastProcesses')
          assert.match(own, /ProcessPoolExecutor was fastest, 1\.80x over linear/, label);
        if (kind === 'flat' || kind === 'starved')
          assert.match(own, /no mode ran much faster than linear/, label);
        if (kind === 'starved')
          assert.match(own, /only 1\.1 CPUs' worth of time \(other load/, label);
        else assert.doesNotMatch(own, /other load/, label);
      }
    }
  }
});

test('the async line explains why it is below 1.0x; tiny scale says start-up dominates', () => {
  const r = results({ gcd: KINDS.fast!, primes: KINDS.flat! });
  const verdict = makeVerdict(r, 2, undefined);
  assert.match(verdict, /async tasks in one thread: 0\.93x \/ 0\.93x, .*V8's cost, not weft's/);
  assert.doesNotMatch(verdict, /start-up/);
  assert.match(makeVerdict(r, 2, undefined, 'tiny'), /--scale tiny .*start-up .* dominates/);
});
