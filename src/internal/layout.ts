// Every primitive's memory starts with a tag word naming its kind, so a handle
// rebuilt from the wrong buffer fails loudly instead of corrupting memory.
// The tags are listed here, in one place.

import { StateError } from './errors.js';

export const Tag = {
  Lock: 0x5746_4c01,
  RLock: 0x5746_4c02,
  Semaphore: 0x5746_4c03,
  Event: 0x5746_4c04,
  Condition: 0x5746_4c05,
  Barrier: 0x5746_4c06,
  Value: 0x5746_4c07,
  Registry: 0x5746_4c08,
  Queue: 0x5746_4c09,
  QueueRing: 0x5746_4c0a,
} as const;

/** A fresh zeroed shared Int32Array of `words` words whose word 0 is `tag`. */
export function allocate(tag: number, words: number): Int32Array {
  const i32 = new Int32Array(new SharedArrayBuffer(words * 4));
  i32[0] = tag;
  return i32;
}

/** Checks that `buffer` was made by `allocate(tag, words)` and views it. */
export function attach(buffer: unknown, tag: number, words: number, kind: string): Int32Array {
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < words * 4) {
    throw new StateError('ERR_SHAREABLE_INVALID', `Cannot rebuild a ${kind} from this buffer`);
  }
  const i32 = new Int32Array(buffer);
  if (Atomics.load(i32, 0) !== tag) {
    throw new StateError('ERR_SHAREABLE_INVALID', `The buffer does not hold a ${kind}`);
  }
  return i32;
}

// Rebuilding a shareable goes through its public constructor (private fields
// can only be set there): `adopting(i32, () => new X())` makes the
// constructor's first `adopted()` call return `i32` instead of undefined.
let pending: Int32Array | undefined;

/** Runs `make` so that the constructor it calls adopts `i32`. */
export function adopting<T>(i32: Int32Array, make: () => T): T {
  pending = i32;
  try {
    return make();
  } finally {
    pending = undefined;
  }
}

/** In a constructor: the memory to adopt, if this construction is a rebuild. */
export function adopted(): Int32Array | undefined {
  const i32 = pending;
  pending = undefined;
  return i32;
}
