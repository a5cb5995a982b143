// Every queue survives a party that dies at any instruction (DESIGN.md
// principle 8): producers and consumers in worker threads are terminated at
// random moments, many times, and the queue must still work, deliver every
// completed put exactly once, and lose at most the dead parties' own items.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { pack, SHARE } from '../../src/internal/codec.js';
import { LifoQueue, PriorityQueue, Queue, SimpleQueue } from '../../src/queue/index.js';
import * as registry from '../../src/threading/registry.js';
import {
  ERRORS,
  GOT,
  HELD,
  LANES,
  LOG_WORDS,
  PUT,
  READY,
  RESULT,
  STOP,
  STOP_CONSUMERS,
  TICKS,
} from '../fixtures/death-log.js';

const FIXTURE = new URL('../fixtures/queue-death.ts', import.meta.url);
const ROUNDS = Number(process.env.WEFT_DEATH_ROUNDS ?? 5);
const RANGE = 8_000;
const DEADLINE = 60_000;

type Role = 'producer' | 'consumer' | 'drain' | 'hold' | 'loopcheck' | 'claim-put' | 'claim-get';
type AnyQueue = Queue<string> | SimpleQueue<string>;

interface Party {
  readonly role: Role;
  readonly mode: 'sync' | 'async';
  readonly index: number;
  readonly worker: Worker;
  readonly exited: Promise<number>;
}

