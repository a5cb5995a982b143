// Semaphore and BoundedSemaphore: CPython's BaseSemaphoreTests (suites.ts),
// SemaphoreTests and BoundedSemaphoreTests, plus stress.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedSemaphore, Semaphore } from '../../src/threading/index.js';
import { SharedArray, Value } from '../../src/shared/index.js';
import { HOLDERS, MAX_HOLDERS, ROUNDS } from '../fixtures/locks.js';
import { fx, semaphoreSuite, stateError, Threads } from './suites.js';

const overReleased = stateError('ERR_SEMAPHORE_OVERRELEASED');

semaphoreSuite('Semaphore', (value) => new Semaphore(value));
semaphoreSuite('BoundedSemaphore', (value) => new BoundedSemaphore(value));

describe('Semaphore (SemaphoreTests)', () => {
  test('test_release_unacquired / test_repr: release() past the initial value raises the count', () => {
    const sem = new Semaphore(3);
    assert.equal(sem.value, 3);
    assert.match(String(sem), /^<Semaphore\b.*value=3>$/);
    sem.acquireSync();
    assert.match(String(sem), /value=2>$/);
    sem.release();
    sem.release();
    assert.equal(sem.value, 4);
    assert.match(String(sem), /value=4>$/);
    sem.release(10);
    assert.equal(sem.value, 14);
    assert.equal(new Semaphore(0).value, 0);
  });
});

describe('BoundedSemaphore (BoundedSemaphoreTests)', () => {
  test('test_release_unacquired / test_repr: release() above the initial value throws StateError ERR_SEMAPHORE_OVERRELEASED and changes nothing', () => {
    const sem = new BoundedSemaphore(3);
    assert.ok(sem instanceof Semaphore);
    assert.match(String(sem), /^<BoundedSemaphore\b.*value=3\/3>$/);
    assert.throws(() => sem.release(), overReleased);
    assert.equal(sem.value, 3);
    sem.acquireSync();
    sem.acquireSync();
    assert.match(String(sem), /value=1\/3>$/);
    // release(n) is all or nothing.
    assert.throws(() => sem.release(3), overReleased);
    assert.equal(sem.value, 1);
    sem.release(2);
    assert.equal(sem.value, 3);
    assert.throws(() => sem.release(), overReleased);
    assert.equal(sem.value, 3);
    const zero = new BoundedSemaphore(0);
    assert.throws(() => zero.release(), overReleased);
    assert.equal(zero.value, 0);
  });

  test('it stays bounded in another thread: an over-release there throws ERR_SEMAPHORE_OVERRELEASED', async (t) => {
    const sem = new BoundedSemaphore(2);
    const out = new Value('i', 0);
    const threads = new Threads(t);
    threads.start({ target: fx.overRelease, args: [sem, out] });
    await threads.joinAll();
    assert.equal(out.value, 1);
    assert.equal(sem.value, 2);
  });
});

describe('Semaphore stress', () => {
  test('Semaphore(3) never admits more than 3 holders: 8 holders in 4 threads (both forms)', async (t) => {
    const sem = new Semaphore(3);
    const stats = new SharedArray('i', 3);
    const threads = new Threads(t);
    const plan = [
      ['sync', 1, 20_000],
      ['sync', 1, 20_000],
      ['async', 3, 2_000],
      ['async', 3, 2_000],
    ] as const;
    for (const [form, holders, rounds] of plan) {
      threads.start({ target: fx.semaphoreHolders, args: [sem, stats, form, holders, rounds] });
    }
    await threads.joinAll();
    const max = stats.get(MAX_HOLDERS);
    assert.ok(max <= 3, `${max} holders at once`);
    assert.ok(max >= 1);
    assert.equal(stats.get(HOLDERS), 0);
    assert.equal(stats.get(ROUNDS), 2 * 20_000 + 2 * 3 * 2_000);
    assert.equal(sem.value, 3);
  });
});
