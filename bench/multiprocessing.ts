// Manager benchmarks, weft beside CPython 3 in the same run:
//   m1  dict set+get, Sync form, from the process that started the manager
//   m2  dict set+get, async form, many calls in flight
//   m3  2 processes x N locked increments (Lock + Value, 4 round trips each)
//   m4  Process start -> target running (weft's warm spare; CPython's fork,
//       forkserver and spawn), and start+join
//   m5  Pool.starmap on the seed's gcd job (seeds/000 #4), 2 processes:
//       speedup over the same runtime's linear run in the same round
// CPython runs `multiprocessing.Manager()` in one long-lived python3 that
// times itself (perf_counter) per request; its processes for m3 are started
// before the clock, as weft's children are.

import { fork, spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { SCRIPT } from '../src/cli/bench-python.js';
import { tasks } from '../src/futures/index.js';
import { encode } from '../src/internal/codec.js';
import { Manager, Pool, Process } from '../src/multiprocessing/index.js';
import { hasPython } from './fixtures/futures-python.js';
import { gcd as gcdLinear } from './fixtures/futures-tasks.js';
import { runSuite, type BenchCase, type BenchOptions } from './harness.js';

const SERVE = String.raw`
import json, os, sys, time
from multiprocessing import Manager, Process, Event, Pool, get_context
from seeds_bench import gcd

PAIRS = [(1231312, 434344), (2013123, 111110), (34423323, 123123), (234345, 345345)]

def stamp(path):
    with open(path, "w") as f:
        f.write(str(time.monotonic_ns()))

def worker(go, lock, value, n):
    go.wait()
    for _ in range(n):
        with lock:
            value.value += 1

def main():
    pool = None
    with Manager() as m:
        d = m.dict()
        print(json.dumps({"version": sys.version.split()[0]}), flush=True)
        for line in sys.stdin:
            cmd, arg = line.split()
            if cmd == "quit":
                break
            if cmd in ("fork", "forkserver", "spawn"):
                path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stamp")
                p = get_context(cmd).Process(target=stamp, args=(path,))
                t0 = time.monotonic_ns()
                p.start()
                p.join()
                t1 = time.monotonic_ns()
                with open(path) as f:
                    ran = int(f.read())
                os.remove(path)
                print(json.dumps({"seconds": (ran - t0) / 1e9, "join": (t1 - t0) / 1e9, "ok": p.exitcode == 0}), flush=True)
                continue
            if cmd == "pool":
                if pool is None:
                    pool = Pool(2)
                    sum(pool.starmap(gcd, [(12, 8)] * 16))
                pairs = PAIRS * int(arg)
                t0 = time.perf_counter()
                linear = sum(gcd(a, b) for a, b in pairs)
                t1 = time.perf_counter()
                pooled = sum(pool.starmap(gcd, pairs))
                t2 = time.perf_counter()
                print(json.dumps({"seconds": (t2 - t1), "linear": (t1 - t0), "ok": linear == pooled}), flush=True)
                continue
            n = int(arg)
            if cmd == "dict":
                t0 = time.perf_counter()
                for i in range(n):
                    d["k"] = i
                    d["k"]
                print(json.dumps({"seconds": time.perf_counter() - t0, "ok": True}), flush=True)
            elif cmd == "incr":
                lock = m.Lock()
                value = m.Value("i", 0)
                go = Event()
                ps = [Process(target=worker, args=(go, lock, value, n)) for _ in range(2)]
                for p in ps:
                    p.start()
                t0 = time.perf_counter()
                go.set()
                for p in ps:
                    p.join()
                secs = time.perf_counter() - t0
                print(json.dumps({"seconds": secs, "ok": value.value == 2 * n}), flush=True)

    if pool is not None:
        pool.terminate()

if __name__ == "__main__":
    main()
`;

type StartMethod = 'fork' | 'forkserver' | 'spawn';

class CPythonManager {
  readonly #proc: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #lines: AsyncIterator<string>;
  readonly #dir: string;
  version = '';

  constructor() {
    this.#dir = mkdtempSync(join(tmpdir(), 'weft-bench-manager-'));
    writeFileSync(join(this.#dir, 'serve.py'), SERVE);
    writeFileSync(join(this.#dir, 'seeds_bench.py'), SCRIPT);
    this.#proc = spawn('python3', [join(this.#dir, 'serve.py')], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#proc.stdin.on('error', () => {});
    this.#proc.stderr.resume();
    this.#lines = createInterface({ input: this.#proc.stdout })[Symbol.asyncIterator]();
  }

  async start(): Promise<void> {
    this.version = (JSON.parse(await this.#next()) as { version: string }).version;
  }

  async run(
    cmd: 'dict' | 'incr' | 'pool' | StartMethod,
    arg: number,
  ): Promise<{ seconds: number; ok: boolean; join?: number; linear?: number }> {
    this.#proc.stdin.write(`${cmd} ${arg}\n`);
    return JSON.parse(await this.#next()) as {
      seconds: number;
      ok: boolean;
      join?: number;
      linear?: number;
    };
  }

  async #next(): Promise<string> {
    const line = await this.#lines.next();
    if (line.done === true) throw new Error('python3 exited');
    return line.value;
  }

  async close(): Promise<void> {
    const exited = once(this.#proc, 'exit');
    this.#proc.stdin.end('quit 0\n');
    const timer = setTimeout(() => this.#proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

const stampTask = tasks<typeof import('./fixtures/process-stamp.js')>(
  new URL('./fixtures/process-stamp.ts', import.meta.url),
).stamp;
const gcdTask = tasks<typeof import('./fixtures/futures-tasks.js')>(
  new URL('./fixtures/futures-tasks.ts', import.meta.url),
).gcd;
/** seeds/000 #4's numbers, `repeat` times (the seed's scale is 100). */
function seedPairs(repeat: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < repeat; i++) {
    pairs.push([1231312, 434344], [2013123, 111110], [34423323, 123123], [234345, 345345]);
  }
  return pairs;
}

const CHILD = fileURLToPath(new URL('./fixtures/manager-child.ts', import.meta.url));

function nextMessage(child: ChildProcess): Promise<unknown> {
  return once(child, 'message').then(([m]) => m as unknown);
}

export async function run(options: BenchOptions): Promise<void> {
  const quick = options.quick;
  const rounds = quick ? 3 : 7;
  const warmup = quick ? 1 : 2;
  const py = hasPython() ? new CPythonManager() : undefined;
  await py?.start();
  const manager = await Manager.start();
  const d = await manager.dict();
  const notes = [
    `CPython ${py?.version ?? '(python3 not found)'}; weft's server is a worker thread of this process`,
  ];
  try {
    const DICT_N = quick ? 500 : 2000;
    const pyCase = (cmd: 'dict' | 'incr', n: number, per: number, unit: string): BenchCase[] =>
      py === undefined
        ? []
        : [
            {
              name: `CPython Manager ${cmd === 'dict' ? 'dict' : 'Lock+Value'}`,
              run: async () => {
                const r = await py.run(cmd, n);
                return { value: (r.seconds * 1e6) / per, unit, checks: { exact: r.ok } };
              },
            },
          ];
    if (options.selects('m1 Manager dict set+get, Sync form (µs/op)')) {
      options.report(
        await runSuite({
          title: 'm1 Manager dict set+get, Sync form (µs/op)',
          rounds,
          warmup,
          cases: [
            ...pyCase('dict', DICT_N, 2 * DICT_N, 'µs/op'),
            {
              name: 'weft dict setSync/getSync',
              run: () => {
                const t0 = performance.now();
                for (let i = 0; i < DICT_N; i++) {
                  d.setSync('k', i);
                  d.getSync('k');
                }
                return { value: ((performance.now() - t0) * 1000) / (2 * DICT_N), unit: 'µs/op' };
              },
            },
          ],
          notes: [...notes, `${DICT_N} x (set + get) of one key from the parent; lower is better`],
        }),
      );
    }
    if (options.selects('m2 Manager dict set+get, async, many in flight (µs/op)')) {
      const N = quick ? 2000 : 10_000;
      options.report(
        await runSuite({
          title: 'm2 Manager dict set+get, async, many in flight (µs/op)',
          rounds,
          warmup,
          cases: [
            ...pyCase('dict', DICT_N, 2 * DICT_N, 'µs/op'),
            {
              name: 'weft dict set/get, 1000 in flight',
              run: async () => {
                const t0 = performance.now();
                for (let i = 0; i < N; i += 500) {
                  const calls: Promise<unknown>[] = [];
                  for (let j = 0; j < 500; j++) {
                    calls.push(d.set(`k${j}`, i + j), d.get(`k${j}`));
                  }
                  await Promise.all(calls);
                }
                return { value: ((performance.now() - t0) * 1000) / (2 * N), unit: 'µs/op' };
              },
            },
          ],
          notes: [...notes, 'CPython proxies are Sync only: its row is m1s; lower is better'],
        }),
      );
    }
    if (options.selects('m3 2 processes x N locked increments (µs/increment)')) {
      const N = quick ? 500 : 5000;
      let children: ChildProcess[] = [];
      options.report(
        await runSuite({
          title: 'm3 2 processes x N locked increments (µs/increment)',
          rounds: quick ? 2 : 3,
          warmup: 1,
          cases: [
            ...pyCase('incr', N, 2 * N, 'µs/increment'),
            {
              name: 'weft Manager Lock+Value, Sync, 2 child processes',
              setup: async () => {
                children = [0, 1].map(() =>
                  fork(CHILD, [], {
                    serialization: 'advanced',
                    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
                  }),
                );
                await Promise.all(children.map(nextMessage));
              },
              run: async () => {
                const lock = await manager.Lock();
                const value = await manager.Value('i', 0);
                const { value: v, table } = encode([lock, value, N]);
                const done = children.map(nextMessage);
                const t0 = performance.now();
                for (const c of children) c.send({ value: v, table });
                await Promise.all(done);
                const us = ((performance.now() - t0) * 1000) / (2 * N);
                return {
                  value: us,
                  unit: 'µs/increment',
                  checks: { exact: value.getSync() === 2 * N },
                };
              },
              teardown: () => {
                for (const c of children) c.kill('SIGKILL');
              },
            },
          ],
          notes: [
            ...notes,
            `each increment: acquire, get, set, release; N = ${N}; lower is better`,
          ],
        }),
      );
    }
    if (options.selects('m4 Process start -> target running (ms)')) {
      const dir = mkdtempSync(join(tmpdir(), 'weft-bench-start-'));
      let n = 0;
      const methods: StartMethod[] = ['fork', 'forkserver', 'spawn'];
      try {
        options.report(
          await runSuite({
            title: 'm4 Process start -> target running (ms)',
            rounds: quick ? 3 : 7,
            warmup: 1,
            cases: [
              {
                name: 'weft Process (warm spare)',
                run: async () => {
                  const file = join(dir, `stamp-${++n}`);
                  const p = new Process({ target: stampTask, args: [file] });
                  // The previous start() began the next spare: let it finish
                  // starting (Node start-up), as a program's idle time would.
                  await delay(quick ? 1500 : 2500);
                  const t0 = process.hrtime.bigint();
                  p.start();
                  await p.join();
                  const t1 = process.hrtime.bigint();
                  const ran = BigInt(readFileSync(file, 'utf8'));
                  return {
                    value: Number(ran - t0) / 1e6,
                    unit: 'ms',
                    checks: { exit0: p.exitCode === 0 },
                    extras: { 'start+join ms': Number(t1 - t0) / 1e6 },
                  };
                },
              },
              ...(py === undefined
                ? []
                : methods.map((method): BenchCase => ({
                    name: `CPython Process (${method})`,
                    run: async () => {
                      const r = await py.run(method, 0);
                      return {
                        value: r.seconds * 1000,
                        unit: 'ms',
                        checks: { exit0: r.ok },
                        extras: { 'start+join ms': (r.join ?? 0) * 1000 },
                      };
                    },
                  }))),
            ],
            compareTo: ['CPython Process (fork)'],
            notes: [
              ...notes,
              'from start() to the first line of the target (CLOCK_MONOTONIC in both processes); lower is better',
              'weft: a target from a .ts module (the child loads tsx); CPython: a function of __main__',
            ],
          }),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    if (options.selects('m5 Pool.starmap on the seed gcd job (speedup over linear)')) {
      const repeat = quick ? 25 : 100;
      const pairs = seedPairs(repeat);
      const expected = pairs.reduce((sum, [a, b]) => sum + gcdLinear(a, b), 0);
      let pool: Pool | undefined;
      options.report(
        await runSuite({
          title: 'm5 Pool.starmap on the seed gcd job (speedup over linear)',
          rounds: quick ? 2 : 5,
          warmup: 1,
          cases: [
            {
              name: 'weft Pool (2 processes)',
              setup: async () => {
                pool = new Pool({ processes: 2 });
                await pool.starmap(gcdTask, [
                  [12, 8],
                  [12, 8],
                ]);
              },
              run: async () => {
                const t0 = performance.now();
                let linear = 0;
                for (const [a, b] of pairs) linear += gcdLinear(a, b);
                const t1 = performance.now();
                const results = await pool!.starmap(gcdTask, pairs);
                const t2 = performance.now();
                const sum = results.reduce((x, y) => x + y, 0);
                return {
                  value: (t1 - t0) / (t2 - t1),
                  unit: 'x linear',
                  checks: { correct: linear === expected && sum === expected },
                  extras: { 'linear ms': t1 - t0, 'pool ms': t2 - t1 },
                };
              },
              teardown: async () => {
                await pool?.terminate();
              },
            },
            ...(py === undefined
              ? []
              : [
                  {
                    name: 'CPython Pool (2 processes)',
                    run: async () => {
                      const r = await py.run('pool', repeat);
                      const linear = r.linear ?? 0;
                      return {
                        value: linear / r.seconds,
                        unit: 'x linear',
                        checks: { correct: r.ok },
                        extras: { 'linear ms': linear * 1000, 'pool ms': r.seconds * 1000 },
                      };
                    },
                  },
                ]),
          ],
          notes: [
            ...notes,
            `${pairs.length} gcd tasks (seeds/000 #4 x ${repeat / 100}); each round runs the job linear then on the pool, in the same runtime; higher is better`,
          ],
        }),
      );
    }
  } finally {
    await manager.shutdown();
    await py?.close();
  }
}
