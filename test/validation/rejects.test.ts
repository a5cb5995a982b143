// One rule for every module: a method that returns a promise never throws at
// the call; a bad argument rejects the promise it returns (README "Errors").
// Each public promise-returning method, called with an argument it refuses.
import { test } from 'node:test';
import * as threading from '../../src/threading/index.js';
import * as asyncio from '../../src/asyncio/index.js';
import * as queue from '../../src/queue/index.js';
import * as futures from '../../src/futures/index.js';
import * as green from '../../src/green/index.js';
import { assertRejectsAtCall } from '../helpers/rejects.js';

type Call = readonly [what: string, call: () => unknown, Class: typeof TypeError, code: string];

const NOT_OPTIONS = false as never;
const NEGATIVE = { timeout: -1 } as const;
const T = 'ERR_INVALID_ARG_TYPE';
const R = 'ERR_OUT_OF_RANGE';

function calls(): Call[] {
  const lock = new threading.Lock();
  const rlock = new threading.RLock();
  const sem = new threading.Semaphore();
  const cond = new threading.Condition();
  const event = new threading.Event();
  const barrier = new threading.Barrier(2);
  const aLock = new asyncio.Lock();
  const aSem = new asyncio.Semaphore();
  const aCond = new asyncio.Condition();
  const aEvent = new asyncio.Event();
  const aBarrier = new asyncio.Barrier(2);
  const aQueue = new asyncio.Queue<number>();
  const aPriority = new asyncio.PriorityQueue<number>();
  const q = new queue.Queue<number>();
  const pq = new queue.PriorityQueue<number>();
  const simple = new queue.SimpleQueue<number>();
  const future = new futures.Future<number>();
  const greenlet = new green.Greenlet(() => 1);
  const group = new green.Group();
  const pool = new green.Pool(1);
  return [
    ['threading Lock.acquire(false)', () => lock.acquire(NOT_OPTIONS), TypeError, T],
    ['threading Lock.acquire({ timeout: -1 })', () => lock.acquire(NEGATIVE), RangeError, R],
    ['threading Lock.hold(false)', () => lock.hold(NOT_OPTIONS), TypeError, T],
    ['threading RLock.acquire(false)', () => rlock.acquire(NOT_OPTIONS), TypeError, T],
    ['threading RLock.hold(false)', () => rlock.hold(NOT_OPTIONS), TypeError, T],
    ['threading Semaphore.acquire(false)', () => sem.acquire(NOT_OPTIONS), TypeError, T],
    ['threading Semaphore.hold(false)', () => sem.hold(NOT_OPTIONS), TypeError, T],
    ['threading Condition.acquire(false)', () => cond.acquire(NOT_OPTIONS), TypeError, T],
    ['threading Condition.hold(false)', () => cond.hold(NOT_OPTIONS), TypeError, T],
    ['threading Condition.wait(5)', () => cond.wait(5 as never), TypeError, T],
    ['threading Event.wait(1)', () => event.wait(1 as never), TypeError, T],
    ['threading Event.wait({ timeout: -1 })', () => event.wait(NEGATIVE), RangeError, R],
    ['threading Barrier.wait(1)', () => barrier.wait(1 as never), TypeError, T],
    ['asyncio Lock.acquire(false)', () => aLock.acquire(NOT_OPTIONS), TypeError, T],
    ['asyncio Lock.hold(false)', () => aLock.hold(NOT_OPTIONS), TypeError, T],
    ['asyncio Semaphore.acquire(false)', () => aSem.acquire(NOT_OPTIONS), TypeError, T],
    ['asyncio Semaphore.hold(false)', () => aSem.hold(NOT_OPTIONS), TypeError, T],
    ['asyncio Condition.acquire(false)', () => aCond.acquire(NOT_OPTIONS), TypeError, T],
    ['asyncio Condition.hold(false)', () => aCond.hold(NOT_OPTIONS), TypeError, T],
    ['asyncio Condition.wait(5)', () => aCond.wait(5 as never), TypeError, T],
    ['asyncio Event.wait(1)', () => aEvent.wait(1 as never), TypeError, T],
    ['asyncio Barrier.wait(1)', () => aBarrier.wait(1 as never), TypeError, T],
    ['asyncio Queue.get(false)', () => aQueue.get(NOT_OPTIONS), TypeError, T],
    ['asyncio Queue.put(1, false)', () => aQueue.put(1, NOT_OPTIONS), TypeError, T],
    ['asyncio Queue.join(5)', () => aQueue.join(5 as never), TypeError, T],
    [
      'asyncio PriorityQueue.put(NaN)',
      () => aPriority.put(Number.NaN),
      TypeError,
      'ERR_INVALID_ARG_VALUE',
    ],
    ['asyncio sleep(-1)', () => asyncio.sleep(-1), RangeError, R],
    ['asyncio waitFor(p, 5)', () => asyncio.waitFor(Promise.resolve(1), 5 as never), TypeError, T],
    ['asyncio shield(p, 5)', () => asyncio.shield(Promise.resolve(1), 5 as never), TypeError, T],
    ['asyncio gather(5)', () => asyncio.gather(5 as never), TypeError, T],
    ['queue Queue.get(false)', () => q.get(NOT_OPTIONS), TypeError, T],
    ['queue Queue.put(1, false)', () => q.put(1, NOT_OPTIONS), TypeError, T],
    ['queue Queue.join(5)', () => q.join(5 as never), TypeError, T],
    ['queue PriorityQueue.put(NaN)', () => pq.put(Number.NaN), TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['queue SimpleQueue.get(false)', () => simple.get(NOT_OPTIONS), TypeError, T],
    ['futures Future.result(5)', () => future.result(5 as never), TypeError, T],
    ['futures wait(fs, 5)', () => futures.wait([future], 5 as never), TypeError, T],
    ['green Greenlet.join(false)', () => greenlet.join(NOT_OPTIONS), TypeError, T],
    ['green Greenlet.kill(false)', () => greenlet.kill(NOT_OPTIONS), TypeError, T],
    ['green Greenlet.get(false)', () => greenlet.get(NOT_OPTIONS), TypeError, T],
    ['green Group.join(false)', () => group.join(NOT_OPTIONS), TypeError, T],
    ['green Group.kill(false)', () => group.kill(NOT_OPTIONS), TypeError, T],
    ['green Pool.waitAvailable(false)', () => pool.waitAvailable(NOT_OPTIONS), TypeError, T],
    ['green sleep(-1)', () => green.sleep(-1), RangeError, R],
    ['green wait(gs, false)', () => green.wait([greenlet], NOT_OPTIONS), TypeError, T],
    ['green joinAll(gs, false)', () => green.joinAll([greenlet], NOT_OPTIONS), TypeError, T],
    ['green killAll(gs, false)', () => green.killAll([greenlet], NOT_OPTIONS), TypeError, T],
  ];
}

test('a promise-returning method rejects a bad argument; it never throws at the call', async () => {
  const failures: string[] = [];
  for (const [what, call, Class, code] of calls()) {
    try {
      await assertRejectsAtCall(what, call, Class, code);
    } catch (error) {
      failures.push((error as Error).message.split('\n')[0]!);
    }
  }
  if (failures.length > 0) throw new Error(`${failures.length} offenders:\n${failures.join('\n')}`);
});
