import { rejected } from '../internal/reject.js';
import { inspect } from 'node:util';
import { argTypeError, describe } from '../internal/errors.js';
import { at, cancel, soon } from '../internal/scheduler.js';
import type { Entry } from '../internal/scheduler.js';
import { checkBoolean, checkOptions, checkTimeout, KILL_FORM } from '../internal/validate.js';
import { WaiterList } from '../internal/waiters.js';
import type { Waiter } from '../internal/waiters.js';
import { now } from '../internal/wait.js';
import { GreenletExit } from './errors.js';
import { blocking, Context, currentContext, storage } from './hub.js';
import { Timeout } from './timeout.js';
import { inThreadOnly } from '../internal/classes.js';

/** Options of `join`. */
export interface JoinOptions {
  /** Most ms to wait. @default Infinity */
  readonly timeout?: number;
}

/** Options of `get`. */
export interface GetOptions extends JoinOptions {
  /** `false`: do not wait; throw a `Timeout` if not finished. @default true */
  readonly block?: boolean;
}

/** Options of `kill`. */
export interface KillOptions {
  /** What to raise in the greenlet. @default a new GreenletExit */
  readonly exception?: unknown;
  /** `false`: return at once instead of waiting for the greenlet to die. @default true */
  readonly block?: boolean;
  /** Most ms to wait for it to die (with `block`). @default Infinity */
  readonly timeout?: number;
}

const NEW = 0;
const SCHEDULED = 1;
const RUNNING = 2;
const DEAD = 3;

let counter = 0;

/**
 * A cooperative task in this thread (gevent's `Greenlet`): a function run
 * from the next pass of the loop, alone until it awaits. Greenlets start in
 * the order they were started, and `sleep(0)` passes control to the others
 * in order, so their interleaving is deterministic.
 *
 * Not a promise (returning one from an async function would unwrap it): use
 * `join()`, `get()` or `joinAll`.
 *
 * @remarks A failure is kept on the greenlet (`exception`, `get()`,
 * `joinAll({ raiseError: true })`) and, as gevent does, reported when it
 * happens: printed to stderr unless {@link setErrorHandler} says otherwise.
 * @example
 * ```ts
 * const g = spawn(async (name: string) => `hello ${name}`, 'world');
 * await g.join();
 * g.value; // 'hello world'
 * ```
 */
export class Greenlet<R = unknown> {
  /** `Greenlet-<n>`, numbered in creation order. */
  readonly name: string;
  readonly #fn: (...args: never) => unknown;
  readonly #args: readonly unknown[];
  #state = NEW;
  #entry: Entry | undefined;
  #value: R | GreenletExit | undefined;
  #exception: unknown;
  #failed = false;
  #context: Context | undefined;
  #controller: AbortController | undefined;
  readonly #joiners = new WaiterList<boolean>();
  // Typed loosely so that Greenlet<R> stays covariant in R.
  readonly #links = new Set<(greenlet: never) => void>();
  readonly #observers: ((greenlet: never) => void)[] = [];

  /**
   * Makes a greenlet that will run `fn(...args)` once started.
   *
   * @throws {TypeError} when `fn` is not a function.
   */
  constructor(fn: (...args: never) => R | PromiseLike<R>, ...args: readonly unknown[]) {
    if (typeof fn !== 'function') {
      throw argTypeError(`Expected \`fn\` to be a function, got ${describe(fn)}`);
    }
    this.#fn = fn;
    this.#args = args;
    this.name = `Greenlet-${counter++}`;
  }

  /**
   * Makes and starts a greenlet (gevent's `Greenlet.spawn`); see {@link spawn}.
   */
  static spawn<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Greenlet<Awaited<R>> {
    const g = new Greenlet<Awaited<R>>(fn as unknown as (...args: never) => Awaited<R>, ...args);
    g.start();
    return g;
  }

