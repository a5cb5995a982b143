// `weft bench --python`: the same workloads in CPython, linear and on
// concurrent.futures' ThreadPoolExecutor and ProcessPoolExecutor, timed by
// CPython itself. The script is written to a temporary file (a process pool
// needs an importable __main__) and prints one JSON object.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One mode's measurement, as CPython reports it. */
export interface PythonMode {
  readonly mode: 'linear' | 'threads' | 'processes';
  readonly seconds: number;
  /** CPU seconds of the process and its reaped children. */
  readonly cpuSeconds: number;
  readonly result: number;
}

export interface PythonRun {
  readonly version: string;
  readonly workloads: Readonly<Record<'gcd' | 'primes', readonly PythonMode[]>>;
}

/** The workloads as a Python module (bench/futures.ts imports its `gcd` too). */
export const SCRIPT = String.raw`
import json, os, sys, time
from concurrent.futures import ThreadPoolExecutor, ProcessPoolExecutor

def gcd(a, b):
    low = min(a, b)
    for i in range(low, 0, -1):
        if a % i == 0 and b % i == 0:
            return i
    return 1

def is_prime(number):
    limit = int(number ** 0.5) + 1
    for i in range(2, limit):
        if number % i == 0:
            return False
    return True

def gen_prime(num):
    i, last = 2, 0
    while num:
        if is_prime(i):
            num -= 1
            last = i
        i += 1
    return last

def count_primes(lo, hi):
    return sum(1 for i in range(lo, hi) if is_prime(i))

def cpu():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system

def measure(mode, fn):
    c0, t0 = cpu(), time.perf_counter()
    result = fn()
    return {"mode": mode, "seconds": time.perf_counter() - t0, "cpuSeconds": cpu() - c0, "result": result}

def pooled(cls, workers, fn, *columns):
    def run():
        with cls(max_workers=workers) as pool:
            return sum(pool.map(fn, *columns))
    return run

def main():
    spec = json.loads(sys.argv[1])
    w = spec["workers"]
    pairs = [(1231312, 434344), (2013123, 111110), (34423323, 123123), (234345, 345345)] * spec["gcdRepeat"]
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    lo, hi = spec["ranges"]
    gcds = [
        measure("linear", lambda: sum(map(gcd, a, b))),
        measure("threads", pooled(ThreadPoolExecutor, w, gcd, a, b)),
        measure("processes", pooled(ProcessPoolExecutor, w, gcd, a, b)),
    ]
    primes = [
        measure("linear", lambda: gen_prime(spec["primes"])),
        measure("threads", pooled(ThreadPoolExecutor, w, count_primes, lo, hi)),
        measure("processes", pooled(ProcessPoolExecutor, w, count_primes, lo, hi)),
    ]
    print(json.dumps({"version": sys.version.split()[0], "workloads": {"gcd": gcds, "primes": primes}}))

if __name__ == "__main__":
    main()
`;

/** Whether `python3` runs here. */
export function hasPython(): boolean {
  const r = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

/**
 * Runs the workloads in CPython.
 *
 * @param spec.ranges - gen_prime's work split as `[from[], to[]]`, as the Node run splits it.
 */
export function runPython(spec: {
  readonly workers: number;
  readonly gcdRepeat: number;
  readonly primes: number;
  readonly ranges: readonly [readonly number[], readonly number[]];
}): PythonRun {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
  try {
    const file = join(dir, 'seeds_bench.py');
    writeFileSync(file, SCRIPT);
    const r = spawnSync('python3', [file, JSON.stringify(spec)], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    if (r.status !== 0) {
      throw new Error(`python3 failed: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`);
    }
    return JSON.parse(r.stdout) as PythonRun;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
