import { TimeoutError } from '../internal/errors.js';
import { Guard } from '../internal/guard.js';
import type { AcquireOptions, AcquireSyncOptions } from '../internal/options.js';

// One Guard class for weft/threading and weft/asyncio.
export { Guard } from '../internal/guard.js';

// One set of option types for every module (internal/options.ts).
export type {
  AcquireOptions,
  AcquireSyncOptions,
  WaitOptions,
  WaitSyncOptions,
} from '../internal/options.js';

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
