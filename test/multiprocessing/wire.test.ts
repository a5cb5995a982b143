// The Manager's frame reader: frames come out whole however the byte stream is
// chunked, and moving a value is linear in its size (the reader copies each
// byte a bounded number of times, never its whole pending buffer per chunk).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameReader, MAX_FRAME, frame, frameBytesCopied } from '../../src/multiprocessing/wire.js';

/** A deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function payload(size: number, fill: number): Buffer {
  const b = Buffer.alloc(size, fill);
  if (size >= 4) b.writeUInt32LE(size, 0);
  return b;
}

test('frames survive any chunking, and reading copies O(n) bytes', () => {
  const sizes = [0, 1, 3, 100, 8 * 1024 * 1024, 5, 70_000, 2, 16 * 1024 * 1024 + 3, 7];
  const sent = sizes.map((n, i) => frame(i + 1, payload(n, i)));
  const stream = Buffer.concat(sent);
  const next = random(42);
  const reader = new FrameReader(MAX_FRAME);
  const got: [number, Buffer][] = [];
  const before = frameBytesCopied();
  let at = 0;
  let pushes = 0;
  while (at < stream.length) {
    // Mostly 1 B...64 KiB chunks; every 7th is 1-3 bytes, to cut headers.
    const n = pushes++ % 7 === 0 ? 1 + Math.floor(next() * 3) : 1 + Math.floor(next() * 65_536);
    // A fresh buffer per chunk, as a socket gives.
    reader.push(Buffer.from(stream.subarray(at, at + n)), (id, p) =>
      got.push([id, Buffer.from(p)]),
    );
    at += n;
  }
  const copied = frameBytesCopied() - before;
  assert.equal(got.length, sizes.length);
  got.forEach(([id, p], i) => {
    assert.equal(id, i + 1);
    assert.ok(p.equals(payload(sizes[i]!, i)), `frame ${i} intact`);
  });
  // Quadratic buffering copies ~(n^2 / chunk) bytes here (gigabytes).
  assert.ok(
    copied <= 3 * stream.length,
    `copied ${copied} bytes for a ${stream.length}-byte stream`,
  );
});

test('a header split across 1-byte chunks is read, and an oversized frame refused early', () => {
  const reader = new FrameReader(1024);
  const f = frame(9, Buffer.from('hello'));
  const got: string[] = [];
  for (const byte of f) reader.push(Buffer.of(byte), (id, p) => got.push(`${id}:${p.toString()}`));
  assert.deepEqual(got, ['9:hello']);
  const big = Buffer.alloc(4);
  big.writeUInt32LE(4096, 0);
  assert.doesNotThrow(() => reader.push(big.subarray(0, 2), () => undefined));
  assert.throws(
    () => reader.push(big.subarray(2), () => undefined),
    (e: unknown) => (e as { code?: unknown }).code === 'ERR_MANAGER_PROTOCOL',
  );
});
