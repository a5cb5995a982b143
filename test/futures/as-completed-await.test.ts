// `for await (const f of asCompleted(fs)) await f`: right at run time, and it
// must type-check (`npx tsc --noEmit` covers test/) for every value shape.
// typescript-eslint's await-thenable sees `then: never` and objects; the
// lint-clean spelling is `await f.result()`.
/* eslint-disable @typescript-eslint/await-thenable */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asCompleted, Future } from '../../src/futures/index.js';

function settled<T>(value: T): Future<T> {
  const f = new Future<T>();
  f.setResult(value);
  return f;
}

test('await f inside for await (asCompleted(fs)) is the value, typed as it; f stays the future', async () => {
  const numbers = [settled(1), settled(2), settled(3)];
  const names = new Map(numbers.map((f, i) => [f, `n${i}`]));
  let total = 0;
  const seen: string[] = [];
  for await (const f of asCompleted(numbers)) {
    total += await f;
    const again: number = await f.result();
    total += again;
    seen.push(names.get(f)!);
  }
  assert.equal(total, 12);
  assert.deepEqual(seen.sort(), ['n0', 'n1', 'n2']);

  const objects = [settled({ a: 5 }), settled({ a: 6 })];
  let sum = 0;
  for await (const f of asCompleted(objects)) sum += (await f).a;
  assert.equal(sum, 11);

  const voids = [settled<void>(undefined)];
  for await (const f of asCompleted(voids)) assert.equal(await f, undefined);

  const pending = new Future<string>();
  setImmediate(() => pending.setResult('late'));
  const words: string[] = [];
  for await (const f of asCompleted([pending, settled('early')])) words.push(await f);
  assert.deepEqual(words, ['early', 'late']);
});
