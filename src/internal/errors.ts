import type { ErrorCode } from './codes.js';

export type { ErrorCode } from './codes.js';

/**
 * Base class of every error weft throws on purpose. `code` is stable and is
 * what callers (and tests) should branch on, never the message.
 *
 * @example
 * ```ts
 * import { WeftError } from 'weft';
 * try { lock.release(); } catch (e) { if (e instanceof WeftError) console.log(e.code); }
 * ```
 */
export class WeftError extends Error {
  /** Stable machine-readable code, e.g. `ERR_LOCK_NOT_HELD`; one of {@link ErrorCode}. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A wait ran out of time where returning `false` is not an option: the guard
 * forms (`hold()`, `holdSync()`). Named like the DOM's `TimeoutError`.
 *
 * @example
 * ```ts
 * try { using held = lock.holdSync({ timeout: 50 }); } catch (e) { if (e instanceof TimeoutError) {} }
 * ```
 */
export class TimeoutError extends WeftError {
  constructor(message = 'The operation timed out', options?: ErrorOptions) {
    super('ERR_TIMEOUT', message, options);
  }
}

/**
 * A call that the object's current state does not allow: Python raises
 * `RuntimeError` (or `ValueError`) in these cases. `code` says which:
 * `ERR_LOCK_NOT_HELD`, `ERR_RLOCK_NOT_OWNED`, `ERR_SEMAPHORE_OVERRELEASED`,
 * `ERR_CONDITION_NOT_OWNED`, `ERR_THREAD_STATE`, `ERR_SHAREABLE_INVALID`.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * try { lock.release(); } catch (e) { (e as StateError).code === 'ERR_LOCK_NOT_HELD'; }
 * ```
 */
export class StateError extends WeftError {}

/** Describes a received value for error messages: ``Expected `x` to be …, got `v` (type)``. */
export function describe(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') shown = JSON.stringify(value);
  else if (typeof value === 'function') shown = `function ${value.name || '(anonymous)'}`;
  else if (typeof value === 'object' && value !== null)
    shown = Object.prototype.toString.call(value);
  else shown = String(value);
  return `\`${shown}\` (${value === null ? 'null' : typeof value})`;
}

/** A built-in error (`TypeError`, `RangeError`, …) carrying one of weft's codes, as Node's own do. */
export type CodedError<E extends Error = Error, C extends ErrorCode = ErrorCode> = E & {
  readonly code: C;
};

type ErrorClass<E extends Error> = new (message?: string, options?: ErrorOptions) => E;

/**
 * Makes a built-in error with a stable `code` own property (enumerable, so it
 * crosses threads with the error), the way Node's `ERR_INVALID_ARG_TYPE`
 * errors are plain `TypeError`s with a `code`. The stack starts at the caller.
 */
export function codedError<E extends Error, C extends ErrorCode>(
  Class: ErrorClass<E>,
  code: C,
  message: string,
  options?: ErrorOptions,
): CodedError<E, C> {
  const error = new Class(message, options);
  Object.defineProperty(error, 'code', {
    value: code,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  Error.captureStackTrace(error, codedError);
  return error as CodedError<E, C>;
}

/** A `TypeError` with code `ERR_INVALID_ARG_TYPE`: an argument or option of the wrong type. */
export function argTypeError(
  message: string,
  options?: ErrorOptions,
): CodedError<TypeError, 'ERR_INVALID_ARG_TYPE'> {
  const error = codedError(TypeError, 'ERR_INVALID_ARG_TYPE', message, options);
  Error.captureStackTrace(error, argTypeError);
  return error;
}

/** A `RangeError` with code `ERR_OUT_OF_RANGE`: a number outside the allowed range. */
export function outOfRangeError(
  message: string,
  options?: ErrorOptions,
): CodedError<RangeError, 'ERR_OUT_OF_RANGE'> {
  const error = codedError(RangeError, 'ERR_OUT_OF_RANGE', message, options);
  Error.captureStackTrace(error, outOfRangeError);
  return error;
}
