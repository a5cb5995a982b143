// Errors thrown by served code (a registered type's factory or methods)
// cross as data: the server wraps each one as `ERR_MANAGER_SERVED` (its own
// failures keep their own names and codes), and the client rebuilds it as a
// plain Error (or the thrown value itself), never as one of weft's classes:
// a served `throw { name: 'QueueEmpty' }` must not read as a real QueueEmpty.

import type { ErrorCode } from '../internal/codes.js';
import { ManagerError } from './errors.js';

/** The code that marks a wrapped served error on the wire (never surfaces to callers). */
export const SERVED_CODE: ErrorCode = 'ERR_MANAGER_SERVED';

type Described =
  | {
      readonly k: 'error';
      readonly name: string;
      readonly message: string;
      readonly code?: string;
      readonly stack?: string;
    }
  | { readonly k: 'value'; readonly value: unknown };

/** Describes what served code threw, as the message of the wrapping error. */
export function describeServed(thrown: unknown): string {
  let d: Described;
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    d = {
      k: 'error',
      name: String(thrown.name),
      message: String(thrown.message),
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof thrown.stack === 'string' ? { stack: thrown.stack } : {}),
    };
  } else {
    d = { k: 'value', value: thrown };
  }
  try {
    return JSON.stringify(d);
  } catch {
    return JSON.stringify({ k: 'value', value: String(thrown) });
  }
}

/** What a client rethrows for `error`: a served error rebuilt as data, anything else as is. */
export function fromServed(error: unknown): unknown {
  if (!(error instanceof ManagerError) || error.code !== SERVED_CODE) return error;
  let d: Described;
  try {
    d = JSON.parse(error.message) as Described;
  } catch {
    return new Error(error.message);
  }
  if (d.k === 'value') return d.value;
  const e = new Error(d.message);
  Object.defineProperty(e, 'name', { value: d.name, writable: true, configurable: true });
  if (d.code !== undefined) {
    Object.defineProperty(e, 'code', {
      value: d.code,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  if (d.stack !== undefined) e.stack = d.stack;
  return e;
}
