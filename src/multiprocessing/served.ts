// What the server's objects share: the caller (one connection = one client
// thread), waits that a timeout, a client's abort or its death can end, and
// the value wrapper that keeps user data opaque.
//
// User data is never decoded here: a value arrives as the structured clone
// of what the client encoded (`v`) plus the codec's side table of that
// request (`t`), is stored as that pair, and goes back as that pair. The
// server never revives a shareable, so nothing a client stores can become
// live here, and the table keeps proxies inside values working for the next
// reader.

import { setLongTimeout, type LongTimer } from '../internal/timer.js';

/** A stored value: its clone and the side table of the request it came in. */
export interface Item {
  readonly v: unknown;
  readonly t: unknown[] | undefined;
}

/** A result that carries items: sent as `[OK, v, t]` so the client decodes it. */
export class Out {
  constructor(
    readonly v: unknown,
    readonly t: unknown[] | undefined,
  ) {}

  static of(item: Item | undefined): Out | undefined {
    return item === undefined ? undefined : new Out(item.v, item.t);
  }

  /** Several items in one result: their tables are concatenated (each listed once). */
  static many(make: (wrap: (item: Item) => unknown) => unknown): Out {
    const tables = new Set<unknown[]>();
    const v = make((item) => {
      if (item.t !== undefined) tables.add(item.t);
      return item.v;
    });
    return new Out(v, tables.size === 0 ? undefined : [...tables].flat());
  }
}

/** One client connection (one client thread), as the objects see it. */
export interface Caller {
  readonly id: number;
  readonly closed: boolean;
  /**
   * Whether the caller is reached over a socket (another thread or process):
   * its death reaches the server as the socket's end, which may come after a
   * message already on its way (see ServedQueue's hand-off).
   */
  readonly remote: boolean;
  /** Waits of this caller still pending, by request id (cancel, cleanup). */
  readonly waits: Map<number, Wait>;
  /** Objects that must hear when this caller goes away. */
  readonly touched: Set<Served>;
}

/** An error a method throws on purpose: crosses as `{ name, code, message }`. */
export class CallError extends Error {
  constructor(
    readonly errorName: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const noMethod = (typeid: string, name: string): CallError =>
  new CallError('ManagerError', 'ERR_MANAGER_NO_METHOD', `A ${typeid} has no method \`${name}\``);

export const stateError = (code: string, message: string): CallError =>
  new CallError('StateError', code, message);

/** A pending blocking call: ends by `resolve`/`reject`, or gives up (its timeout, `cancel`). */
export class Wait {
  settled = false;
  readonly promise: Promise<unknown>;
  #resolve!: (value: unknown) => void;
  #reject!: (error: unknown) => void;
  #timer: LongTimer | undefined;
  /** Undoes the registration (removes the waiter from its queue). */
  onEnd: (() => void) | undefined;

  constructor(
    readonly caller: Caller,
    readonly request: number,
    timeout: number,
    readonly giveUp: () => void,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    caller.waits.set(request, this);
    if (timeout !== Infinity) {
      this.#timer = setLongTimeout(() => {
        if (!this.settled) giveUp();
      }, timeout).unref();
    }
  }

  #end(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.#timer?.clear();
    this.caller.waits.delete(this.request);
    this.onEnd?.();
    return true;
  }

  resolve(value: unknown): boolean {
    if (!this.#end()) return false;
    this.#resolve(value);
    return true;
  }

  reject(error: unknown): boolean {
    if (!this.#end()) return false;
    this.#reject(error);
    return true;
  }

  /**
   * The client aborted the call, or went away: the wait ends as its timeout
   * would (an acquire answers false, a get QueueEmpty, a Condition wait
   * re-takes the lock first).
   */
  cancel(): void {
    if (!this.settled) this.giveUp();
  }
}

/** A served object: named methods, and what to do when a caller goes away. */
export abstract class Served {
  abstract readonly typeid: string;
  /** Runs method `name`; may return a promise (a blocking call) or an {@link Out}. */
  abstract call(
    caller: Caller,
    request: number,
    name: string,
    args: unknown[],
    table: unknown[] | undefined,
  ): unknown;
  /** The caller died or disconnected: drop its waits, release what it holds. */
  abandon(_caller: Caller): void {}
}

/** Validates a timeout sent by a client (already checked there; trust nothing). */
export function timeoutArg(value: unknown): number {
  if (value === undefined || value === null) return Infinity;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new CallError('RangeError', 'ERR_OUT_OF_RANGE', 'A timeout must be a number >= 0');
  }
  return value;
}

export function intArg(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new CallError(
      typeof value === 'number' ? 'RangeError' : 'TypeError',
      typeof value === 'number' ? 'ERR_OUT_OF_RANGE' : 'ERR_INVALID_ARG_TYPE',
      `Expected \`${name}\` to be an integer >= ${min}`,
    );
  }
  return value;
}
