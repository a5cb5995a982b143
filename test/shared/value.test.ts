// Value and SharedArray (Python's multiprocessing.Value / Array): element
// types, the lock option, atomic helpers, and sharing across worker threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lock, RLock, StateError, tasks } from '../../src/threading/index.js';
import { SharedArray, Value } from '../../src/shared/index.js';
import type { ElementType } from '../../src/shared/index.js';
import { WRITTEN } from '../fixtures/sync.js';
import { joinAll, startThreads } from '../fixtures/sync-helpers.js';

const fx = tasks<typeof import('../fixtures/sync.js')>(
  new URL('../fixtures/sync.ts', import.meta.url),
);

type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

// [typecode, name, view, a value the type holds exactly]
const TYPES: readonly [ElementType, ElementType, TypedArrayConstructor, number | bigint][] = [
  ['b', 'int8', Int8Array, -128],
  ['B', 'uint8', Uint8Array, 255],
  ['h', 'int16', Int16Array, -32768],
  ['H', 'uint16', Uint16Array, 65535],
  ['i', 'int32', Int32Array, -(2 ** 31)],
  ['I', 'uint32', Uint32Array, 2 ** 32 - 1],
  ['q', 'int64', BigInt64Array, -(2n ** 63n)],
  ['Q', 'uint64', BigUint64Array, 2n ** 64n - 1n],
  ['f', 'float32', Float32Array, 1.5],
  ['d', 'float64', Float64Array, 0.1],
];

const noLock = (e: unknown): boolean => e instanceof StateError && e.code === 'ERR_NO_LOCK';

test('every typecode and its name: typecode, typed-array view, default 0, round trip', () => {
  for (const [code, name, View, sample] of TYPES) {
    for (const type of [code, name]) {
      const v = new Value(type);
      assert.equal(v.type, type);
      assert.equal(v.typecode, code, `${type}`);
      assert.ok(v.array instanceof View, `${type} is viewed as ${View.name}`);
      assert.ok(v.array.buffer instanceof SharedArrayBuffer);
      assert.equal(v.value, typeof sample === 'bigint' ? 0n : 0);
      v.value = sample;
      assert.equal(v.value, sample);
      assert.equal(new Value(type, sample as never).value, sample);
      assert.equal(String(v), `<Value(${code}, ${String(sample)})>`);

      const arr = new SharedArray(type, 3);
      assert.equal(arr.typecode, code);
      assert.equal(arr.length, 3);
      assert.ok(arr.array instanceof View);
      arr.set(2, sample);
      assert.deepEqual(arr.toArray(), [...Array<unknown>(2).fill(arr.get(0)), sample]);
    }
  }
});

test('an unknown type is a TypeError naming the accepted ones', () => {
  for (const bad of ['x', 'int128', 'l', '', 'I32', undefined, 1, null]) {
    assert.throws(() => new Value(bad as never), TypeError, String(bad));
    assert.throws(() => new SharedArray(bad as never, 1), TypeError, String(bad));
  }
  assert.throws(() => new Value('x' as never), /typecode/);
});

test('values of the wrong JS kind are a TypeError: bigint for 64-bit integers, number otherwise', () => {
  assert.throws(() => new Value('i', 1n as never), TypeError);
  assert.throws(() => new Value('q', 1 as never), TypeError);
  const i = new Value('i');
  assert.throws(() => ((i as Value).value = '1' as never), TypeError);
  assert.throws(() => i.add(1n as never), TypeError);
  const q = new Value('q');
  assert.throws(() => ((q as Value).value = 1 as never), TypeError);
  assert.throws(() => q.add(1 as never), TypeError);
  assert.throws(() => new SharedArray('Q', [1] as never), TypeError);
});

