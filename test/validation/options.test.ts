// Python's positional habits (`lock.acquireSync(false)`, `new Barrier(2, fn)`,
// `q.get(false)`, `new asyncio.Queue(5)`, `t.join(1)`, `future.result(5)`)
// must not be silently ignored: every public function or constructor that
// takes an options object throws a TypeError with code ERR_INVALID_ARG_TYPE
// when it receives anything else (a primitive, null, an array, a function, a
// bare AbortSignal). The rule is tested over every options parameter of every
// module, with every kind of non-object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as threading from '../../src/threading/index.js';
import * as queue from '../../src/queue/index.js';
import * as futures from '../../src/futures/index.js';
import * as asyncio from '../../src/asyncio/index.js';
import * as green from '../../src/green/index.js';
import { checkOptions } from '../../src/internal/validate.js';

type Call = () => unknown;

const isArgType = (e: unknown): boolean =>
  e instanceof TypeError && (e as { code?: unknown }).code === 'ERR_INVALID_ARG_TYPE';

/** Every kind of value that is not an options object. */
const NOT_OPTIONS: readonly unknown[] = [
  false,
  true,
  0,
  5,
  'x',
  null,
  [],
  [{ timeout: 1 }],
  () => {},
  1n,
  Symbol('s'),
  new AbortController().signal,
];

/**
 * Calls `fn` and checks it fails with ERR_INVALID_ARG_TYPE, synchronously or
 * as a rejected promise, before doing anything (it must not hang). Returns
 * which of the two it was.
 */
async function refuses(label: string, fn: Call): Promise<'throws' | 'rejects'> {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    assert.ok(
      isArgType(e),
      `${label}: threw ${String(e)} (code ${String((e as { code?: unknown }).code)})`,
    );
    return 'throws';
  }
  assert.ok(result instanceof Promise, `${label}: neither threw nor returned a promise`);
  const outcome = await Promise.race([
    result.then(
      () => 'resolved',
      (e: unknown) => e,
    ),
    new Promise((r) => setTimeout(r, 2000, 'pending')),
  ]);
  assert.ok(isArgType(outcome), `${label}: ${String(outcome)} instead of ERR_INVALID_ARG_TYPE`);
  return 'rejects';
}

/** [name, (options) => call] for one options parameter; `bad` goes where the options go. */
type Site = readonly [string, (bad: never) => unknown];

async function checkSites(sites: readonly Site[]): Promise<Map<string, string>> {
  const modes = new Map<string, string>();
  for (const [name, call] of sites) {
    for (const bad of NOT_OPTIONS) {
      const mode = await refuses(
        `${name} with ${typeof bad === 'symbol' ? 'a symbol' : String(bad)}`,
        () => call(bad as never),
      );
      modes.set(name, mode);
    }
  }
  return modes;
}

test('checkOptions: undefined gives an empty object; plain objects, null-prototype objects and class instances pass; the message shows the options form', () => {
  assert.deepEqual(checkOptions(undefined, 'f()', '{ a }'), {});
  const o = { timeout: 1 };
  assert.equal(checkOptions(o, 'f()', '{ a }'), o);
  const bare = Object.create(null) as object;
  assert.equal(checkOptions(bare, 'f()', '{ a }'), bare);
  class Opts {
    timeout = 1;
  }
  const inst = new Opts();
  assert.equal(checkOptions(inst, 'f()', '{ a }'), inst);
  assert.throws(
    () => checkOptions(false as never, 'lock.acquireSync(options)', '{ blocking: false }'),
    (e: unknown) =>
      isArgType(e) &&
      (e as Error).message.includes('lock.acquireSync(options)') &&
      (e as Error).message.includes('{ blocking: false }'),
  );
});

