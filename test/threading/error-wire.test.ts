// One error wire (internal/error-wire.ts): an error escaping a Thread reaches
// the excepthook, and a pool task's error reaches its caller, with its class,
// message, code, own data, cause and the errors of an AggregateError; shapes
// that only look like the wire's descriptions stay data.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setExcepthook, tasks, Thread } from '../../src/threading/index.js';
import type { ExceptHookArgs } from '../../src/threading/index.js';
import { ProcessPoolExecutor, ThreadPoolExecutor } from '../../src/futures/index.js';

const fx = tasks<typeof import('../fixtures/threads.js')>(
  new URL('../fixtures/threads.ts', import.meta.url),
);
const threads = new ThreadPoolExecutor({ maxWorkers: 1 });
const processes = new ProcessPoolExecutor({ maxWorkers: 1 });
after(() => Promise.all([threads.shutdown(), processes.shutdown()]));

/** Runs `target` in a Thread and returns what its excepthook received (the report is a message: wait for it). */
async function escaped(
  target: typeof fx.throwRich | typeof fx.forgeReport,
  args: unknown[],
): Promise<ExceptHookArgs | undefined> {
  let seen: ExceptHookArgs | undefined;
  const previous = setExcepthook((a) => (seen = a));
  try {
    const t = new Thread({ target, args: args as never });
    t.start();
    assert.equal(await t.join({ timeout: 30_000 }), true);
    const deadline = performance.now() + 5_000;
    while (seen === undefined && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    return seen;
  } finally {
    setExcepthook(previous);
  }
}

function checkCause(e: unknown): void {
  assert.ok(e instanceof TypeError, `a TypeError, got ${String(e)}`);
  assert.equal(e.message, 'outer');
  assert.equal((e as { code?: unknown }).code, 'ERR_OUTER');
  assert.deepEqual((e as { detail?: unknown }).detail, { n: 1 });
  assert.ok(e.cause instanceof RangeError);
  assert.equal(e.cause.message, 'inner');
  assert.equal((e.cause as { code?: unknown }).code, 'ERR_INNER');
  assert.match(e.stack ?? '', /^TypeError: outer/);
  assert.match(e.stack ?? '', /threads\.ts/);
}

function checkAggregate(e: unknown): void {
  assert.ok(e instanceof AggregateError, `an AggregateError, got ${String(e)}`);
  assert.equal(e.message, 'many');
  assert.equal((e as { code?: unknown }).code, 'ERR_MANY');
  assert.equal(e.errors.length, 2);
  assert.ok(e.errors[0] instanceof TypeError);
  assert.equal(e.errors[0].message, 'first');
  assert.ok(e.errors[1] instanceof RangeError);
  assert.equal((e.errors[1] as { code?: unknown }).code, 'ERR_SECOND');
}

test('Thread: a TypeError with a cause reaches the excepthook with class, code, own data and cause', async () => {
  const seen = await escaped(fx.throwRich, ['cause']);
  assert.ok(seen);
  assert.equal(seen.excType, 'TypeError');
  checkCause(seen.excValue);
});

test('Thread: an AggregateError reaches the excepthook with its errors', async () => {
  const seen = await escaped(fx.throwRich, ['aggregate']);
  assert.ok(seen);
  assert.equal(seen.excType, 'AggregateError');
  checkAggregate(seen.excValue);
});

for (const [name, pool] of [
  ['ThreadPoolExecutor', threads],
  ['ProcessPoolExecutor', processes],
] as const) {
  test(`${name}: the same errors reach the caller the same way`, async () => {
    checkCause(
      await pool.submit(fx.throwRich, 'cause').then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    checkAggregate(
      await pool.submit(fx.throwRich, 'aggregate').then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
  });

  test(`${name}: a thrown object shaped like an error description stays that object`, async () => {
    const thrown = await pool.submit(fx.throwRich, 'plain-shape').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(!(thrown instanceof Error));
    assert.deepEqual(thrown, {
      e: 1,
      name: 'TypeError',
      ctor: 'TypeError',
      message: 'forged',
      stack: '',
      props: {},
    });
  });

  test(`${name}: own data naming a prototype or a class stays own data`, async () => {
    const e = await pool.submit(fx.throwRich, 'proto').then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(e instanceof Error);
    assert.equal(Object.getPrototypeOf(e), Error.prototype);
    assert.equal((e as { polluted?: unknown }).polluted, undefined);
    assert.equal((e as { ctor?: unknown }).ctor, 'Function');
  });
}

test('Thread: a forged error report is rebuilt as a plain Error; nothing it names is used', async () => {
  const seen = await escaped(fx.forgeReport, []);
  assert.ok(seen);
  const e = seen.excValue;
  assert.equal(Object.getPrototypeOf(e), Error.prototype);
  assert.equal(typeof e, 'object');
  assert.equal((e as { polluted?: unknown }).polluted, undefined);
  assert.equal((e as { errors?: unknown }).errors, undefined);
  assert.equal(e.message, 'forged');
});
