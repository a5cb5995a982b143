// Manager benchmarks, weft beside CPython 3 in the same run:
//   m1  dict set+get, Sync form, from the process that started the manager
//   m2  dict set+get, async form, many calls in flight
//   m3  2 processes x N locked increments (Lock + Value, 4 round trips each)
// CPython runs `multiprocessing.Manager()` in one long-lived python3 that
// times itself (perf_counter) per request; its processes for m3 are started
// before the clock, as weft's children are.

import { fork, spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { encode } from '../src/internal/codec.js';
import { Manager } from '../src/multiprocessing/index.js';
import { hasPython } from './fixtures/futures-python.js';
import { runSuite, type BenchCase, type BenchOptions } from './harness.js';

const SERVE = String.raw`
import json, sys, time
from multiprocessing import Manager, Process, Event

def worker(go, lock, value, n):
    go.wait()
    for _ in range(n):
        with lock:
            value.value += 1

def main():
    with Manager() as m:
        d = m.dict()
        print(json.dumps({"version": sys.version.split()[0]}), flush=True)
        for line in sys.stdin:
            cmd, n = line.split()
            n = int(n)
            if cmd == "quit":
                break
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

if __name__ == "__main__":
    main()
`;

class CPythonManager {
  readonly #proc: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #lines: AsyncIterator<string>;
  readonly #dir: string;
  version = '';

  constructor() {
    this.#dir = mkdtempSync(join(tmpdir(), 'weft-bench-manager-'));
    writeFileSync(join(this.#dir, 'serve.py'), SERVE);
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

  async run(cmd: 'dict' | 'incr', n: number): Promise<{ seconds: number; ok: boolean }> {
    this.#proc.stdin.write(`${cmd} ${n}\n`);
    return JSON.parse(await this.#next()) as { seconds: number; ok: boolean };
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
  } finally {
    await manager.shutdown();
    await py?.close();
  }
}