test('threading: Lock, RLock, Semaphore, BoundedSemaphore, Event, Condition, Barrier, Thread refuse non-object options', async (t) => {
  const lock = new threading.Lock();
  const rlock = new threading.RLock();
  const sem = new threading.Semaphore(1);
  const bsem = new threading.BoundedSemaphore(1);
  const event = new threading.Event();
  const cond = new threading.Condition();
  const barrier = new threading.Barrier(2);
  const thread = new threading.Thread({ target: () => 1 });
  const sites: Site[] = [];
  for (const [name, l] of [
    ['lock', lock],
    ['rlock', rlock],
    ['semaphore', sem],
    ['boundedSemaphore', bsem],
    ['condition', cond],
  ] as const) {
    sites.push(
      [`${name}.acquire`, (b) => l.acquire(b)],
      [`${name}.acquireSync`, (b) => l.acquireSync(b)],
      [`${name}.hold`, (b) => l.hold(b)],
      [`${name}.holdSync`, (b) => l.holdSync(b)],
    );
  }
  sites.push(
    ['rlock.withLock', (b) => rlock.withLock(() => 1, b)],
    ['event.wait', (b) => event.wait(b)],
    ['event.waitSync', (b) => event.waitSync(b)],
    ['new Condition', (b) => new threading.Condition(undefined, b)],
    ['condition.wait', (b) => cond.wait(b)],
    ['condition.waitSync', (b) => cond.waitSync(b)],
    ['condition.waitFor', (b) => cond.waitFor(() => false, b)],
    ['condition.waitForSync', (b) => cond.waitForSync(() => false, b)],
    ['new Barrier', (b) => new threading.Barrier(2, b)],
    ['barrier.wait', (b) => barrier.wait(b)],
    ['barrier.waitSync', (b) => barrier.waitSync(b)],
    ['thread.join', (b) => thread.join(b)],
    ['thread.joinSync', (b) => thread.joinSync(b)],
    ['new Thread', (b) => new threading.Thread(b)],
  );
  const modes = await checkSites(sites);
  t.diagnostic(JSON.stringify(Object.fromEntries(modes)));
  // Nothing was taken or left waiting by the refused calls.
  assert.equal(lock.locked(), false);
  assert.equal(rlock.locked(), false);
  assert.equal(sem.value, 1);
  assert.equal(barrier.nWaiting, 0);
});

test("threading: the issue's examples fail at once — acquireSync(false) no longer blocks, Barrier(2, fn) no longer drops the action", async () => {
  const lock = new threading.Lock();
  lock.acquireSync();
  // Python's lock.acquire(False) would return False; weft must not block here forever.
  assert.throws(() => lock.acquireSync(false as never), isArgType);
  await assert.rejects(lock.acquire(false as never), isArgType);
  lock.release();
  assert.throws(() => new threading.Barrier(2, (() => {}) as never), isArgType);
  assert.throws(() => new threading.Semaphore({ value: 2 } as never), isArgType);
});

test('queue: Queue, LifoQueue, PriorityQueue, SimpleQueue refuse non-object options', async (t) => {
  const sites: Site[] = [];
  for (const Q of [queue.Queue, queue.LifoQueue, queue.PriorityQueue]) {
    const name = Q.name;
    const q = new Q<number>({ maxsize: 1 });
    q.putNowait(1);
    sites.push(
      [`new ${name}`, (b) => new Q(b)],
      [`${name}.put`, (b) => q.put(1, b)],
      [`${name}.putSync`, (b) => q.putSync(1, b)],
      [`${name}.get`, (b) => q.get(b)],
      [`${name}.getSync`, (b) => q.getSync(b)],
      [`${name}.join`, (b) => q.join(b)],
      [`${name}.joinSync`, (b) => q.joinSync(b)],
      [`${name}.shutdown`, (b) => q.shutdown(b)],
    );
  }
  // An unbounded FIFO queue uses the other storage.
  const big = new queue.Queue<number>();
  sites.push(
    ['Queue(unbounded).put', (b) => big.put(1, b)],
    ['Queue(unbounded).get', (b) => big.get(b)],
  );
  const simple = new queue.SimpleQueue<number>();
  sites.push(
    ['SimpleQueue.get', (b) => simple.get(b)],
    ['SimpleQueue.getSync', (b) => simple.getSync(b)],
  );
  const modes = await checkSites(sites);
  t.diagnostic(JSON.stringify(Object.fromEntries(modes)));
  assert.equal(big.qsize(), 0, 'a refused put put nothing');
  // Python's q.get(False) / q.put(x, False) / Queue(5)
  const q = new queue.Queue<number>({ maxsize: 1 });
  assert.throws(() => q.getSync(false as never), isArgType);
  assert.throws(() => new queue.Queue(5 as never), isArgType);
  q.putSync(1);
  assert.throws(() => q.putSync(2, false as never), isArgType);
  assert.equal(q.qsize(), 1);
});

