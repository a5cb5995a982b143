// A sample of bad calls from each module: every error weft throws carries a
// stable `code` from the catalogue (Node's ERR_INVALID_ARG_TYPE /
// ERR_OUT_OF_RANGE / ERR_INVALID_ARG_VALUE on plain TypeError / RangeError
// for bad arguments, a WeftError code for the rest).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as threading from '../../src/threading/index.js';
import * as shared from '../../src/shared/index.js';
import * as queue from '../../src/queue/index.js';
import * as futures from '../../src/futures/index.js';
import * as asyncio from '../../src/asyncio/index.js';
import * as green from '../../src/green/index.js';
import type { ErrorCode } from '../../src/index.js';

type Case = readonly [label: string, call: () => unknown, code: ErrorCode, cls?: ErrorConstructor];

/** The error `call` throws or its promise rejects with (within 2 s). */
async function errorOf(call: () => unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = call();
  } catch (e) {
    return e;
  }
  if (!(result instanceof Promise)) return undefined;
  return Promise.race([
    result.then(
      () => undefined,
      (e: unknown) => e,
    ),
    new Promise((r) => setTimeout(r, 2000, 'pending')),
  ]);
}

async function check(cases: readonly Case[]): Promise<void> {
  for (const [label, call, code, cls] of cases) {
    const e = await errorOf(call);
    assert.ok(e instanceof Error, `${label}: no error (${String(e)})`);
    assert.equal((e as { code?: unknown }).code, code, `${label}: ${e.name}: ${e.message}`);
    if (cls !== undefined) assert.ok(e instanceof cls, `${label}: a ${e.name}, not a ${cls.name}`);
  }
}

const T = TypeError;
const R = RangeError;