test('float types reject add and compareExchange (TypeError); plain reads and writes work', () => {
  for (const type of ['f', 'float32', 'd', 'float64'] as const) {
    const v = new Value(type, 0.5);
    assert.throws(() => v.add(1), TypeError);
    assert.throws(() => v.compareExchange(0.5, 1), TypeError);
    assert.equal(v.value, 0.5);
    const arr = new SharedArray(type, [0.5, 1.5]);
    assert.throws(() => arr.add(0, 1), TypeError);
    assert.throws(() => arr.compareExchange(0, 0.5, 1), TypeError);
  }
  assert.equal(new Value('f', 0.1).value, Math.fround(0.1));
  assert.equal(new Value('d', 0.1).value, 0.1);
});

test('add returns the previous value; compareExchange returns the value found', () => {
  const v = new Value('i', 5);
  assert.equal(v.add(3), 5);
  assert.equal(v.value, 8);
  assert.equal(v.add(-10), 8);
  assert.equal(v.value, -2);
  assert.equal(v.compareExchange(-2, 7), -2);
  assert.equal(v.value, 7);
  assert.equal(v.compareExchange(0, 9), 7);
  assert.equal(v.value, 7);
  // Integer types wrap like their typed arrays.
  const b = new Value('B', 250);
  assert.equal(b.add(10), 250);
  assert.equal(b.value, 4);

  const arr = new SharedArray('h', [1, 2, 3]);
  assert.equal(arr.add(1, 5), 2);
  assert.equal(arr.compareExchange(2, 3, 30), 3);
  assert.equal(arr.compareExchange(2, 3, 40), 30);
  assert.deepEqual(arr.toArray(), [1, 7, 30]);
});

test('bigint types: 64-bit values, add and compareExchange with bigints', () => {
  const q = new Value('q', -5n);
  assert.equal(q.add(2n), -5n);
  assert.equal(q.value, -3n);
  assert.equal(q.compareExchange(-3n, 2n ** 62n), -3n);
  assert.equal(q.value, 2n ** 62n);
  const u = new Value('uint64', 2n ** 64n - 1n);
  assert.equal(u.add(1n), 2n ** 64n - 1n);
  assert.equal(u.value, 0n, 'wraps around');
  const arr = new SharedArray('Q', [1n, 2n]);
  assert.equal(arr.add(1, 40n), 2n);
  assert.deepEqual(arr.toArray(), [1n, 42n]);
});

test('lock option: default and true give an RLock, false none (ERR_NO_LOCK), or the Lock / RLock given', () => {
  assert.ok(new Value('i').getLock() instanceof RLock);
  assert.ok(new Value('i', 0, { lock: true }).getLock() instanceof RLock);
  assert.ok(new SharedArray('i', 1).getLock() instanceof RLock);
  assert.notEqual(new Value('i').getLock(), new Value('i').getLock());
  assert.throws(() => new Value('i', 0, { lock: false }).getLock(), noLock);
  assert.throws(() => new SharedArray('d', 2, { lock: false }).getLock(), noLock);
  const lock = new Lock();
  assert.equal(new Value('i', 0, { lock }).getLock(), lock);
  const rlock = new RLock();
  assert.equal(new SharedArray('i', 2, { lock: rlock }).getLock(), rlock);
  assert.throws(() => new Value('i', 0, { lock: 'yes' as never }), TypeError);
  assert.throws(() => new Value('i', 0, { lock: {} as never }), TypeError);
  // The lock guards compound updates; the guard forms release on scope exit.
  const v = new Value('i', 1);
  {
    using _ = v.getLock().holdSync();
    v.value = v.value * 10;
  }
  assert.equal(v.getLock().locked(), false);
  assert.equal(v.value, 10);
});

