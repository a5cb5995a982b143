// The server's synchronization objects: Lock, RLock, Semaphore,
// BoundedSemaphore, Event, Condition, Barrier. They live in the server's
// one thread, so their state is plain fields; a blocking call is a pending
// Wait answered when the object changes. Waiters are served first come,
// first served.
//
// A caller that goes away (its connection closed: the client thread or
// process died, or disconnected) loses its waits, and every Lock or RLock it
// held is released at once (counted in `abandoned`); a Condition waiter's
// lock is never handed to a dead caller; a Barrier with a dead party breaks,
// as a timeout would. Semaphore permits are not owned (any caller may
// release them, as in Python), so a dead caller's permits stay taken.

import {
  CallError,
  noMethod,
  Served,
  Wait,
  intArg,
  stateError,
  timeoutArg,
  type Caller,
} from './served.js';

/** A queued acquirer: `grant` returns false when it can no longer take it. */
interface Acquirer {
  readonly caller: Caller;
  grant(): boolean;
}

function remove<T>(list: T[], item: T): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
}

/** What a Condition needs of its lock. */
export interface ConditionLock {
  owns(caller: Caller): boolean;
  /** Releases fully; returns what {@link restore} needs to take it back. */
  releaseAll(caller: Caller): number;
  /** Re-takes the lock for `caller` (queued behind other acquirers). */
  restore(caller: Caller, saved: number, then: () => void): void;
}

export class ServedLock extends Served implements ConditionLock {
  readonly typeid: string = 'Lock';
  protected holder: Caller | undefined;
  protected count = 0;
  protected readonly queue: Acquirer[] = [];
  /** How many times a dead caller's hold was released. */
  abandoned = 0;

  call(caller: Caller, request: number, name: string, args: unknown[]): unknown {
    switch (name) {
      case 'acquire':
        return this.#acquire(caller, request, timeoutArg(args[0]));
      case 'release':
        this.release(caller);
        return undefined;
      case 'locked':
        return this.count > 0;
      case 'abandoned':
        return this.abandoned;
      default:
        throw noMethod(this.typeid, name);
    }
  }

  /** Whether `caller` may take it now (an RLock re-enters). */
  protected enters(caller: Caller): boolean {
    return this.count === 0 || (this.reentrant && this.holder === caller);
  }

  protected get reentrant(): boolean {
    return false;
  }

  #acquire(caller: Caller, request: number, timeout: number): unknown {
    caller.touched.add(this);
    if (this.queue.length === 0 && this.enters(caller)) {
      this.holder = caller;
      this.count++;
      return true;
    }
    if (timeout === 0) return false;
    const wait = new Wait(caller, request, timeout, () => wait.resolve(false));
    const entry: Acquirer = {
      caller,
      grant: () => {
        this.holder = caller;
        this.count = 1;
        return wait.resolve(true);
      },
    };
    this.queue.push(entry);
    wait.onEnd = () => remove(this.queue, entry);
    return wait.promise;
  }

  release(caller: Caller): void {
    if (this.count === 0) {
      throw stateError('ERR_LOCK_NOT_HELD', 'Cannot release an unlocked lock');
    }
    if (this.reentrant && this.holder !== caller) {
      throw stateError('ERR_RLOCK_NOT_OWNED', 'Cannot release an RLock held by another thread');
    }
    if (--this.count === 0) this.handOff();
  }

  // Gives the free lock to the first live acquirer.
  protected handOff(): void {
    this.holder = undefined;
    while (this.queue.length > 0) {
      const next = this.queue.shift()!;
      if (!next.caller.closed && next.grant()) return;
    }
    this.count = 0;
  }

  owns(caller: Caller): boolean {
    return this.count > 0 && this.holder === caller;
  }

  releaseAll(caller: Caller): number {
    const saved = this.count;
    if (this.holder !== caller) return 0;
    this.count = 0;
    this.handOff();
    return saved;
  }

  restore(caller: Caller, saved: number, then: () => void): void {
    const take = (): void => {
      this.holder = caller;
      this.count = saved;
      then();
    };
    if (this.queue.length === 0 && this.count === 0) {
      take();
      return;
    }
    const entry: Acquirer = {
      caller,
      grant: () => {
        take();
        return true;
      },
    };
    this.queue.push(entry);
  }

  override abandon(caller: Caller): void {
    if (this.holder === caller && this.count > 0) {
      this.abandoned++;
      this.count = 0;
      this.handOff();
    }
    for (const entry of [...this.queue]) if (entry.caller === caller) remove(this.queue, entry);
  }
}

export class ServedRLock extends ServedLock {
  override readonly typeid: string = 'RLock';
  protected override get reentrant(): boolean {
    return true;
  }
  override call(caller: Caller, request: number, name: string, args: unknown[]): unknown {
    if (name === 'owned') return this.owns(caller);
    if (name === 'count') return this.holder === caller ? this.count : 0;
    return super.call(caller, request, name, args);
  }
}

export class ServedSemaphore extends Served {
  readonly typeid: string;
  #value: number;
  readonly #bound: number;
  readonly #queue: { caller: Caller; wait: Wait }[] = [];

  constructor(value: unknown, bounded: boolean) {
    super();
    this.#value = intArg(value ?? 1, 'value', 0);
    this.#bound = bounded ? this.#value : -1;
    this.typeid = bounded ? 'BoundedSemaphore' : 'Semaphore';
  }

