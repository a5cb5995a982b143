// TaskGroup: Python's asyncio.TaskGroup semantics with AbortSignals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import type { Task } from '../../src/asyncio/index.js';
import {
  CancelledError,
  Event,
  sleep,
  StateError,
  TaskGroup,
  TaskGroupError,
} from '../../src/asyncio/index.js';
import { CancelledError as FuturesCancelledError, Future } from '../../src/futures/index.js';
import { CancelledError as RootCancelledError } from '../../src/index.js';
import { checkNoLeaksAfterEach, settle } from './helpers.js';

checkNoLeaksAfterEach();

test('await using waits for every task; results are read from the tasks', async () => {
  let a!: Task<number>;
  let b!: Task<string>;
  {
    await using tg = new TaskGroup();
    a = tg.create(async () => {
      await sleep(5);
      return 1;
    });
    b = tg.create(() => 'sync');
    assert.equal(a.done(), false);
    assert.throws(
      () => a.result(),
      (e) => e instanceof StateError && e.code === 'ERR_TASK_PENDING',
    );
  }
  assert.equal(a.result(), 1);
  assert.equal(b.result(), 'sync');
  assert.equal(a.exception(), undefined);
  assert.equal(a.cancelled(), false);
});

test('the first failure aborts the siblings through their signal; the group reports it', async () => {
  const boom = new Error('boom');
  let seenReason: unknown;
  let sibling!: Task<void>;
  let failing!: Task<void>;
  const error = await TaskGroup.run((tg) => {
    sibling = tg.create(async (signal) => {
      try {
        await sleep(10_000, { signal });
      } catch (e) {
        seenReason = e;
        throw e;
      }
    });
    failing = tg.create(async () => {
      await sleep(5);
      throw boom;
    });
  }).then(
    () => assert.fail('should reject'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TaskGroupError);
  assert.ok(error instanceof AggregateError);
  assert.equal(error.code, 'ERR_TASK_GROUP');
  assert.deepEqual(error.errors, [boom]);
  assert.ok(seenReason instanceof CancelledError);
  assert.equal((seenReason as Error).cause, boom);
  assert.equal(sibling.cancelled(), true);
  assert.equal(failing.cancelled(), false);
  assert.equal(failing.exception(), boom);
  assert.throws(
    () => failing.result(),
    (e) => e === boom,
  );
});

test('every failure is reported, not just the first, in the order they happened', async () => {
  const e1 = new Error('one');
  const e2 = new Error('two');
  const e3 = new Error('three');
  await assert.rejects(
    TaskGroup.run((tg) => {
      // These ignore the abort: their failures still count.
      tg.create(async () => {
        await sleep(10);
        throw e2;
      });
      tg.create(async () => {
        await sleep(1);
        throw e1;
      });
      tg.create(async () => {
        await sleep(20);
        throw e3;
      });
      tg.create(() => Promise.resolve('fine'));
    }),
    (e) =>
      e instanceof TaskGroupError &&
      e.errors.length === 3 &&
      e.errors[0] === e1 &&
      e.errors[1] === e2 &&
      e.errors[2] === e3,
  );
});

test('nothing is left running once the group settles: it waits for tasks that ignore the abort', async () => {
  let finished = false;
  await assert.rejects(
    TaskGroup.run((tg) => {
      tg.create(async () => {
        await sleep(30); // ignores the signal
        finished = true;
      });
      tg.create(() => Promise.reject(new Error('fail')));
    }),
    TaskGroupError,
  );
  assert.equal(finished, true);
});

test('await using exit throws the TaskGroupError', async () => {
  const run = async (): Promise<void> => {
    await using tg = new TaskGroup();
    tg.create(async () => {
      await sleep(1);
      throw new Error('inside');
    });
  };
  await assert.rejects(
    run(),
    (e) => e instanceof TaskGroupError && (e.errors[0] as Error).message === 'inside',
  );
});

test('TaskGroup.run: a failing body aborts the tasks and is reported with them', async () => {
  let aborted = false;
  const bodyError = new Error('body');
  await assert.rejects(
    TaskGroup.run(async (tg) => {
      tg.create(async (signal) => {
        await sleep(10_000, { signal }).catch((e: unknown) => {
          aborted = true;
          throw e;
        });
      });
      await sleep(1);
      throw bodyError;
    }),
    (e) => e instanceof TaskGroupError && e.errors.length === 1 && e.errors[0] === bodyError,
  );
  assert.equal(aborted, true);
});

test("TaskGroup.run returns the body's value once every task settled", async () => {
  let done = 0;
  const value = await TaskGroup.run((tg) => {
    for (let i = 0; i < 10; i++) tg.create(async () => void (await sleep(i), done++));
    return 'body';
  });
  assert.equal(value, 'body');
  assert.equal(done, 10);
});

test("a parent signal aborts the group; it rejects with the parent's reason", async () => {
  const parent = new AbortController();
  const reason = new Error('parent gone');
  let seen: unknown;
  const group = TaskGroup.run(
    (tg) => {
      tg.create(async (signal) => {
        await sleep(10_000, { signal }).catch((e: unknown) => {
          seen = e;
          throw e;
        });
      });
    },
    { signal: parent.signal },
  );
  await settle();
  parent.abort(reason);
  await assert.rejects(group, (e) => e === reason);
  assert.equal(seen, reason);
  assert.equal(getEventListeners(parent.signal, 'abort').length, 0);
});

test('nested groups: a failure deep inside aborts the outer siblings', async () => {
  let outerSiblingAborted = false;
  await assert.rejects(
    TaskGroup.run((outer) => {
      outer.create(async (signal) => {
        await TaskGroup.run(
          (inner) => {
            inner.create(async () => {
              await sleep(2);
              throw new Error('deep');
            });
          },
          { signal },
        );
      });
      outer.create(async (signal) => {
        await sleep(10_000, { signal }).catch((e: unknown) => {
          outerSiblingAborted = true;
          throw e;
        });
      });
    }),
    (e) =>
      e instanceof TaskGroupError &&
      e.errors[0] instanceof TaskGroupError &&
      (e.errors[0].errors[0] as Error).message === 'deep',
  );
  assert.equal(outerSiblingAborted, true);
});

test('no parent listener is left behind by a group that finished normally', async () => {
  const parent = new AbortController();
  await TaskGroup.run((tg) => void tg.create(() => sleep(1)), { signal: parent.signal });
  assert.equal(getEventListeners(parent.signal, 'abort').length, 0);
});

test('create: after the group finished, or once it is aborting, throws StateError', async () => {
  const tg = new TaskGroup();
  tg.create(() => Promise.reject(new Error('x')));
  await settle();
  assert.equal(tg.signal.aborted, true);
  assert.throws(
    () => tg.create(() => 1),
    (e) => e instanceof StateError && e.code === 'ERR_TASK_GROUP_ABORTED',
  );
  await assert.rejects(tg.close(), TaskGroupError);
  assert.throws(
    () => tg.create(() => 1),
    (e) => e instanceof StateError && e.code === 'ERR_TASK_GROUP_CLOSED',
  );
  const ok = new TaskGroup();
  await ok.close();
  assert.throws(() => ok.create(() => 1), { code: 'ERR_TASK_GROUP_CLOSED' });
});

test('tasks may create tasks while the group is closing', async () => {
  const log: string[] = [];
  await TaskGroup.run((tg) => {
    tg.create(async () => {
      await sleep(2);
      tg.create(async () => {
        await sleep(2);
        log.push('child');
      });
      log.push('parent');
    });
  });
  assert.deepEqual(log, ['parent', 'child']);
});

test('a task function that throws synchronously counts as a failure; promises are accepted too', async () => {
  await assert.rejects(
    TaskGroup.run((tg) => {
      tg.create(() => {
        throw new Error('sync');
      });
    }),
    (e) => e instanceof TaskGroupError && (e.errors[0] as Error).message === 'sync',
  );
  let t!: Task<number>;
  await TaskGroup.run((tg) => void (t = tg.create(Promise.resolve(5))));
  assert.equal(t.result(), 5);
  assert.throws(() => new TaskGroup().create(5 as never), /`task`/);
});

test('a task that rejects with a CancelledError is cancelled, not failed', async () => {
  let t!: Task<void>;
  await TaskGroup.run((tg) => {
    t = tg.create(() => Promise.reject(new CancelledError()));
  });
  assert.equal(t.cancelled(), true);
});

test('a task awaiting a cancelled weft/futures Future is cancelled: its siblings run on (asyncio.wrap_future)', async () => {
  // Python: awaiting a cancelled concurrent.futures.Future in a task raises
  // CancelledError, the task ends cancelled, and the TaskGroup neither
  // collects it into its ExceptionGroup nor cancels the other tasks.
  const future = new Future<number>();
  const started = new Event();
  let sibling!: Task<string>;
  let waiter!: Task<number>;
  let siblingSignal!: AbortSignal;
  await TaskGroup.run((tg) => {
    waiter = tg.create(async () => {
      started.set();
      return await future;
    });
    sibling = tg.create(async (signal) => {
      siblingSignal = signal;
      await started.wait();
      future.cancel();
      await sleep(5, { signal });
      return 'ran to the end';
    });
  });
  assert.equal(waiter.cancelled(), true);
  assert.equal(siblingSignal.aborted, false);
  assert.equal(sibling.result(), 'ran to the end');
});

test('one CancelledError: weft/futures, weft/asyncio and weft export the same class', async () => {
  assert.equal(FuturesCancelledError, CancelledError);
  assert.equal(RootCancelledError, CancelledError);
  const future = new Future<number>();
  future.cancel();
  const error = await future.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof CancelledError);
  assert.equal(error.code, 'ERR_CANCELLED');
});

test('close() is idempotent; toString describes the group', async () => {
  const tg = new TaskGroup();
  tg.create(() => sleep(1));
  assert.equal(String(tg), '<TaskGroup open tasks=1 errors=0>');
  assert.equal(tg.size, 1);
  const p = tg.close();
  assert.equal(tg.close(), p);
  await p;
  assert.equal(String(tg), '<TaskGroup closed tasks=0 errors=0>');
});
