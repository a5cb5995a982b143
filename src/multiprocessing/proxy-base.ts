// The base of every Manager proxy: a reference to one object of one
// manager (its address, the authkey, the object's id and typeid). A proxy
// is a shareable: it crosses to threads and child processes (Thread args,
// pool task arguments and results, queue items, values of other proxies)
// as that reference, out of band (codec.ts), and is rebuilt there as a live
// proxy that opens its own thread's channel on first use.
//
// The reference carries the authkey, as Python's proxies do when they are
// pickled for a child: whoever receives a proxy may use the manager.

import { SHARE, type Shareable, type SharedState } from '../internal/codec.js';
import { type Address } from './address.js';
import { channelFor, type CallOptions, type Channel } from './channel.js';

/** The shareable tag of every Manager proxy. */
export const PROXY_TAG = 'weft.manager.proxy';

/** @internal What a proxy refers to. */
export interface ProxyRef {
  readonly address: Address;
  readonly authkey: Uint8Array;
  readonly id: number;
  readonly typeid: string;
}

/** @internal */
export let invoke: (
  proxy: BaseProxy,
  method: string,
  args: unknown[],
  options?: CallOptions,
) => Promise<unknown>;
/** @internal */
export let invokeSync: (proxy: BaseProxy, method: string, args: unknown[]) => unknown;

/**
 * A proxy for an object that lives in a Manager's server. Every call is a
 * request to the server: the async form returns a promise, the `…Sync` form
 * blocks the calling thread until the answer (as Python's proxies do).
 *
 * @remarks *Ordering*: calls made by one thread reach the server in the
 * order that thread made them, whichever form.
 * @example
 * ```ts
 * const d = await manager.dict();
 * await d.set('a', 1);   // async: a promise of the server's answer
 * d.getSync('a');        // Sync: blocks this thread until the answer (1)
 * ```
 */
export abstract class BaseProxy implements Shareable {
  readonly #ref: ProxyRef;
  #channel: Channel | undefined;

  /** @internal */
  constructor(ref: ProxyRef) {
    this.#ref = ref;
  }

  /** The typeid this proxy's object was created with (`'dict'`, `'Lock'`, a registered one…). */
  get typeid(): string {
    return this.#ref.typeid;
  }

  /** The manager's address. */
  get address(): Address {
    return this.#ref.address;
  }

  /** @internal */
  [SHARE](): SharedState {
    return { tag: PROXY_TAG, state: this.#ref };
  }

  #open(): Channel {
    let channel = this.#channel;
    // A dead channel may have been replaced in this thread's table (Manager.connect).
    if (channel === undefined || channel.dead !== 0) {
      channel = channelFor(this.#ref.address, this.#ref.authkey);
      this.#channel = channel;
    }
    return channel;
  }

  toString(): string {
    return `<${this.#ref.typeid} proxy ${this.#ref.id}>`;
  }

  static {
    invoke = (proxy, method, args, options) => {
      // An async call never throws: what fails before the request is sent (no
      // channel, a value that cannot be encoded) rejects its promise.
      try {
        return proxy.#open().call(proxy.#ref.id, method, args, options);
      } catch (error) {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrows what was thrown
        return Promise.reject(error);
      }
    };
    invokeSync = (proxy, method, args) => proxy.#open().callSync(proxy.#ref.id, method, args);
  }
}

/** Adds `name(...args)` (a promise) and `nameSync(...args)` for each name. */
export function remoteMethods(target: { prototype: BaseProxy }, names: readonly string[]): void {
  for (const name of names) {
    Object.defineProperty(target.prototype, name, {
      value: function (this: BaseProxy, ...args: unknown[]): Promise<unknown> {
        return invoke(this, name, args);
      },
      writable: true,
      configurable: true,
    });
    Object.defineProperty(target.prototype, `${name}Sync`, {
      value: function (this: BaseProxy, ...args: unknown[]): unknown {
        return invokeSync(this, name, args);
      },
      writable: true,
      configurable: true,
    });
  }
}
