// Cross-thread queues: weft's Queue (items in shared memory, Atomics waits)
// against what Node offers out of the box, a MessageChannel, posting one
// message per item or one per batch of 64 items.
//
//   a-c. one producer thread -> one consumer thread, small items: numbers,
//        short strings, small objects { id, name } (items/s)
//   d-e. weft Queue, 2 producers -> 2 consumers against 1 -> 1 (items/s)
//   f.   memory: a fast producer and a slow consumer, each run in a fresh
//        process, so its RSS tells what the items in flight cost
//
// The goal: small items at least 3x the items/s of one postMessage
// per item.

import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { pack } from '../src/internal/codec.js';
import { Queue } from '../src/queue/index.js';
import { LOADED } from './fixtures/protocol.js';
import {
  Ctl,
  PROGRESS_EVERY,
  type ItemKind,
  type Mechanism,
  type QueueCommand,
  type QueueReply,
} from './fixtures/queue-protocol.js';
import {
  runSuite,
  type BenchCase,
  type BenchOptions,
  type Measurement,
  type SuiteResult,
} from './harness.js';

interface Plan {
  readonly rounds: number;
  readonly warmup: number;
  /** Items moved per run, by kind (objects are ~10x slower to copy). */
  readonly items: Readonly<Record<ItemKind, number>>;
  /** Memory suite: rounds (one fresh process per case per round), items, consumer work per item. */
  readonly memoryRounds: number;
  readonly memoryItems: number;
  readonly memoryWorkNs: number;
}

// Many short rounds rather than a few long ones: wake-up latency on a shared
// VM swings by several times within seconds, and only cases of one round
// compare fairly.
const FULL: Plan = {
  rounds: 12,
  warmup: 2,
  items: { number: 50_000, string: 50_000, object: 10_000 },
  memoryRounds: 3,
  memoryItems: 50_000,
  memoryWorkNs: 5_000,
};
const QUICK: Plan = {
  rounds: 2,
  warmup: 1,
  items: { number: 5_000, string: 5_000, object: 2_000 },
  memoryRounds: 1,
  memoryItems: 5_000,
  memoryWorkNs: 5_000,
};

export const MAXSIZE = 1024;
const BATCH = 64;

const TITLE = {
  number: 'queue a: 1 producer -> 1 consumer thread, numbers',
  string: "queue b: 1 producer -> 1 consumer thread, short strings ('item-123')",
  object: "queue c: 1 producer -> 1 consumer thread, small objects ({ id, name: 'item-123' })",
  scaleNumber: 'queue d: weft Queue, 2 producers -> 2 consumers vs 1 -> 1, numbers',
  scaleObject: 'queue e: weft Queue, 2 producers -> 2 consumers vs 1 -> 1, small objects',
  memory: 'queue f: memory, fast producer -> slow consumer, small objects, fresh process per run',
} as const;

// A worker that stops answering fails the case after this long instead of hanging.
const STALL_MS = 60_000;
const SAMPLE_EVERY_MS = 5;
const MB = 2 ** 20;

export async function run(options: BenchOptions): Promise<void> {
  const plan = options.quick ? QUICK : FULL;
  const inProcess = [
    TITLE.number,
    TITLE.string,
    TITLE.object,
    TITLE.scaleNumber,
    TITLE.scaleObject,
  ];
  if (inProcess.some((title) => options.selects(title))) {
    const crew = await startCrew();
    try {
      for (const kind of ['number', 'string', 'object'] as const) {
        if (options.selects(TITLE[kind])) options.report(await oneToOne(crew, plan, kind));
      }
      if (options.selects(TITLE.scaleNumber)) {
        options.report(await scaling(crew, plan, 'number', TITLE.scaleNumber));
      }
      if (options.selects(TITLE.scaleObject)) {
        options.report(await scaling(crew, plan, 'object', TITLE.scaleObject));
      }
    } finally {
      await crew.close();
    }
  }
  if (options.selects(TITLE.memory)) options.report(await memory(plan));
}

// ---------------------------------------------------------------------------
// Workers and one timed run.

export interface Crew {
  readonly producers: readonly Worker[];
  readonly consumers: readonly Worker[];
  readonly control: Int32Array;
  readonly queue: Queue;
  close(): Promise<void>;
}

