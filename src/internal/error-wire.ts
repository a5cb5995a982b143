// The one wire format of an error crossing a thread or a process: a pool
// task's failure, an error escaping a Thread (to the excepthook), a Process's
// failure. Structured clone keeps only the built-in error classes and drops
// own properties such as `code`, and IPC keeps no class at all, so the sender
// describes the error and the receiver rebuilds it: of the same class when
// that class is registered here (built-in and weft error classes are; a user
// registers others with `registerErrorClass`), else an Error whose `name` is
// the class's name; with the message, the sender's stack, `cause`, the
// `errors` of an AggregateError, and every own property that clones.
//
// Data stays data: the class is found by name among registered classes only,
// no constructor runs, and own properties are defined as plain values (a key
// such as `__proto__` stays an own property). A thrown value that is not an
// Error crosses as itself, tagged so it is never read as an error description.

import { globalSlot, ERROR_CLASSES_KEY } from './globals.js';
import { codedError, StateError, TimeoutError, WeftError } from './errors.js';
import { BrokenBarrierError } from './broken-barrier.js';
import { QueueEmpty, QueueFull, QueueShutDown } from './queue-errors.js';

/** A description of an Error, ready for structured clone or JSON. */
export interface ErrorDescription {
  readonly e: 1;
  readonly name: string;
  readonly ctor: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly props: Record<string, unknown>;
  readonly cause?: ErrorData;
  readonly errors?: ErrorData[];
}

/** A thrown value, ready for structured clone: an Error's description, or any other value as itself. */
export type ErrorData = ErrorDescription | { readonly e: 0; readonly value: unknown };

type ErrorClass = abstract new (...args: never[]) => Error;

// Causes and aggregated errors deeper than this are left out.
const MAX_DEPTH = 8;

const known = globalSlot(ERROR_CLASSES_KEY, () => new Map<string, ErrorClass>());

/**
 * Makes errors of `cls` thrown in a worker thread or child process arrive as
 * instances of `cls` (the class is found by name), in the thread that
 * registered it. Built-in and weft error classes are registered already;
 * others arrive as an `Error` whose `name` is the class name, with `code`,
 * own properties and stack.
 *
 * @example
 * ```ts
 * import { registerErrorClass, type ThreadPoolExecutor } from 'weft/futures';
 * import { ValidationError } from './errors.js';
 * declare const pool: ThreadPoolExecutor;
 * declare const validate: (input: string) => boolean;
 * registerErrorClass(ValidationError);
 * try { await pool.submit(validate, 'x'); }
 * catch (e) { if (e instanceof ValidationError) console.log(e.field); }
 * ```
 */
export function registerErrorClass(cls: ErrorClass): void {
  known.set(cls.name, cls);
}

/** Registers weft's own error classes (each module that defines some calls it once). */
export function registerWeftErrors(classes: readonly ErrorClass[]): void {
  for (const cls of classes) if (!known.has(cls.name)) known.set(cls.name, cls);
}

registerWeftErrors([
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
  WeftError,
  TimeoutError,
  StateError,
  BrokenBarrierError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
]);

/** Describes a thrown value for the trip to another thread or process. */
export function encodeError(thrown: unknown, depth = 0): ErrorData {
  if (!(thrown instanceof Error)) {
    try {
      return { e: 0, value: structuredClone(thrown) };
    } catch {
      return encodeError(new Error(`Non-error thrown: ${String(thrown)}`), depth);
    }
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(thrown)) {
    if (key === 'name' || key === 'cause' || key === 'errors' || key === 'stack') continue;
    try {
      props[key] = structuredClone((thrown as unknown as Record<string, unknown>)[key]);
    } catch {
      // Not cloneable (or a throwing getter): left out, as promised.
    }
  }
  let ctor = 'Error';
  try {
    const name = (thrown.constructor as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string' && name !== '') ctor = name;
  } catch {
    // A hostile getter: keep 'Error'.
  }
  const data: {
    -readonly [K in keyof ErrorDescription]: ErrorDescription[K];
  } = {
    e: 1,
    name: String(thrown.name),
    ctor,
    message: String(thrown.message),
    stack: typeof thrown.stack === 'string' ? thrown.stack : undefined,
    props,
  };
  if (depth < MAX_DEPTH) {
    if ('cause' in thrown && thrown.cause !== undefined) {
      data.cause = encodeError(thrown.cause, depth + 1);
    }
    const errors = (thrown as { errors?: unknown }).errors;
    if (Array.isArray(errors)) data.errors = errors.map((e) => encodeError(e, depth + 1));
  }
  return data;
}

/**
 * Rebuilds the thrown value from its description. Anything that is not a
 * well-formed description (a forged or damaged message) comes back as an
 * Error saying so, never as something the data chose.
 */
export function decodeError(data: ErrorData, depth = 0): unknown {
  if (typeof data !== 'object' || data === null) return malformed();
  if (data.e === 0) return data.value;
  if (data.e !== 1) return malformed();
  const message = typeof data.message === 'string' ? data.message : String(data.message);
  const recorded = typeof data.name === 'string' ? data.name : 'Error';
  const ctor = typeof data.ctor === 'string' ? data.ctor : 'Error';
  const cls = known.get(ctor) ?? known.get(recorded) ?? Error;
  const cause =
    data.cause !== undefined && depth < MAX_DEPTH ? decodeError(data.cause, depth + 1) : undefined;
  // Construct a real Error (stack slot and all) whose prototype is the
  // class's, without running the class's constructor and its checks.
  const options = data.cause === undefined ? undefined : { cause };
  const error = Reflect.construct(Error, [message, options], cls) as Error;
  const name = recorded === 'Error' && ctor !== 'Error' ? ctor : recorded;
  if (error.name !== name) define(error, 'name', name);
  let stack = typeof data.stack === 'string' ? data.stack : `${name}: ${message}`;
  // A class that does not set `name` has a stack headed `Error: …`; head it with the class.
  if (name !== recorded && stack.startsWith(`${recorded}: ${message}`)) {
    stack = name + stack.slice(recorded.length);
  }
  define(error, 'stack', stack);
  if (Array.isArray(data.errors) && depth < MAX_DEPTH) {
    define(
      error,
      'errors',
      data.errors.map((e) => decodeError(e, depth + 1)),
    );
  }
  const props: unknown = data.props;
  if (typeof props === 'object' && props !== null) {
    for (const key of Object.keys(props)) {
      if (key === 'name' || key === 'stack' || key === 'cause' || key === 'errors') continue;
      Object.defineProperty(error, key, {
        value: (props as Record<string, unknown>)[key],
        configurable: true,
        writable: true,
        enumerable: true,
      });
    }
  }
  return error;
}

function define(error: Error, key: string, value: unknown): void {
  Object.defineProperty(error, key, {
    value,
    configurable: true,
    writable: true,
    enumerable: false,
  });
}

function malformed(): Error {
  return codedError(
    Error,
    'ERR_MALFORMED_ERROR',
    'A malformed error description arrived from another thread or process',
  );
}