test('SharedArray: initial values, bounds, iteration, and the typed-array view share memory', () => {
  const arr = new SharedArray('i', [3, 1, 4, 1, 5]);
  assert.equal(arr.length, 5);
  assert.deepEqual([...arr], [3, 1, 4, 1, 5]);
  arr.array[0] = 9;
  assert.equal(arr.get(0), 9);
  arr.set(4, -5);
  assert.equal(arr.array[4], -5);
  assert.equal(String(arr), '<SharedArray(i, [9, 1, 4, 1, -5])>');
  for (const bad of [-1, 5, 1.5, NaN]) {
    assert.throws(() => arr.get(bad), RangeError, `get(${bad})`);
    assert.throws(() => arr.set(bad, 0), RangeError, `set(${bad})`);
    assert.throws(() => arr.add(bad, 1), RangeError, `add(${bad})`);
  }
  assert.deepEqual(new SharedArray('d', 3).toArray(), [0, 0, 0]);
  assert.equal(new SharedArray('d', 0).length, 0);
  assert.deepEqual(new SharedArray('B', new Set([1, 2])).toArray(), [1, 2]);
  assert.throws(() => new SharedArray('i', -1), RangeError);
  assert.throws(() => new SharedArray('i', 1.5), RangeError);
  assert.throws(() => new SharedArray('i', 'abc' as never), TypeError);
  // A length no buffer can have is a coded RangeError, never V8's bare one.
  for (const [type, length] of [
    ['i', 2 ** 40],
    ['d', 2 ** 53 - 1],
    ['b', 2 ** 50],
  ] as const) {
    assert.throws(
      () => new SharedArray(type, length),
      (e: unknown) =>
        e instanceof RangeError && (e as { code?: unknown }).code === 'ERR_OUT_OF_RANGE',
      `${type} × ${length}`,
    );
  }
});

test('values cross threads by reference: the thread reads what main wrote, main reads what the thread wrote; locks cross too', async () => {
  const seen = new Value('i', 21);
  const float = new Value('d');
  const big = new Value('Q');
  const int16 = new SharedArray('int16', WRITTEN.int16.length);
  const unlocked = new Value('i', 0, { lock: false });
  const lock = new Lock();
  const withLock = new Value('i', 0, { lock });
  const out = new SharedArray('i', 3);
  const threads = startThreads([
    {
      target: fx.readAndWrite,
      args: [seen, float, big, int16, unlocked, withLock, lock, out] as const,
    },
  ]);
  await joinAll(threads);
  assert.deepEqual(out.toArray(), [42, 1, 1]);
  assert.equal(float.value, WRITTEN.float);
  assert.equal(big.value, WRITTEN.big);
  assert.deepEqual(int16.toArray(), WRITTEN.int16);
  assert.equal(lock.locked(), false);
});

test('stress: atomic add, compareExchange loops and locked updates from 4 threads (2 per guard form) are exact', async () => {
  const times = 3000;
  const adds = new Value('i');
  const cas = new Value('i');
  const big = new Value('q', 2n ** 40n);
  const elements = new SharedArray('I', 7);
  const underRLock = new Value('d');
  const underLock = new Value('i', 0, { lock: new Lock() });
  const threads = startThreads(
    (['sync', 'async', 'sync', 'async'] as const).map((mode) => ({
      target: fx.hammer,
      args: [mode, adds, cas, big, elements, underRLock, underLock, times] as const,
    })),
  );
  await joinAll(threads);
  const n = 4 * times;
  assert.equal(adds.value, n);
  assert.equal(cas.value, n);
  assert.equal(big.value, 2n ** 40n - 2n * BigInt(n));
  assert.equal(
    elements.toArray().reduce((a, b) => a + b, 0),
    n,
  );
  assert.equal(underRLock.value, n / 2);
  assert.equal(underLock.value, n);
  assert.equal(underRLock.getLock().locked(), false);
  assert.equal(underLock.getLock().locked(), false);
});

test('a zero-length SharedArray arrives in a thread with length 0', async () => {
  const empty = new SharedArray('i', 0);
  const seen = new Value('i', -1);
  const threads = startThreads([
    {
      target: (a: SharedArray<'i'>, out: Value<'i'>) => {
        out.value = a.length;
      },
      args: [empty, seen] as const,
    },
  ]);
  await joinAll(threads);
  assert.equal(seen.value, 0);
});