/** `pairs` producers and as many consumers; producer i and consumer i share a MessageChannel. */
export async function startCrew(pairs: 1 | 2 = 2): Promise<Crew> {
  const control = new Int32Array(new SharedArrayBuffer(Ctl.words * 4));
  const queue = new Queue({ maxsize: MAXSIZE });
  const weft = pack({ queue });
  const channels = Array.from({ length: pairs }, () => new MessageChannel());
  const start = (role: 'producer' | 'consumer', port: MessagePort): Promise<Worker> =>
    startWorker({ role, control: control.buffer, weft, port }, [port]);
  const workers = await Promise.all([
    ...channels.map((c) => start('producer', c.port1)),
    ...channels.map((c) => start('consumer', c.port2)),
  ]);
  return {
    producers: workers.slice(0, pairs),
    consumers: workers.slice(pairs),
    control,
    queue,
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

async function startWorker(workerData: unknown, transferList: MessagePort[]): Promise<Worker> {
  const worker = new Worker(new URL('./fixtures/queue-worker.ts', import.meta.url), {
    workerData,
    transferList,
  });
  // The fixture posts LOADED once its module has run, so start-up is never timed.
  const [msg] = (await once(worker, 'message')) as [unknown];
  if (msg !== LOADED) throw new Error('Unexpected first message from the queue worker');
  return worker;
}

export interface RunSpec {
  readonly mechanism: Mechanism;
  readonly kind: ItemKind;
  /** Items in total, split evenly between the producers. */
  readonly items: number;
  readonly pairs: 1 | 2;
  /** Busy work per item in the consumer, ns. @default 0 */
  readonly workNs?: number;
}

export interface RunResult {
  readonly itemsPerSecond: number;
  /** Every item arrived exactly once, and the queue ended empty. */
  readonly allArrived: boolean;
  /** FIFO order held (1 -> 1 runs only). */
  readonly inOrder: boolean | undefined;
  /** Process RSS at the start of the run, and its highest sample during the run, in bytes. */
  readonly rssStart: number;
  readonly rssPeak: number;
  /** Most items put (or posted) but not yet taken, sampled (1 -> 1 runs only). */
  readonly maxBacklog: number;
}

/**
 * One timed run: each of `pairs` producers puts its share of the items and
 * as many consumers each take as many. Timed on the main thread from opening
 * the gate until every worker counted itself done; the main thread only
 * awaits meanwhile, sampling RSS and the backlog every few ms.
 */
export async function runOnce(crew: Crew, spec: RunSpec): Promise<RunResult> {
  const { control } = crew;
  const { pairs } = spec;
  if (crew.producers.length < pairs)
    throw new RangeError(`This crew has ${crew.producers.length} pairs`);
  const share = Math.floor(spec.items / pairs);
  const workers = [...crew.producers.slice(0, pairs), ...crew.consumers.slice(0, pairs)];
  for (const i of [Ctl.ready, Ctl.gate, Ctl.done, Ctl.produced, Ctl.consumed]) {
    Atomics.store(control, i, 0);
  }

  const replies = workers.map((w) => once(w, 'message') as Promise<[QueueReply]>);
  const cmd: QueueCommand = {
    mechanism: spec.mechanism,
    kind: spec.kind,
    count: share,
    batch: BATCH,
    ordered: pairs === 1,
    workNs: spec.workNs ?? 0,
    track: pairs === 1,
  };
  for (const w of workers) w.postMessage(cmd);
  await waitAtLeast(control, Ctl.ready, workers.length);

  const rssStart = process.memoryUsage.rss();
  let rssPeak = rssStart;
  let maxBacklog = 0;
  const sample = (): void => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    const backlog = Atomics.load(control, Ctl.produced) - Atomics.load(control, Ctl.consumed);
    maxBacklog = Math.max(maxBacklog, backlog);
  };
  const sampler = setInterval(sample, SAMPLE_EVERY_MS);
  let t1: number;
  const t0 = performance.now();
  try {
    Atomics.store(control, Ctl.gate, 1);
    Atomics.notify(control, Ctl.gate);
    await waitAtLeast(control, Ctl.done, workers.length);
    t1 = performance.now();
  } finally {
    clearInterval(sampler);
  }
  sample();

  const got = (await Promise.all(replies)).map(([r]) => r);
  const errors = got.map((r) => r.error).filter((e) => e !== undefined);
  if (errors.length > 0) throw new Error(errors.join('; '));
  // Item i has key i: each producer's items add up to 0 + 1 + ... + (share - 1).
  const expected = pairs * ((share * (share - 1)) / 2);
  const checksum = got.reduce((sum, r) => sum + r.checksum, 0);
  return {
    itemsPerSecond: (share * pairs) / ((t1 - t0) / 1000),
    allArrived: checksum === expected && crew.queue.qsize() === 0,
    inOrder: pairs === 1 ? got.every((r) => r.inOrder) : undefined,
    rssStart,
    rssPeak,
    maxBacklog: pairs === 1 ? maxBacklog : 0,
  };
}

/** Awaits (never blocks: the sampler must run) until `i32[index] >= target`. */
async function waitAtLeast(i32: Int32Array, index: number, target: number): Promise<void> {
  const deadline = performance.now() + STALL_MS;
  for (;;) {
    const v = Atomics.load(i32, index);
    if (v >= target) return;
    const left = deadline - performance.now();
    if (left <= 0) throw new Error(`Timed out after ${STALL_MS} ms waiting for the workers`);
    const r = Atomics.waitAsync(i32, index, v, left);
    if (r.async) await r.value;
  }
}

function throughput(r: RunResult): Measurement {
  return {
    value: r.itemsPerSecond,
    unit: 'items/s',
    checks: { all: r.allArrived, ...(r.inOrder === undefined ? {} : { 'in order': r.inOrder }) },
    extras: {
      'RSS +MB': (r.rssPeak - r.rssStart) / MB,
      ...(r.inOrder === undefined ? {} : { 'max backlog': r.maxBacklog }),
    },
  };
}

// ---------------------------------------------------------------------------
// a-c. One producer -> one consumer.

const WEFT_SYNC = 'weft Queue sync';
const PER_ITEM = 'postMessage per item';
const BATCHED = `postMessage batch ${BATCH}`;

const MECHANISMS: readonly [string, Mechanism][] = [
  [WEFT_SYNC, 'weft-sync'],
  ['weft Queue async', 'weft-async'],
  [PER_ITEM, 'post'],
  [BATCHED, 'post-batch'],
];

function oneToOne(crew: Crew, plan: Plan, kind: ItemKind): Promise<SuiteResult> {
  const items = plan.items[kind];
  const cases: BenchCase[] = MECHANISMS.map(([name, mechanism]) => ({
    name,
    run: async () => throughput(await runOnce(crew, { mechanism, kind, items, pairs: 1 })),
  }));
  return runSuite({
    title: TITLE[kind],
    cases,
    rounds: plan.rounds,
    warmup: plan.warmup,
    baseline: PER_ITEM,
    compareTo: [BATCHED],
    notes: [
      `${items} items per run; weft: one Queue({ maxsize: ${MAXSIZE} }), producer putSync(item) / consumer getSync()`,
      '  (async: await put(item) / await get()); postMessage: a MessageChannel between the two workers,',
      `  one message per item, or one array of ${BATCH} items per message (the consumer walks the array)`,
      'items/s: items / wall time from opening the start gate to the consumer holding the last item (higher is better)',
      'all: every item arrived exactly once (checksum of keys); in order: FIFO order held',
      'RSS +MB: rise of the process RSS during the run (sampled every 5 ms; RSS rarely shrinks, so a case',
      '  running after a hungrier one may show 0); max backlog: most items put but not yet taken',
      `  (sampled; both sides publish their count every ${PROGRESS_EVERY} items, so it may read up to that much high)`,
    ],
  });
}

// ---------------------------------------------------------------------------
// d-e. Two producers -> two consumers on one weft Queue.

function scaling(crew: Crew, plan: Plan, kind: ItemKind, title: string): Promise<SuiteResult> {
  const items = plan.items[kind];
  const spec = { mechanism: 'weft-sync', kind, items } as const;
  return runSuite({
    title,
    cases: [
      { name: '1 -> 1', run: async () => throughput(await runOnce(crew, { ...spec, pairs: 1 })) },
      { name: '2 -> 2', run: async () => throughput(await runOnce(crew, { ...spec, pairs: 2 })) },
    ],
    rounds: plan.rounds,
    warmup: plan.warmup,
    baseline: '1 -> 1',
    notes: [
      `${items} items per run in total; one Queue({ maxsize: ${MAXSIZE} }), putSync / getSync;`,
      '  2 -> 2: each producer puts half the items and each consumer takes half',
      '  (4 busy threads; ratios near 1 mean it holds up, far below 1 that contention collapses it)',
      'all: every item arrived exactly once (checksum of keys)',
    ],
  });
}

// ---------------------------------------------------------------------------
// f. Memory: a fresh process per run (RSS only ever grows within a process).

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function memory(plan: Plan): Promise<SuiteResult> {
  const items = plan.memoryItems;
  const workNs = plan.memoryWorkNs;
  const memoryCase = (name: string, mechanism: Mechanism): BenchCase => ({
    name,
    run: async () => {
      const result = await runChild(mechanism, items, workNs);
      return {
        value: (result.rssPeak - result.rssStart) / MB,
        unit: 'MB',
        checks: { all: result.allArrived, 'in order': result.inOrder ?? false },
        extras: {
          'peak RSS MB': result.rssPeak / MB,
          'max backlog': result.maxBacklog,
          'items/s': result.itemsPerSecond,
        },
      };
    },
  });
  return runSuite({
    title: TITLE.memory,
    cases: [
      memoryCase(`${WEFT_SYNC} (maxsize ${MAXSIZE})`, 'weft-sync'),
      memoryCase(PER_ITEM, 'post'),
    ],
    rounds: plan.memoryRounds,
    warmup: 0,
    baseline: PER_ITEM,
    notes: [
      `${items} small objects per run; the consumer spins ${workNs / 1000} µs per item, the producer goes flat out`,
      'MB: rise of the process RSS from the start of the run to its peak (sampled every 5 ms; lower is better);',
      '  each run is a fresh `node` process with one producer and one consumer thread',
      `max backlog: most items put but not yet taken (sampled, up to ${PROGRESS_EVERY} high); weft blocks the producer at maxsize,`,
      '  postMessage queues without bound, so its backlog (and memory) grows with the run',
    ],
  });
}

/** Runs bench/fixtures/queue-memory.ts, which prints its RunResult as one JSON line. */
function runChild(mechanism: Mechanism, items: number, workNs: number): Promise<RunResult> {
  const script = fileURLToPath(new URL('./fixtures/queue-memory.ts', import.meta.url));
  const args = [...process.execArgv, script, mechanism, String(items), String(workNs)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), STALL_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`queue-memory exited with ${code}: ${stderr.trim().split('\n').at(-1)}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as RunResult);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}
