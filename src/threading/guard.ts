import { TimeoutError } from '../internal/errors.js';
import { Guard } from '../internal/guard.js';

// One Guard class for weft/threading and weft/asyncio.
export { Guard } from '../internal/guard.js';

/** Options of the waiting forms: `acquire`, `hold`, `wait`. */
export interface WaitOptions {
  /** Most ms to wait; `0` tries once. @default Infinity */
  readonly timeout?: number;
  /** Aborts the wait: it rejects with `signal.reason` and leaves the primitive as it was. */
  readonly signal?: AbortSignal;
}

/** Options of the blocking forms: `acquireSync`, `holdSync`, `waitSync`. */
export interface WaitSyncOptions {
  /** Most ms to block; `0` tries once. @default Infinity */
  readonly timeout?: number;
}

/** Options of `acquire`, Python's `acquire(blocking, timeout)`. */
export interface AcquireOptions extends WaitOptions {
  /** `false` tries once and never waits (no `timeout` allowed then). @default true */
  readonly blocking?: boolean;
}

/** Options of `acquireSync`. */
export interface AcquireSyncOptions extends WaitSyncOptions {
  /** `false` tries once and never waits (no `timeout` allowed then). @default true */
  readonly blocking?: boolean;
}

/** Something with Python's acquire/release protocol, both forms. */
export interface Acquirable {
  acquire(options?: AcquireOptions): Promise<boolean>;
  acquireSync(options?: AcquireSyncOptions): boolean;
  release(): void;
}

/** The shared body of every `hold()`: acquire or throw TimeoutError, then guard. */
export async function holdAsync(target: Acquirable, options?: AcquireOptions): Promise<Guard> {
  if (!(await target.acquire(options))) throw new TimeoutError('Timed out waiting to acquire');
  return new Guard(() => target.release());
}

/** The shared body of every `holdSync()`. */
export function holdSync(target: Acquirable, options?: AcquireSyncOptions): Guard {
  if (!target.acquireSync(options)) throw new TimeoutError('Timed out waiting to acquire');
  return new Guard(() => target.release());
}

/** A resolved `true`, reused by fast paths so they allocate nothing. */
export const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);
/** A resolved `false`, likewise. */
export const RESOLVED_FALSE: Promise<boolean> = Promise.resolve(false);