test('threading: bad arguments and bad states have codes', async () => {
  const lock = new threading.Lock();
  const cond = new threading.Condition();
  await check([
    [
      'Lock.acquireSync({ timeout: -1 })',
      () => lock.acquireSync({ timeout: -1 }),
      'ERR_OUT_OF_RANGE',
      R,
    ],
    [
      'Lock.acquire({ timeout: "1" })',
      () => lock.acquire({ timeout: '1' as never }),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
    [
      'Lock.acquire({ timeout: NaN })',
      () => lock.acquire({ timeout: NaN }),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
    [
      'Lock.acquireSync({ blocking: false, timeout: 1 })',
      () => lock.acquireSync({ blocking: false, timeout: 1 }),
      'ERR_INVALID_ARG_VALUE',
      R,
    ],
    [
      'Lock.acquire({ blocking: 0 })',
      () => lock.acquire({ blocking: 0 as never }),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
    [
      'Lock.acquire({ signal: {} })',
      () => lock.acquire({ signal: {} as never }),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
    ['Lock.release() unlocked', () => lock.release(), 'ERR_LOCK_NOT_HELD'],
    ['RLock.release() unowned', () => new threading.RLock().release(), 'ERR_RLOCK_NOT_OWNED'],
    ['new Semaphore(-1)', () => new threading.Semaphore(-1), 'ERR_OUT_OF_RANGE', R],
    ['new Semaphore(1.5)', () => new threading.Semaphore(1.5), 'ERR_INVALID_ARG_TYPE', T],
    [
      'BoundedSemaphore over-release',
      () => new threading.BoundedSemaphore(1).release(),
      'ERR_SEMAPHORE_OVERRELEASED',
    ],
    [
      'Event.waitSync({ timeout: -5 })',
      () => new threading.Event().waitSync({ timeout: -5 }),
      'ERR_OUT_OF_RANGE',
      R,
    ],
    ['Condition.notify() unowned', () => cond.notify(), 'ERR_CONDITION_NOT_OWNED'],
    ['new Condition({})', () => new threading.Condition({} as never), 'ERR_INVALID_ARG_TYPE', T],
    ['new Barrier(0)', () => new threading.Barrier(0), 'ERR_OUT_OF_RANGE', R],
    [
      'new Barrier(2, { action: 5 })',
      () => new threading.Barrier(2, { action: 5 as never }),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
    ['new Thread({})', () => new threading.Thread({}), 'ERR_INVALID_ARG_TYPE', T],
    [
      'Thread.join() unstarted',
      () => new threading.Thread({ target: () => 1 }).join(),
      'ERR_THREAD_STATE',
    ],
    ['tasks("relative")', () => threading.tasks('./work.js'), 'ERR_INVALID_ARG_TYPE', T],
    [
      'inline target with a captured variable',
      () => {
        const outer = 1;
        return new threading.Thread({ target: () => outer });
      },
      'ERR_INLINE_CAPTURE',
      T,
    ],
    [
      'a class as target',
      () => new threading.Thread({ target: class {} as never }),
      'ERR_INVALID_ARG_VALUE',
      T,
    ],
  ]);
});

test('shared: bad arguments and bad states have codes', async () => {
  await check([
    ["new Value('x')", () => new shared.Value('x' as never), 'ERR_INVALID_ARG_VALUE', T],
    ["new Value('B', 256)", () => new shared.Value('B', 256), 'ERR_OUT_OF_RANGE', R],
    ["new Value('i', 1.5)", () => new shared.Value('i', 1.5), 'ERR_INVALID_ARG_TYPE', T],
    ["new Value('d').add(1)", () => new shared.Value('d').add(1), 'ERR_NOT_ATOMIC', T],
    [
      'getLock() with lock: false',
      () => new shared.Value('i', 0, { lock: false }).getLock(),
      'ERR_NO_LOCK',
    ],
    ['SharedArray.get(5) of 2', () => new shared.SharedArray('i', 2).get(5), 'ERR_OUT_OF_RANGE', R],
    [
      "new SharedArray('i', 'abc' as length)",
      () => new shared.SharedArray('i', {} as never),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
  ]);
});

test('queue: bad arguments and bad states have codes', async () => {
  const q = new queue.Queue<number>({ maxsize: 1 });
  const pq = new queue.PriorityQueue<number | string>();
  pq.putNowait(1);
  await check([
    ['new Queue({ maxsize: -1 })', () => new queue.Queue({ maxsize: -1 }), 'ERR_OUT_OF_RANGE', R],
    [
      'new Queue({ maxsize: 1.5 })',
      () => new queue.Queue({ maxsize: 1.5 }),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
    ['getNowait() empty', () => q.getNowait(), 'ERR_QUEUE_EMPTY'],
    ['getSync({ timeout: -1 })', () => q.getSync({ timeout: -1 }), 'ERR_OUT_OF_RANGE', R],
    [
      'get({ block: false, timeout: 1 })',
      () => q.get({ block: false, timeout: 1 }),
      'ERR_INVALID_ARG_VALUE',
      R,
    ],
    ['taskDone() too many', () => q.taskDone(), 'ERR_TASK_DONE_TOO_MANY'],
    ['PriorityQueue mixed kinds', () => pq.putNowait('a'), 'ERR_INVALID_ARG_VALUE', T],
    [
      'PriorityQueue NaN',
      () => new queue.PriorityQueue<number>().putNowait(NaN),
      'ERR_INVALID_ARG_VALUE',
      T,
    ],
    [
      'PriorityQueue [] item',
      () => new queue.PriorityQueue<never>().putNowait([] as never),
      'ERR_INVALID_ARG_VALUE',
      T,
    ],
    [
      'PriorityQueue object item',
      () => new queue.PriorityQueue<never>().putNowait({} as never),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
  ]);
  q.putNowait(1);
  await check([['putNowait() full', () => q.putNowait(2), 'ERR_QUEUE_FULL']]);
  q.shutdown();
  await check([['put after shutdown', () => q.putNowait(3), 'ERR_QUEUE_SHUT_DOWN']]);
});

test('futures: bad arguments and bad states have codes', async (t) => {
  const pool = new futures.ThreadPoolExecutor({ maxWorkers: 1 });
  t.after(() => pool.shutdown());
  const f = new futures.Future<number>();
  await check([
    [
      'new ThreadPoolExecutor({ maxWorkers: 0 })',
      () => new futures.ThreadPoolExecutor({ maxWorkers: 0 }),
      'ERR_OUT_OF_RANGE',
      R,
    ],
    [
      'new ThreadPoolExecutor({ name: 5 })',
      () => new futures.ThreadPoolExecutor({ name: 5 as never }),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
    [
      'shutdown({ wait: "no" })',
      () => pool.shutdown({ wait: 'no' as never }),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
    [
      'submitWith(fn, "args")',
      () => pool.submitWith(() => 1, 'x' as never),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
    [
      'submit(5)',
      () => (pool as unknown as { submit(t: unknown): unknown }).submit(5),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
    ['map(fn) with no iterable', () => pool.map(() => 1), 'ERR_MISSING_ARGS', T],
    ['result({ timeout: 0 }) pending', () => f.result({ timeout: 0 }), 'ERR_TIMEOUT'],
    ['result({ timeout: -1 })', () => f.result({ timeout: -1 }), 'ERR_OUT_OF_RANGE', R],
    [
      'wait(fs, { returnWhen: "x" })',
      () => futures.wait([f], { returnWhen: 'x' as never }),
      'ERR_INVALID_ARG_VALUE',
      T,
    ],
    ['wait([5])', () => futures.wait([5 as never]), 'ERR_INVALID_ARG_TYPE', T],
    ['taskSignal() outside a task', () => futures.taskSignal(), 'ERR_NOT_IN_TASK'],
  ]);
  f.cancel();
  await check([
    ['result() of a cancelled future', () => f.result(), 'ERR_CANCELLED'],
    ['setResult() of a cancelled future', () => f.setResult(1), 'ERR_INVALID_STATE'],
  ]);
});

test('asyncio: bad arguments and bad states have codes', async () => {
  const lock = new asyncio.Lock();
  await check([
    ['sleep(-1)', () => asyncio.sleep(-1), 'ERR_OUT_OF_RANGE', R],
    ['sleep("1")', () => asyncio.sleep('1' as never), 'ERR_INVALID_ARG_TYPE', T],
    ['timeout(-1)', () => asyncio.timeout(-1), 'ERR_OUT_OF_RANGE', R],
    ['waitFor(5)', () => asyncio.waitFor(5 as never), 'ERR_INVALID_ARG_TYPE', T],
    ['callLater(-1)', () => asyncio.getEventLoop().callLater(-1, () => {}), 'ERR_OUT_OF_RANGE', R],
    [
      'callAt("x")',
      () => asyncio.getEventLoop().callAt('x' as never, () => {}),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
    ['Lock.release() unlocked', () => lock.release(), 'ERR_LOCK_NOT_HELD'],
    ['new Queue({ maxsize: -1 })', () => new asyncio.Queue({ maxsize: -1 }), 'ERR_OUT_OF_RANGE', R],
    ['Queue.getNowait() empty', () => new asyncio.Queue().getNowait(), 'ERR_QUEUE_EMPTY'],
    ['new Barrier(0)', () => new asyncio.Barrier(0), 'ERR_OUT_OF_RANGE', R],
    [
      'new Condition(threading lock)',
      () => new asyncio.Condition(new threading.Lock() as never),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
    ['gather(5)', () => asyncio.gather(5 as never), 'ERR_INVALID_ARG_TYPE', T],
    [
      'BoundedSemaphore over-release',
      () => new asyncio.BoundedSemaphore(1).release(),
      'ERR_SEMAPHORE_OVERRELEASED',
    ],
  ]);
});

test('green: bad arguments and bad states have codes', async () => {
  await check([
    ['spawn(5)', () => green.spawn(5 as never), 'ERR_INVALID_ARG_TYPE', T],
    ['sleep(-1)', () => green.sleep(-1), 'ERR_OUT_OF_RANGE', R],
    ['new Timeout(-1)', () => new green.Timeout(-1), 'ERR_OUT_OF_RANGE', R],
    ['new Pool(0)', () => new green.Pool(0), 'ERR_OUT_OF_RANGE', R],
    ['joinAll(5)', () => green.joinAll(5 as never), 'ERR_INVALID_ARG_TYPE', T],
    [
      'joinAll([], { raiseError: 1 })',
      () => green.joinAll([] as green.Greenlet[], { raiseError: 1 as never }),
      'ERR_INVALID_ARG_TYPE',
      T,
    ],
    [
      'Timeout.start() twice',
      () => {
        const timeout = green.Timeout.startNew(1000);
        try {
          timeout.start();
        } finally {
          timeout.cancel();
        }
      },
      'ERR_TIMEOUT_PENDING',
    ],
  ]);
  const g = green.spawn(() => green.sleep(1000));
  await green.sleep(0);
  await g.kill();
  await check([['get() of a killed greenlet', () => g.get(), 'ERR_GREENLET_EXIT']]);
});