  call(caller: Caller, request: number, name: string, args: unknown[]): unknown {
    switch (name) {
      case 'acquire': {
        const timeout = timeoutArg(args[0]);
        if (this.#queue.length === 0 && this.#value > 0) {
          this.#value--;
          return true;
        }
        if (timeout === 0) return false;
        const wait = new Wait(caller, request, timeout, () => wait.resolve(false));
        const entry = { caller, wait };
        this.#queue.push(entry);
        wait.onEnd = () => remove(this.#queue, entry);
        return wait.promise;
      }
      case 'release': {
        const n = intArg(args[0] ?? 1, 'n', 1);
        if (this.#bound >= 0 && this.#value + n > this.#bound) {
          throw stateError('ERR_SEMAPHORE_OVERRELEASED', 'Semaphore released too many times');
        }
        this.#value += n;
        while (this.#value > 0 && this.#queue.length > 0) {
          this.#value--;
          if (!this.#queue[0]!.wait.resolve(true)) this.#value++;
        }
        return undefined;
      }
      case 'value':
        return this.#value;
      default:
        throw noMethod(this.typeid, name);
    }
  }
}

export class ServedEvent extends Served {
  readonly typeid = 'Event';
  #flag = false;
  readonly #waits = new Set<Wait>();

  call(caller: Caller, request: number, name: string, args: unknown[]): unknown {
    switch (name) {
      case 'set':
        this.#flag = true;
        for (const wait of [...this.#waits]) wait.resolve(true);
        return undefined;
      case 'clear':
        this.#flag = false;
        return undefined;
      case 'isSet':
        return this.#flag;
      case 'wait': {
        const timeout = timeoutArg(args[0]);
        if (this.#flag) return true;
        if (timeout === 0) return false;
        const wait = new Wait(caller, request, timeout, () => wait.resolve(false));
        this.#waits.add(wait);
        wait.onEnd = () => this.#waits.delete(wait);
        return wait.promise;
      }
      default:
        throw noMethod(this.typeid, name);
    }
  }
}

export class ServedCondition extends Served {
  readonly typeid = 'Condition';
  readonly #lock: ServedLock;
  readonly #waiters: { notify: () => void }[] = [];

  constructor(lock: ServedLock) {
    super();
    this.#lock = lock;
  }

  call(caller: Caller, request: number, name: string, args: unknown[]): unknown {
    const lock = this.#lock;
    switch (name) {
      case 'acquire':
      case 'release':
      case 'locked':
        return lock.call(caller, request, name, args);
      case 'wait': {
        const timeout = timeoutArg(args[0]);
        if (!lock.owns(caller)) {
          throw stateError('ERR_CONDITION_NOT_OWNED', 'Cannot wait on an un-acquired condition');
        }
        caller.touched.add(lock);
        const saved = lock.releaseAll(caller);
        let state: 'waiting' | 'reacquiring' = 'waiting';
        const finish = (notified: boolean): void => {
          if (state !== 'waiting') return;
          state = 'reacquiring';
          remove(this.#waiters, waiter);
          // The lock is taken back before the answer, notified or not (Python's rule).
          lock.restore(caller, saved, () => wait.resolve(notified));
        };
        const wait = new Wait(caller, request, timeout, () => finish(false));
        const waiter = { notify: () => finish(true) };
        this.#waiters.push(waiter);
        return wait.promise;
      }
      case 'notify':
      case 'notifyAll': {
        if (!lock.owns(caller)) {
          throw stateError('ERR_CONDITION_NOT_OWNED', 'Cannot notify on an un-acquired condition');
        }
        let n = name === 'notifyAll' ? Infinity : intArg(args[0] ?? 1, 'n', 0);
        while (n-- > 0 && this.#waiters.length > 0) this.#waiters[0]!.notify();
        return undefined;
      }
      default:
        throw noMethod(this.typeid, name);
    }
  }
}

export class ServedBarrier extends Served {
  readonly typeid = 'Barrier';
  readonly #parties: number;
  readonly #timeout: number;
  #broken = false;
  #waiting: Wait[] = [];

  constructor(parties: unknown, timeout: unknown) {
    super();
    this.#parties = intArg(parties, 'parties', 1);
    this.#timeout = timeoutArg(timeout);
  }

  call(caller: Caller, request: number, name: string, args: unknown[]): unknown {
    switch (name) {
      case 'wait': {
        const timeout = args[0] === undefined ? this.#timeout : timeoutArg(args[0]);
        if (this.#broken) throw broken();
        caller.touched.add(this);
        const index = this.#waiting.length;
        if (index + 1 === this.#parties) {
          const all = this.#waiting;
          this.#waiting = [];
          all.forEach((wait, i) => wait.resolve(i));
          return index;
        }
        const wait = new Wait(caller, request, timeout, () => this.#break());
        this.#waiting.push(wait);
        return wait.promise;
      }
      case 'abort':
        this.#break();
        return undefined;
      case 'reset': {
        const all = this.#waiting;
        this.#waiting = [];
        for (const wait of all) wait.reject(broken());
        this.#broken = false;
        return undefined;
      }
      case 'state':
        return [this.#parties, this.#waiting.length, this.#broken];
      default:
        throw noMethod(this.typeid, name);
    }
  }

  #break(): void {
    this.#broken = true;
    const all = this.#waiting;
    this.#waiting = [];
    for (const wait of all) wait.reject(broken());
  }

  override abandon(caller: Caller): void {
    if (this.#waiting.some((wait) => wait.caller === caller)) this.#break();
  }
}

function broken(): CallError {
  return new CallError('BrokenBarrierError', 'ERR_BROKEN_BARRIER', 'The barrier is broken');
}
