// How a task's error crosses back to the caller. Structured clone keeps only
// the built-in error classes and drops own properties such as `code`, so the
// worker sends a description instead and the caller rebuilds the error: of the
// same built-in or weft class when it knows that class, else an Error whose
// `name` is the class's name; with the message, the worker's stack, `cause`,
// and every own property that clones.

import { StateError, TimeoutError, WeftError } from '../internal/errors.js';
import {
  BrokenExecutorError,
  CancelledError,
  InvalidStateError,
  WorkerExitError,
} from './errors.js';

/** A thrown value, ready for structured clone. */
export type ErrorData =
  | {
      readonly e: 1;
      readonly name: string;
      readonly ctor: string;
      readonly message: string;
      readonly stack: string | undefined;
      readonly props: Record<string, unknown>;
      readonly cause?: ErrorData;
      readonly errors?: ErrorData[];
    }
  | { readonly e: 0; readonly value: unknown };

type ErrorClass = abstract new (...args: never[]) => Error;

const known: Map<string, ErrorClass> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('weft.errors.classes')
] ??= new Map<string, ErrorClass>()) as Map<string, ErrorClass>;

/**
 * Makes errors of `cls` thrown in a worker arrive as instances of `cls` (the
 * class is found by name), in the thread that registered it. Built-in and
 * weft error classes are registered already; others arrive as an `Error`
 * whose `name` is the class name, with `code`, own properties and stack.
 *
 * @example
 * ```ts
 * import { registerErrorClass } from 'weft/futures';
 * import { ValidationError } from './errors.js';
 * registerErrorClass(ValidationError);
 * try { await pool.submit(work.validate, input); }
 * catch (e) { if (e instanceof ValidationError) console.log(e.field); }
 * ```
 */
export function registerErrorClass(cls: ErrorClass): void {
  known.set(cls.name, cls);
}

for (const cls of [
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
  CancelledError,
  BrokenExecutorError,
  InvalidStateError,
  WorkerExitError,
]) {
  if (!known.has(cls.name)) known.set(cls.name, cls);
}

/** Describes a thrown value for the trip to the caller. */
export function serializeError(thrown: unknown, depth = 0): ErrorData {
  if (!(thrown instanceof Error)) {
    try {
      return { e: 0, value: structuredClone(thrown) };
    } catch {
      return serializeError(new Error(`Non-error thrown: ${String(thrown)}`), depth);
    }
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(thrown)) {
    if (key === 'name' || key === 'cause' || key === 'errors' || key === 'stack') continue;
    const value = (thrown as unknown as Record<string, unknown>)[key];
    try {
      props[key] = structuredClone(value);
    } catch {
      // Not cloneable: left out, as promised.
    }
  }
  let ctor = 'Error';
  try {
    ctor = (thrown.constructor as { name?: unknown } | undefined)?.name as string;
    if (typeof ctor !== 'string' || ctor === '') ctor = 'Error';
  } catch {
    // A hostile getter: keep 'Error'.
  }
  const data: {
    e: 1;
    name: string;
    ctor: string;
    message: string;
    stack: string | undefined;
    props: Record<string, unknown>;
    cause?: ErrorData;
    errors?: ErrorData[];
  } = {
    e: 1,
    name: String(thrown.name),
    ctor,
    message: String(thrown.message),
    stack: typeof thrown.stack === 'string' ? thrown.stack : undefined,
    props,
  };
  if (depth < 8) {
    if ('cause' in thrown && thrown.cause !== undefined) {
      data.cause = serializeError(thrown.cause, depth + 1);
    }
    const errors = (thrown as { errors?: unknown }).errors;
    if (Array.isArray(errors)) data.errors = errors.map((e) => serializeError(e, depth + 1));
  }
  return data;
}

/** Rebuilds the thrown value from its description. */
export function reviveError(data: ErrorData): unknown {
  if (data.e === 0) return data.value;
  const cls = known.get(data.ctor) ?? known.get(data.name) ?? Error;
  // Construct a real Error (stack slot and all) whose prototype is the
  // class's, without running the class's constructor and its checks.
  const options = data.cause === undefined ? undefined : { cause: reviveError(data.cause) };
  const error = Reflect.construct(Error, [data.message, options], cls) as Error;
  const name = data.name === 'Error' && data.ctor !== 'Error' ? data.ctor : data.name;
  if (error.name !== name) {
    Object.defineProperty(error, 'name', {
      value: name,
      configurable: true,
      writable: true,
      enumerable: false,
    });
  }
  let stack = data.stack ?? `${name}: ${data.message}`;
  // A class that does not set `name` has a stack headed `Error: …`; head it with the class.
  if (name !== data.name && stack.startsWith(`${data.name}: ${data.message}`)) {
    stack = name + stack.slice(data.name.length);
  }
  Object.defineProperty(error, 'stack', {
    value: stack,
    configurable: true,
    writable: true,
    enumerable: false,
  });
  if (data.errors !== undefined) {
    Object.defineProperty(error, 'errors', {
      value: data.errors.map(reviveError),
      configurable: true,
      writable: true,
      enumerable: false,
    });
  }
  Object.assign(error, data.props);
  return error;
}