  /** Schedules it to run at the next pass of the loop, after those already scheduled. No effect once started. */
  start(): void {
    if (this.#state !== NEW) return;
    this.#state = SCHEDULED;
    this.#entry = soon(() => this.#run());
  }

  /**
   * Schedules it to run `delay` ms from now (gevent's `start_later`).
   *
   * @throws {RangeError} for a negative delay.
   */
  startLater(delay: number): void {
    const ms = checkTimeout(delay, 'delay');
    if (this.#state !== NEW) return;
    this.#state = SCHEDULED;
    this.#entry = at(now() + ms, () => this.#run());
  }

  /** Whether it was started (scheduled, running or dead). */
  get started(): boolean {
    return this.#state !== NEW;
  }

  /** Whether it has finished (gevent's `dead`, `ready()`). */
  get dead(): boolean {
    return this.#state === DEAD;
  }

  /** Whether it has finished, successfully or not. */
  ready(): boolean {
    return this.#state === DEAD;
  }

  /** Whether it finished without an error (a kill with GreenletExit counts as success). */
  successful(): boolean {
    return this.#state === DEAD && !this.#failed;
  }

  /** Its result once it finished successfully (the GreenletExit if it was killed), else `undefined`. */
  get value(): R | GreenletExit | undefined {
    return this.#value;
  }

  /** Its error once it failed, else `undefined`. */
  get exception(): unknown {
    return this.#exception;
  }

  /**
   * Aborts when the greenlet is killed (with the kill's exception as
   * reason): pass it to non-green work (fetch, streams) the greenlet does.
   */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /**
   * Kills it (gevent's `kill`): a greenlet not yet running never runs; a
   * running one gets `exception` raised at its current (or next) green
   * blocking call, and its `signal` aborts.
   *
   * @returns Whether it is dead: at once with `block: false`, else once it
   * died or `timeout` passed.
   */
  kill(options?: KillOptions): Promise<boolean> {
    try {
      return this.#kill(options);
    } catch (error) {
      return rejected(error);
    }
  }

  #kill(options?: KillOptions): Promise<boolean> {
    checkBoolean(checkOptions(options, 'greenlet.kill(options)', KILL_FORM).block, 'block');
    const timeout = checkTimeout(options?.timeout);
    const reason = options?.exception ?? new GreenletExit();
    if (this.#state === DEAD) return Promise.resolve(true);
    if (this.#state !== RUNNING) {
      if (this.#entry !== undefined) cancel(this.#entry);
      this.#entry = undefined;
      this.#abortSignal(reason);
      this.#die(reason, true);
      return Promise.resolve(true);
    }
    this.#abortSignal(reason);
    this.#context!.interrupt(reason);
    if (options?.block === false) return Promise.resolve(this.ready());
    return this.join({ timeout });
  }

  /**
   * Waits until it has finished.
   *
   * @returns `true` once finished; `false` if `timeout` passed first.
   * @throws {RangeError} (rejects) for a negative timeout.
   */
  join(options?: JoinOptions): Promise<boolean> {
    try {
      return this.#join(options);
    } catch (error) {
      return rejected(error);
    }
  }

  #join(options?: JoinOptions): Promise<boolean> {
    checkOptions(options, 'greenlet.join(options)', '{ timeout: 100 }');
    const timeout = checkTimeout(options?.timeout);
    if (this.#state === DEAD) return Promise.resolve(true);
    if (timeout === 0) return Promise.resolve(false);
    return blocking((signal) => this.#joiners.park(undefined, timeout, signal, timedOut));
  }

  /**
   * Its result: waits until it has finished, then returns what its function
   * returned, or throws its error.
   *
   * @throws its exception; its GreenletExit if it was killed (gevent returns
   * it: here `get()` returns only what the function returned); a
   * {@link Timeout} when `timeout` passes (or at once with `block: false`)
   * before it has finished.
   */
  async get(options?: GetOptions): Promise<R> {
    checkBoolean(
      checkOptions(options, 'greenlet.get(options)', '{ block: false } or { timeout: 100 }').block,
      'block',
    );
    const timeout = options?.block === false ? 0 : checkTimeout(options?.timeout);
    if (!(await this.join({ timeout }))) throw new Timeout(timeout);
    if (this.#failed) throw this.#exception;
    if (this.#value instanceof GreenletExit) throw this.#value;
    return this.#value as R;
  }

  /**
   * Calls `callback(greenlet)` once it has finished, at the next pass of the
   * loop (at once-ish if it already has).
   */
  link(callback: (greenlet: Greenlet<R>) => void): void {
    if (typeof callback !== 'function') {
      throw argTypeError(`Expected \`callback\` to be a function, got ${describe(callback)}`);
    }
    if (this.#state === DEAD) soon(() => callback(this));
    else this.#links.add(callback);
  }

  /** Removes a callback added with `link`. */
  unlink(callback: (greenlet: Greenlet<R>) => void): void {
    this.#links.delete(callback);
  }

  /** @internal Calls `observer` synchronously when it dies (groups, joinAll). */
  _observe(observer: (greenlet: Greenlet<R>) => void): void {
    if (this.#state === DEAD) observer(this);
    else this.#observers.push(observer);
  }

  /** @internal */
  _unobserve(observer: (greenlet: Greenlet<R>) => void): void {
    const i = this.#observers.indexOf(observer);
    if (i >= 0) this.#observers.splice(i, 1);
  }

  #run(): void {
    this.#entry = undefined;
    if (this.#state !== SCHEDULED) return;
    this.#state = RUNNING;
    const context = new Context(this);
    this.#context = context;
    let result: unknown;
    try {
      result = storage.run(context, this.#fn as (...args: unknown[]) => unknown, ...this.#args);
    } catch (error) {
      this.#die(error, true);
      return;
    }
    if (isThenable(result)) {
      Promise.resolve(result).then(
        (value) => this.#die(value, false),
        (error: unknown) => this.#die(error, true),
      );
    } else this.#die(result, false);
  }

  #abortSignal(reason: unknown): void {
    this.#controller ??= new AbortController();
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }

  #die(outcome: unknown, thrown: boolean): void {
    if (this.#state === DEAD) return;
    this.#state = DEAD;
    this.#context = undefined;
    if (thrown && !(outcome instanceof GreenletExit)) {
      this.#failed = true;
      this.#exception = outcome;
    } else this.#value = outcome as R | GreenletExit;
    if (this.#failed) report(this, this.#exception);
    this.#joiners.grantAll(true);
    const observers = this.#observers.splice(0);
    for (const observe of observers) observe(this as never);
    for (const link of this.#links) soon(() => link(this as never));
    this.#links.clear();
  }

  /** A short description of the state, for logs and debugging. */
  toString(): string {
    const args = this.#args.map((a) => inspect(a, { breakLength: Infinity })).join(', ');
    return `<Greenlet "${this.name}": ${this.#fn.name || '<anonymous>'}(${args})>`;
  }

  /** What `util.inspect` and `console.log` show: {@link Greenlet.toString}. */
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Starts `fn(...args)` as a greenlet (gevent's `spawn`): it runs from the
 * next pass of the loop, after greenlets spawned before it.
 *
 * @returns The greenlet.
 * @example
 * ```ts
 * const greenlets = [spawn(foo), spawn(bar)];
 * await joinAll(greenlets);
 * ```
 */
export function spawn<A extends unknown[], R>(
  fn: (...args: A) => R,
  ...args: A
): Greenlet<Awaited<R>> {
  return Greenlet.spawn(fn, ...args);
}

/**
 * Starts `fn(...args)` as a greenlet `delay` ms from now (gevent's `spawn_later`).
 *
 * @example
 * ```ts
 * const g = spawnLater(100, () => console.log('a bit later'));
 * ```
 */
export function spawnLater<A extends unknown[], R>(
  delay: number,
  fn: (...args: A) => R,
  ...args: A
): Greenlet<Awaited<R>> {
  const g = new Greenlet<Awaited<R>>(fn as unknown as (...args: never) => Awaited<R>, ...args);
  g.startLater(delay);
  return g;
}

/**
 * The greenlet running this code (gevent's `getcurrent`), or `undefined` outside any greenlet.
 *
 * @example
 * ```ts
 * spawn(async () => {
 *   const me = getCurrent()!;
 *   await fetch(url, { signal: me.signal }); // stops when the greenlet is killed
 * });
 * ```
 */
export function getCurrent(): Greenlet | undefined {
  return currentContext().greenlet as Greenlet | undefined;
}

/** Receives the failures of greenlets (see {@link setErrorHandler}). */
export type ErrorHandler = (greenlet: Greenlet<unknown>, error: unknown) => void;

let handler: ErrorHandler | undefined;

/**
 * Sets what happens when a greenlet fails (gevent's hub `handle_error`). By
 * default the error and the greenlet are printed to stderr, as gevent does,
 * and the program goes on; `undefined` restores that.
 *
 * @example
 * ```ts
 * setErrorHandler((g, error) => logger.error({ greenlet: g.name, error }));
 * setErrorHandler(() => {}); // silence: failures stay readable on each greenlet
 * ```
 */
export function setErrorHandler(errorHandler: ErrorHandler | undefined): void {
  if (errorHandler !== undefined && typeof errorHandler !== 'function') {
    throw argTypeError(`Expected \`handler\` to be a function, got ${describe(errorHandler)}`);
  }
  handler = errorHandler;
}

function report(greenlet: Greenlet<unknown>, error: unknown): void {
  try {
    if (handler !== undefined) handler(greenlet, error);
    else {
      const name = error instanceof Error ? error.name : typeof error;
      console.error(inspect(error));
      console.error(`${String(greenlet)} failed with ${name}\n`);
    }
  } catch (thrown) {
    // Like a failing callback: uncaught, without stopping the greenlet's death.
    queueMicrotask(() => {
      throw thrown;
    });
  }
}

function timedOut(w: Waiter<boolean, undefined>): void {
  w.resolve(false);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

inThreadOnly(
  Greenlet,
  'weft/green',
  'send its value instead, or run work in other threads with weft/threading or weft/futures',
);
