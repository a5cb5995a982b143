// What happens to an error escaping a thread's target: the thread's entry
// describes it with the error wire (internal/error-wire.ts) and posts it to
// the thread that started the thread, which rebuilds it (class, message,
// stack, code, cause, errors) and calls the excepthook, Python's
// `threading.excepthook`.

import { decodeError, encodeError, type ErrorData } from '../internal/error-wire.js';
import { argTypeError, describe } from '../internal/errors.js';
import type { Thread } from './thread.js';

/** What {@link setExcepthook}'s hook receives, like Python's `threading.ExceptHookArgs`. */
export interface ExceptHookArgs {
  /** The error class's name, e.g. `TypeError`. */
  readonly excType: string;
  /**
   * The error, rebuilt in this thread: of its own class when that is a
   * built-in or weft class (or registered with `registerErrorClass`), with
   * the thread's message, stack, `code` and other own data, `cause`, and the
   * `errors` of an AggregateError.
   */
  readonly excValue: Error;
  /** The thread it escaped from. */
  readonly thread: Thread;
}

/** Reports an error escaping a thread's target; see {@link setExcepthook}. */
export type ExceptHook = (args: ExceptHookArgs) => void;

/**
 * Python's default: `Exception in thread NAME:` and the stack, on stderr.
 *
 * @example
 * ```ts
 * setExcepthook((args) => {
 *   if (!(args.excValue instanceof TimeoutError)) defaultExcepthook(args); // quiet about timeouts
 * });
 * setExcepthook(defaultExcepthook); // back to the default
 * ```
 */
export const defaultExcepthook: ExceptHook = ({ excValue, thread }) => {
  process.stderr.write(
    `Exception in thread ${thread.name}:\n${excValue.stack ?? String(excValue)}\n`,
  );
};

let excepthook: ExceptHook = defaultExcepthook;

/**
 * Replaces the hook called (in the thread that started the thread) when an
 * error escapes a thread's target. Python's `threading.excepthook = hook`.
 *
 * @returns The previous hook.
 * @example
 * ```ts
 * const errors: Error[] = [];
 * setExcepthook(({ excValue }) => errors.push(excValue));
 * ```
 */
export function setExcepthook(hook: ExceptHook): ExceptHook {
  if (typeof hook !== 'function')
    throw argTypeError(`Expected \`hook\` to be a function, got ${describe(hook)}`);
  const previous = excepthook;
  excepthook = hook;
  return previous;
}

/** Calls the excepthook for `error`, escaped from `thread`; a failing hook falls back to the default. */
export function reportException(error: Error, thread: Thread): void {
  try {
    excepthook({ excType: error.name, excValue: error, thread });
  } catch (hookError) {
    defaultExcepthook({ excType: error.name, excValue: error, thread });
    process.stderr.write(`Exception in threading excepthook: ${String(hookError)}\n`);
  }
}

/** Message a thread's entry posts when the target fails. */
export interface ThreadErrorMessage {
  readonly type: 'weft.thread.error';
  readonly error: ErrorData;
}

/** The message describing `thrown` (a value that is not an Error becomes one saying what it was). */
export function errorMessage(thrown: unknown): ThreadErrorMessage {
  const error = thrown instanceof Error ? thrown : new Error(`Non-error thrown: ${String(thrown)}`);
  return { type: 'weft.thread.error', error: encodeError(error) };
}

export function isErrorMessage(message: unknown): message is ThreadErrorMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'weft.thread.error'
  );
}

/** The error a message describes, rebuilt here. */
export function errorOf(message: ThreadErrorMessage): Error {
  const error = decodeError(message.error);
  return error instanceof Error ? error : new Error(`Non-error thrown: ${String(error)}`);
}
