// Value / SharedArray refuse numbers their element type cannot hold: an
// integer out of range is a RangeError (ERR_OUT_OF_RANGE) where Python's
// ctypes wraps silently (Value('B', 300) holds 44), a non-integer in an
// integer type a TypeError (ERR_INVALID_ARG_TYPE), on every path that writes:
// the constructors, `.value =`, `set`, `add`'s delta, `compareExchange`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedArray, Value } from '../../src/shared/index.js';
import type { ElementType } from '../../src/shared/index.js';

type Int = number | bigint;

// [typecode, name, min, max]
const INTEGER_TYPES: readonly [ElementType, ElementType, Int, Int][] = [
  ['b', 'int8', -128, 127],
  ['B', 'uint8', 0, 255],
  ['h', 'int16', -32768, 32767],
  ['H', 'uint16', 0, 65535],
  ['i', 'int32', -(2 ** 31), 2 ** 31 - 1],
  ['I', 'uint32', 0, 2 ** 32 - 1],
  ['q', 'int64', -(2n ** 63n), 2n ** 63n - 1n],
  ['Q', 'uint64', 0n, 2n ** 64n - 1n],
];

const outOfRange = (e: unknown): boolean =>
  e instanceof RangeError && (e as { code?: unknown }).code === 'ERR_OUT_OF_RANGE';
const wrongType = (e: unknown): boolean =>
  e instanceof TypeError && (e as { code?: unknown }).code === 'ERR_INVALID_ARG_TYPE';

function step(x: Int, d: number): Int {
  return typeof x === 'bigint' ? x + BigInt(d) : x + d;
}

// Every way a number gets into the cells, as a function of the number.
function writers(type: ElementType, zero: never): [string, (x: never) => unknown][] {
  return [
    ['new Value', (x) => new Value(type, x)],
    ['.value =', (x) => (new Value(type).value = x)],
    ['new SharedArray', (x) => new SharedArray(type, [zero, x])],
    ['set', (x) => new SharedArray(type, 2).set(1, x)],
    ['compareExchange expected', (x) => new Value(type).compareExchange(x, zero)],
    ['compareExchange replacement', (x) => new Value(type).compareExchange(zero, x)],
    ['SharedArray.compareExchange', (x) => new SharedArray(type, 1).compareExchange(0, zero, x)],
  ];
}

for (const [code, name, min, max] of INTEGER_TYPES) {
  const zero = (typeof min === 'bigint' ? 0n : 0) as never;
  for (const type of [code, name]) {
    test(`${type}: min and max are stored exactly; min-1 and max+1 are a RangeError on every write path`, () => {
      for (const [label, write] of writers(type, zero)) {
        for (const ok of [min, max]) {
          assert.doesNotThrow(() => write(ok as never), `${label}(${String(ok)})`);
        }
        for (const bad of [step(min, -1), step(max, 1)]) {
          assert.throws(() => write(bad as never), outOfRange, `${label}(${String(bad)})`);
        }
      }
      assert.equal(new Value(type, min as never).value, min);
      assert.equal(new Value(type, max as never).value, max);
      const arr = new SharedArray(type, [min, max] as never);
      assert.deepEqual(arr.toArray(), [min, max]);
    });

    test(`${type}: add takes a delta within the type (down to -max on unsigned types, to subtract); the sum wraps as Atomics.add`, () => {
      const unsigned = min === 0 || min === 0n;
      const low = unsigned ? -max : min;
      const v = new Value(type);
      assert.doesNotThrow(() => v.add(low));
      assert.doesNotThrow(() => v.add(max));
      assert.throws(() => v.add(step(low, -1)), outOfRange);
      assert.throws(() => v.add(step(max, 1)), outOfRange);
      const arr = new SharedArray(type, 1);
      assert.throws(() => arr.add(0, step(max, 1)), outOfRange);
      // Subtracting on an unsigned type, and wrapping of the result.
      const w = new Value(type, max);
      w.add(step(zero, 1));
      assert.equal(w.value, min, 'max + 1 wraps to min');
    });

    if (typeof min === 'number') {
      test(`${type}: non-integers (1.5, NaN, Infinity) and bigints are a TypeError on every write path`, () => {
        for (const [label, write] of writers(type, zero)) {
          for (const bad of [1.5, -0.5, NaN, Infinity, -Infinity, 1n]) {
            assert.throws(() => write(bad as never), wrongType, `${label}(${String(bad)})`);
          }
        }
        assert.throws(() => new Value(type).add(0.5), wrongType);
      });
    } else {
      test(`${type}: numbers are a TypeError (the 64-bit types hold bigints)`, () => {
        for (const [label, write] of writers(type, zero)) {
          for (const bad of [1, 1.5, NaN]) {
            assert.throws(() => write(bad as never), wrongType, `${label}(${String(bad)})`);
          }
        }
      });
    }
  }
}

test('float types hold any number (rounded to float32 for f); add and compareExchange are ERR_NOT_ATOMIC', () => {
  for (const type of ['f', 'd', 'float32', 'float64'] as const) {
    for (const x of [1.5, -1e300, 1e300, NaN, Infinity, 2 ** 53 + 2]) {
      assert.doesNotThrow(() => new Value(type, x));
      assert.doesNotThrow(() => new SharedArray(type, 1).set(0, x));
    }
    assert.throws(() => new Value(type, 1n as never), wrongType);
    assert.throws(
      () => new Value(type).add(1),
      (e: unknown) => e instanceof TypeError && (e as { code?: unknown }).code === 'ERR_NOT_ATOMIC',
    );
  }
  assert.equal(new Value('d', 1e300).value, 1e300);
});

test("the issue's examples: Value('i', 2 ** 40) and Value('B', 300) throw instead of holding 0 and 44", () => {
  assert.throws(() => new Value('i', 2 ** 40), outOfRange);
  assert.throws(() => new Value('B', 300), outOfRange);
  assert.throws(() => new Value('B', 1.7), wrongType);
});

test('an unknown typecode is ERR_INVALID_ARG_VALUE, a non-string one ERR_INVALID_ARG_TYPE; options must be an object', () => {
  assert.throws(
    () => new Value('x' as never),
    (e: unknown) =>
      e instanceof TypeError && (e as { code?: unknown }).code === 'ERR_INVALID_ARG_VALUE',
  );
  assert.throws(() => new Value(4 as never), wrongType);
  for (const bad of [false, true, null, 5, [], () => {}]) {
    assert.throws(() => new Value('i', 0, bad as never), wrongType, String(bad));
    assert.throws(() => new SharedArray('i', 2, bad as never), wrongType, String(bad));
  }
  assert.throws(() => new SharedArray('i', 2).get(2), outOfRange);
  assert.throws(() => new SharedArray('i', -1), outOfRange);
});