test('futures: executors, shutdown, submitWith, Future.result/exception, wait, asCompleted refuse non-object options', async (t) => {
  const pool = new futures.ThreadPoolExecutor({ maxWorkers: 1 });
  t.after(() => pool.shutdown({ cancelFutures: true }));
  const f = new futures.Future<number>();
  const sites: Site[] = [
    ['new ThreadPoolExecutor', (b) => new futures.ThreadPoolExecutor(b)],
    ['new ProcessPoolExecutor', (b) => new futures.ProcessPoolExecutor(b)],
    ['pool.shutdown', (b) => pool.shutdown(b)],
    ['future.result', (b) => f.result(b)],
    ['future.exception', (b) => f.exception(b)],
    ['wait', (b) => futures.wait([f], b)],
    ['asCompleted', (b) => futures.asCompleted([f], b)],
  ];
  const modes = await checkSites(sites);
  t.diagnostic(JSON.stringify(Object.fromEntries(modes)));
  // submitWith with bad options: refused before the task is queued (it would
  // otherwise run). One value is enough here: each call starts work.
  assert.throws(() => pool.submitWith(() => 1, [], 5 as never), isArgType);
  // Python's ThreadPoolExecutor(4) / shutdown(False) / future.result(5)
  assert.throws(() => new futures.ThreadPoolExecutor(4 as never), isArgType);
  await assert.rejects(pool.shutdown(false as never), isArgType);
  await assert.rejects(f.result(5 as never), isArgType);
  f.setResult(1);
  assert.equal(await f.result(), 1);
});

test('asyncio: Queue, Barrier, Lock, Semaphore, Event, Condition, sleep, timeout, waitFor, shield, TaskGroup refuse non-object options', async (t) => {
  const q = new asyncio.Queue<number>({ maxsize: 1 });
  q.putNowait(1);
  const lock = new asyncio.Lock();
  const sem = new asyncio.Semaphore(1);
  const event = new asyncio.Event();
  const cond = new asyncio.Condition();
  const barrier = new asyncio.Barrier(2);
  const sites: Site[] = [
    ['new Queue', (b) => new asyncio.Queue(b)],
    ['new LifoQueue', (b) => new asyncio.LifoQueue(b)],
    ['new PriorityQueue', (b) => new asyncio.PriorityQueue(b)],
    ['queue.put', (b) => q.put(1, b)],
    ['queue.get', (b) => q.get(b)],
    ['queue.join', (b) => q.join(b)],
    ['queue.shutdown', (b) => q.shutdown(b)],
    ['new Barrier', (b) => new asyncio.Barrier(2, b)],
    ['barrier.wait', (b) => barrier.wait(b)],
    ['lock.acquire', (b) => lock.acquire(b)],
    ['lock.hold', (b) => lock.hold(b)],
    ['semaphore.acquire', (b) => sem.acquire(b)],
    ['semaphore.hold', (b) => sem.hold(b)],
    ['event.wait', (b) => event.wait(b)],
    ['condition.acquire', (b) => cond.acquire(b)],
    ['condition.wait', (b) => cond.wait(b)],
    ['condition.waitFor', (b) => cond.waitFor(() => false, b)],
    ['sleep', (b) => asyncio.sleep(1, b)],
    ['timeout', (b) => asyncio.timeout(1, b)],
    ['timeoutAt', (b) => asyncio.timeoutAt(undefined, b)],
    ['waitFor', (b) => asyncio.waitFor(Promise.resolve(1), b)],
    ['shield', (b) => asyncio.shield(Promise.resolve(1), b)],
    ['new TaskGroup', (b) => new asyncio.TaskGroup(b)],
    ['TaskGroup.run', (b) => asyncio.TaskGroup.run(() => 1, b)],
  ];
  const modes = await checkSites(sites);
  t.diagnostic(JSON.stringify(Object.fromEntries(modes)));
  assert.equal(lock.locked(), false);
  assert.equal(q.qsize(), 1);
  // The example: new asyncio.Queue(5) was silently unbounded.
  assert.throws(() => new asyncio.Queue(5 as never), isArgType);
  assert.throws(() => new asyncio.Barrier(2, (() => {}) as never), isArgType);
});

test('green: Greenlet join/get/kill, joinAll, wait, killAll, Pool.add/waitAvailable, Group.join/kill refuse non-object options', async (t) => {
  const g = green.spawn(() => 1);
  await g.join();
  const pool = new green.Pool(1);
  const group = new green.Group();
  const sites: Site[] = [
    ['greenlet.join', (b) => g.join(b)],
    ['greenlet.get', (b) => g.get(b)],
    ['greenlet.kill', (b) => g.kill(b)],
    ['joinAll', (b) => green.joinAll([g], b)],
    ['wait', (b) => green.wait([g], b)],
    ['killAll', (b) => green.killAll([g], b)],
    [
      'pool.add',
      (b) =>
        pool.add(
          green.spawn(() => 2),
          b,
        ),
    ],
    ['pool.waitAvailable', (b) => pool.waitAvailable(b)],
    ['group.join', (b) => group.join(b)],
    ['group.kill', (b) => group.kill(b)],
  ];
  const modes = await checkSites(sites);
  t.diagnostic(JSON.stringify(Object.fromEntries(modes)));
  await green.sleep(0);
});
