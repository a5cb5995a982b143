// A transfer marker: wraps a value so the pool moves its ArrayBuffers (or
// MessagePorts) to the other thread instead of copying them. Recognised by a
// registered symbol, so the marker made by one copy of weft (dist) is
// understood by another (src under a loader).

import type { TransferListItem } from 'node:worker_threads';
import { argTypeError, describe } from '../internal/errors.js';
import { TRANSFER_KEY } from '../internal/globals.js';

const TRANSFER = TRANSFER_KEY;

class Transferred {
  readonly [TRANSFER] = true;
  constructor(
    readonly value: unknown,
    readonly list: readonly TransferListItem[],
  ) {}
}

/**
 * Marks a task argument or a task's return value to be *transferred* rather
 * than copied: the listed `ArrayBuffer`s move to the other thread without a
 * copy and become detached (length 0) on the sending side. Mark a top-level
 * argument (`pool.submit(task, transfer(buf))`) or the value a task returns
 * (`return transfer(bytes)`); markers nested deeper are not looked for.
 * Thread pools only: a `ProcessPoolExecutor` copies the value.
 *
 * @param value - What to send.
 * @param transferList - What to move; defaults to `value` itself when it is an
 * `ArrayBuffer` or `MessagePort`, or to its `.buffer` when it is a typed array or `DataView`.
 * @returns The marker, typed as `value` so task signatures still check.
 * @example
 * ```ts
 * import { transfer } from 'weft/futures';
 * const bytes = new Uint8Array(1 << 20);
 * const sum = await pool.submit(work.checksum, transfer(bytes)); // bytes.byteLength === 0 now
 * // in work.ts: export function fill(n: number) { return transfer(new Float64Array(n)); }
 * ```
 */
export function transfer<T>(value: T, transferList?: readonly TransferListItem[]): T {
  let list = transferList;
  if (list === undefined) {
    if (value instanceof ArrayBuffer) list = [value];
    else if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer)
      list = [value.buffer];
    else if (
      typeof value === 'object' &&
      value !== null &&
      value.constructor?.name === 'MessagePort'
    ) {
      list = [value as unknown as TransferListItem];
    } else {
      throw argTypeError(
        `Expected \`value\` to be an ArrayBuffer, a typed array or a MessagePort when no \`transferList\` is given, got ${describe(value)}`,
      );
    }
  } else if (!Array.isArray(list)) {
    throw argTypeError(`Expected \`transferList\` to be an array, got ${describe(list)}`);
  }
  return new Transferred(value, list) as unknown as T;
}

/** @internal The marker's parts, or undefined when `value` is not a marker. */
export function unwrapTransfer(
  value: unknown,
): { value: unknown; list: readonly TransferListItem[] } | undefined {
  if (typeof value === 'object' && value !== null && (value as Partial<Transferred>)[TRANSFER]) {
    return value as Transferred;
  }
  return undefined;
}