/** Starts a fixture worker registered in weft's thread registry, as weft's own threads are. */
function spawn(
  role: Role,
  q: AnyQueue,
  log: SharedArrayBuffer,
  index: number,
  extra: {
    mode?: 'sync' | 'async';
    base?: number;
    control?: SharedArrayBuffer;
    ring?: unknown;
  } = {},
): Party {
  const slot = registry.claim(`death-${role}-${index}`, true);
  const worker = new Worker(FIXTURE, {
    workerData: {
      weftRegistry: registry.registryBuffer(),
      role,
      mode: extra.mode ?? 'sync',
      queue: pack(q),
      control: extra.control,
      ring: extra.ring,
      log,
      base: extra.base ?? 0,
      count: RANGE,
      index,
    },
  });
  const ident = worker.threadId;
  registry.setIdent(slot, ident);
  worker.on('error', () => {});
  const exited = new Promise<number>((resolve) =>
    worker.once('exit', (code) => {
      registry.markDone(slot, ident);
      resolve(code);
    }),
  );
  return { role, mode: extra.mode ?? 'sync', index, worker, exited };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Kind {
  readonly name: string;
  readonly make: () => AnyQueue;
}

const kinds: Kind[] = [
  { name: 'Queue (ring, maxsize 4)', make: () => new Queue<string>({ maxsize: 4 }) },
  { name: 'Queue (unbounded: mutex store)', make: () => new Queue<string>() },
  { name: 'LifoQueue', make: () => new LifoQueue<string>() },
  { name: 'PriorityQueue (maxsize 16)', make: () => new PriorityQueue<string>({ maxsize: 16 }) },
  { name: 'SimpleQueue', make: () => new SimpleQueue<string>() },
];

for (const kind of kinds) {
  test(`${kind.name}: producers and consumers terminated at random moments (${ROUNDS} rounds of 1-3 workers, several parties each); the queue still works, no completed put is lost, nothing is duplicated`, async (t) => {
    const q = kind.make();
    const log = new SharedArrayBuffer(LOG_WORDS * 4);
    const L = new Int32Array(log);
    const live = new Set<Party>();
    const all: Party[] = [];
    let next = 0;
    const kills = { producer: 0, consumer: 0 };
    t.after(async () => {
      for (const p of all) void p.worker.terminate();
      await Promise.all(all.map((p) => p.exited));
    });
    const start = (role: 'producer' | 'consumer'): void => {
      const index = next++;
      const mode = Math.random() < 0.5 ? 'sync' : 'async';
      const party = spawn(role, q, log, index, { mode, base: index * RANGE });
      live.add(party);
      all.push(party);
      void party.exited.then(() => live.delete(party));
    };
    for (const role of ['producer', 'producer', 'consumer', 'consumer'] as const) start(role);

    for (let round = 0; round < ROUNDS; round++) {
      // One to three victims that have reached their loops, each killed at
      // its own random moment; replacements start at once, and the next
      // round goes on with whoever is ready.
      const ready = (): Party[] => [...live].filter((p) => Atomics.load(L, READY + p.index) === 1);
      await until(() => ready().length > 0, DEADLINE * 3, 'a worker ready');
      const victims = ready()
        .sort(() => Math.random() - 0.5)
        .slice(0, 1 + Math.floor(Math.random() * 3));
      await Promise.all(
        victims.map(async (victim) => {
          await pause(1 + Math.random() * 15);
          await victim.worker.terminate();
          await victim.exited;
          const sequential = q instanceof SimpleQueue && victim.role === 'producer';
          const lanes = victim.mode === 'async' && !sequential ? LANES : 1;
          kills[victim.role as 'producer' | 'consumer'] += lanes;
          start(victim.role as 'producer' | 'consumer');
        }),
      );
    }

    // Stop producers first (consumers make room for a blocked one), then consumers.
    Atomics.store(L, STOP, 1);
    const stopping = [...live];
    await within(
      Promise.all(stopping.filter((p) => p.role === 'producer').map((p) => p.exited)),
      DEADLINE,
      'surviving producers finishing',
    );
    Atomics.store(L, STOP_CONSUMERS, 1);
    await within(
      Promise.all(stopping.map((p) => p.exited)),
      DEADLINE,
      'surviving consumers finishing',
    );
    assert.equal(Atomics.load(L, ERRORS), 0, 'a live producer or consumer failed (e.g. timed out)');

    // Another thread drains what is left and checks put/get still work:
    // on a wedged queue it fails by its deadline instead of hanging this one.
    const drain = spawn('drain', q, log, next++);
    all.push(drain);
    await within(drain.exited, DEADLINE, 'draining the queue after the deaths');
    assert.equal(Atomics.load(L, RESULT), 1, 'put then get after the deaths');
    assert.equal(q.qsize(), 0);

    // And this thread: blocking forms with a timeout, and an async get that
    // does not block the event loop while it waits.
    if (q instanceof SimpleQueue) q.put('main');
    else q.putSync('main', { timeout: 1000 });
    assert.equal(q.getSync({ timeout: 1000 }), 'main');
    let ticks = 0;
    let ticking = true;
    const tick = (): void => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    await assert.rejects(q.get({ timeout: 150 }), { code: 'ERR_QUEUE_EMPTY' });
    ticking = false;
    assert.ok(ticks > 10, `the event loop turned only ${ticks} times during await get()`);

    // Every completed put arrived exactly once, except at most one item taken
    // by each killed consumer; nothing arrived twice; items that arrived
    // without a completed put were in flight in a killed producer.
    let lost = 0;
    let unconfirmed = 0;
    for (let id = 0; id < next * RANGE; id++) {
      const got = L[GOT + id]!;
      const put = L[PUT + id]!;
      assert.ok(got <= 1, `item ${id} arrived ${got} times`);
      if (put === 1 && got === 0) lost++;
      if (put === 0 && got === 1) unconfirmed++;
    }
    assert.ok(
      lost <= kills.consumer,
      `${lost} completed puts lost, ${kills.consumer} consumers killed`,
    );
    assert.ok(
      unconfirmed <= kills.producer,
      `${unconfirmed} items arrived unconfirmed, ${kills.producer} producers killed`,
    );
  });
}

for (const Kind of [Queue, LifoQueue, PriorityQueue]) {
  test(`${Kind.name} (mutex store): a thread that dies holding the mutex is taken over; await get/put meanwhile never block the event loop`, async (t) => {
    const q = new Kind<string>();
    const log = new SharedArrayBuffer(LOG_WORDS * 4);
    const L = new Int32Array(log);
    const control = (q[SHARE]().state as { store: { control: SharedArrayBuffer } }).store.control;
    const holder = spawn('hold', q, log, 0, { control });
    const parties = [holder];
    t.after(async () => {
      for (const p of parties) void p.worker.terminate();
      await Promise.all(parties.map((p) => p.exited));
    });
    await until(() => Atomics.load(L, HELD) === 1, DEADLINE, 'the holder taking the mutex');
    const checker = spawn('loopcheck', q, log, 1);
    parties.push(checker);
    await until(() => Atomics.load(L, READY + 1) === 1, DEADLINE, 'the checker starting');
    await pause(30);
    await holder.worker.terminate();
    await holder.exited;
    await within(checker.exited, DEADLINE, 'async get and put beside a dead mutex holder');
    assert.equal(Atomics.load(L, RESULT), 1, 'get timed out with QueueEmpty, then put/get worked');
    assert.equal(Atomics.load(L, HELD), 2);
    assert.ok(Atomics.load(L, TICKS) > 20, 'the checker’s event loop kept turning');
    // And this thread takes it at once.
    q.putSync('3', { timeout: 1000 });
    assert.equal(await q.get({ timeout: 1000 }), '3');
  });
}

async function killAfterClaim(
  t: { after: (fn: () => Promise<void>) => void },
  q: Queue<string>,
  role: 'claim-put' | 'claim-get',
): Promise<void> {
  const log = new SharedArrayBuffer(LOG_WORDS * 4);
  const L = new Int32Array(log);
  const ring = (q[SHARE]().state as { ring: unknown }).ring;
  const party = spawn(role, q, log, 0, { ring });
  t.after(async () => {
    void party.worker.terminate();
    await party.exited;
  });
  await until(() => Atomics.load(L, HELD) === 1, DEADLINE, 'the claim');
  await party.worker.terminate();
  await party.exited;
}

for (const form of ['sync', 'async'] as const) {
  test(`Queue (ring): a producer killed after claiming a cell costs only its item; later items come out (${form} get) and join counts it done`, async (t) => {
    const q = new Queue<string>({ maxsize: 4 });
    await killAfterClaim(t, q, 'claim-put');
    q.putNowait('a');
    q.putNowait('b');
    const get = (): string | Promise<string> =>
      form === 'sync' ? q.getSync({ timeout: DEADLINE }) : q.get({ timeout: DEADLINE });
    assert.equal(await get(), 'a');
    assert.equal(await get(), 'b');
    q.taskDone();
    q.taskDone();
    assert.equal(await q.join({ timeout: DEADLINE }), true);
    assert.throws(() => q.getNowait(), { code: 'ERR_QUEUE_EMPTY' });
  });
}

test('Queue (ring): a consumer killed after claiming a cell costs only its item; producers wrapping around reuse the cell', async (t) => {
  const q = new Queue<string>({ maxsize: 2 });
  q.putNowait('x');
  await killAfterClaim(t, q, 'claim-get');
  q.putNowait('y');
  q.putNowait('z');
  assert.equal(q.getNowait(), 'y');
  assert.equal(await q.get({ timeout: DEADLINE }), 'z');
  for (let i = 0; i < 10; i++) {
    q.putSync(String(i), { timeout: DEADLINE });
    assert.equal(q.getSync({ timeout: DEADLINE }), String(i));
  }
});
