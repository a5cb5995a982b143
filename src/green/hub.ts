// The green "hub": which greenlet is running, and how a kill or a Timeout
// reaches it.
//
// gevent delivers `kill()` and `Timeout` by raising in the target greenlet at
// its current blocking call. Here each greenlet's async chain carries its
// Context (AsyncLocalStorage, entered with `run` when the greenlet starts),
// and every green blocking call (sleep, join, get, joinAll, a Pool waiting
// for room) registers itself with the current Context while it waits. An
// interruption rejects those calls; if the greenlet is not inside one (it
// awaits something else, say a fetch), the interruption is kept and raised by
// its next green blocking call, as gevent raises it at the next switch. Code
// outside any greenlet belongs to the main context, as gevent's main greenlet.

import { AsyncLocalStorage } from 'node:async_hooks';

type Interrupt = (reason: unknown) => void;

/** @internal The green state of one greenlet (or of the main flow). */
export class Context {
  /** The greenlet it belongs to; undefined for the main context. */
  readonly greenlet: object | undefined;
  readonly #blocked = new Set<Interrupt>();
  #pending: { readonly reason: unknown } | undefined;

  constructor(greenlet?: object) {
    this.greenlet = greenlet;
  }

  /** Raises `reason` in the greenlet: now if it is blocked in a green call, else at its next one. */
  interrupt(reason: unknown): void {
    if (this.#blocked.size === 0) {
      this.#pending = { reason };
      return;
    }
    const blocked = [...this.#blocked];
    this.#blocked.clear();
    for (const interrupt of blocked) interrupt(reason);
  }

  /** Withdraws an interruption not delivered yet (a Timeout cancelled in time). */
  withdraw(reason: unknown): void {
    if (this.#pending?.reason === reason) this.#pending = undefined;
  }

  /** @internal */
  _take(): { readonly reason: unknown } | undefined {
    const pending = this.#pending;
    this.#pending = undefined;
    return pending;
  }

  /** @internal */
  _block(interrupt: Interrupt): void {
    this.#blocked.add(interrupt);
  }

  /** @internal */
  _unblock(interrupt: Interrupt): void {
    this.#blocked.delete(interrupt);
  }
}

/** @internal */
export const storage = new AsyncLocalStorage<Context>();
const MAIN = new Context();

/** @internal The running greenlet's context, or the main one. */
export function currentContext(): Context {
  return storage.getStore() ?? MAIN;
}

/**
 * @internal Runs a green blocking call in the current context: `op` gets a
 * signal that aborts with the interruption (kill, Timeout) if one arrives
 * while it waits, or before it starts.
 */
export function blocking<T>(op: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const context = currentContext();
  const pending = context._take();
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as given
  if (pending !== undefined) return Promise.reject(pending.reason);
  const controller = new AbortController();
  const interrupt: Interrupt = (reason) => controller.abort(reason);
  context._block(interrupt);
  let promise: Promise<T>;
  try {
    promise = op(controller.signal);
  } catch (error) {
    context._unblock(interrupt);
    throw error;
  }
  return promise.finally(() => context._unblock(interrupt));
}
