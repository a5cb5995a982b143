// The process pool's ledger stream (src/futures/ledger.ts) without processes:
// what a child writes, the pool reads back as the same results, in order,
// however the stream is cut into chunks and whenever spilled results arrive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LedgerReader, LedgerWriter } from '../../src/futures/ledger.js';
import { K_CHUNK_ERROR, K_ERROR, K_SHARED, K_SKIPPED } from '../../src/futures/protocol.js';

function write(records: (w: LedgerWriter) => void): Buffer {
  const chunks: Buffer[] = [];
  const w = new LedgerWriter((bytes) => chunks.push(Buffer.from(bytes)));
  records(w);
  w.flush(1.25);
  return Buffer.concat(chunks);
}

/** Reads the whole stream in chunks of `size` bytes. */
function read(
  stream: Buffer,
  size: number,
): { reader: LedgerReader; values: unknown[]; kinds: Map<number, number>; busy: number } {
  const reader = new LedgerReader();
  const values: unknown[] = [];
  const kinds = new Map<number, number>();
  let busy = 0;
  const take = (message: unknown[] | undefined): void => {
    if (message === undefined) return;
    busy += message[0] as number;
    const specials = message[1] === 0 ? [] : (message[1] as number[]);
    for (let i = 0; i < specials.length; i += 2) {
      kinds.set(values.length + specials[i]!, specials[i + 1]!);
    }
    values.push(...message.slice(2));
  };
  for (let i = 0; i < stream.length; i += size) take(reader.data(stream.subarray(i, i + size)));
  return { reader, values, kinds, busy };
}

const LARGE = 'y'.repeat(100_000);
const plain: unknown[] = [
  0,
  -0,
  1,
  -1,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 31,
  0.5,
  NaN,
  Infinity,
  true,
  false,
  null,
  undefined,
  '',
  'ascii',
  'é ☃ 😀',
  '\ud800 lone surrogate',
  'z'.repeat(5000),
  { a: [1, 'two', { three: 3n }] },
  new Uint8Array([1, 2, 3]),
  new Map([[1, 'one']]),
  LARGE,
  [LARGE, 1],
  7,
];

test('every kind of result reads back as written, in order, whatever the chunk size', () => {
  const written = write((w) => {
    w.begin();
    for (const value of plain) w.result(0, value);
    w.result(K_SKIPPED, 0);
    w.result(K_ERROR, { e: 1, message: 'boom' });
    w.result(K_SHARED, [[1], ['weft.task']]);
    w.result(K_CHUNK_ERROR, [[1, 2], { e: 1, message: 'x' }, false]);
    w.begin();
    w.begin();
  });
  for (const size of [1, 2, 3, 7, 64, 65_536, 1 << 20]) {
    {
      const { reader, values, kinds, busy } = read(written, size);
      const where = `chunks of ${size}`;
      assert.equal(reader.begun, 3, where);
      assert.equal(reader.corrupt, false, where);
      assert.equal(busy, 1.25, where);
      assert.equal(values.length, plain.length + 4, where);
      for (let i = 0; i < plain.length; i++) {
        assert.deepEqual(values[i], plain[i], `${where}: result ${i}`);
        assert.equal(kinds.get(i), undefined, `${where}: result ${i}`);
      }
      assert.ok(Object.is(values[1], -0), where);
      const n = plain.length;
      assert.deepEqual(
        [kinds.get(n), kinds.get(n + 1), kinds.get(n + 2), kinds.get(n + 3)],
        [K_SKIPPED, K_ERROR, K_SHARED, K_CHUNK_ERROR],
        where,
      );
      assert.deepEqual(values[n + 1], { e: 1, message: 'boom' }, where);
    }
  }
});

test('a result that cannot be copied becomes an ERR_NOT_CLONEABLE error in its place', () => {
  const written = write((w) => {
    w.result(0, 1);
    w.result(0, { f: () => 1 });
    w.result(0, 3);
  });
  const { values, kinds } = read(written, 1 << 20);
  assert.equal(values.length, 3);
  assert.equal(values[0], 1);
  assert.equal(values[2], 3);
  assert.equal(kinds.get(1), K_ERROR);
  assert.equal((values[1] as { props?: { code?: unknown } }).props?.code, 'ERR_NOT_CLONEABLE');
});

test('the writer writes once per flush, and only when it holds records', () => {
  let writes = 0;
  const w = new LedgerWriter(() => writes++);
  w.flush();
  assert.equal(writes, 0);
  w.result(0, 1);
  assert.equal(w.pending, true);
  w.begin();
  w.flush();
  assert.equal(writes, 1);
  assert.equal(w.pending, false);
});

test('bytes that are not a ledger (a task wrote to fd 4) mark it corrupt, and nothing more is read', () => {
  const reader = new LedgerReader();
  assert.equal(reader.data(Buffer.from([1, 1, 200, 1])), undefined);
  assert.equal(reader.corrupt, true);
  assert.equal(reader.begun, 2);
  assert.equal(reader.data(Buffer.from([1])), undefined);
  assert.equal(reader.begun, 2);
});
