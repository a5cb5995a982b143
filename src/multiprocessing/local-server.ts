// The server of weft/multiprocessing's own Value, Array, Lock, Queue…: a
// private Manager started in this thread the first time one is made, never
// shut down (it dies with the thread: its worker is unref'd, so it never
// keeps the process alive). Their proxies carry its address and authkey, so
// every process or thread they are passed to reaches it. Made in a child, an
// object lives in that child's own server, as Python's lives in the memory
// of the process that made it.
//
// An own object's reference is a Manager proxy reference marked `own`, plus
// what its class keeps (Value's lock and type): it crosses as a proxy (a
// PROCESS_SAFE tag) and is rebuilt as the same class (proxies.ts).

import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { channelFor } from './channel.js';
import { startPrivateSync, type PrivateServer } from './manager.js';
import { registerOwnClass } from './proxies.js';
import type { BaseProxy, ProxyRef } from './proxy-base.js';

/** The reference of an own object. */
export interface OwnRef extends ProxyRef {
  readonly own: true;
}

let server: PrivateServer | undefined;
let adopting: Record<string, unknown> | undefined;

/** This thread's private server, started (blocking, a few ms) on first use. */
function local(): PrivateServer {
  if (server === undefined) {
    server = startPrivateSync();
    const { address } = server.manager;
    if ('path' in address) {
      process.once('exit', () => rmSync(dirname(address.path), { recursive: true, force: true }));
    }
  }
  return server;
}

/**
 * Creates an own object: in this thread's private server, or beside `near`
 * (a Condition goes where its lock lives). Blocks until the server answers.
 */
export function createOwn<X extends object>(
  typeid: string,
  args: unknown[],
  extra?: X,
  near?: ProxyRef,
): OwnRef & X {
  let ref: ProxyRef;
  if (near === undefined) ref = local().createRef(typeid, args);
  else {
    const id = channelFor(near.address, near.authkey).callSync(0, 'create', [typeid, ...args]);
    ref = { address: near.address, authkey: near.authkey, id: id as number, typeid };
  }
  return { ...ref, own: true, ...(extra as X) };
}

/**
 * The reference (and kept state) of the object being rebuilt, once: a
 * constructor calls it first, and creates a new object only when it returns
 * undefined (`super(adopted() ?? createOwn(…))`).
 */
export function adopted<S extends object = object>(): (OwnRef & S) | undefined {
  const state = adopting;
  adopting = undefined;
  return state as (OwnRef & S) | undefined;
}

/**
 * Registers how an own class arrives: `check` validates the kept state
 * (anything but the reference fields) and returns it; the class's
 * constructor then adopts the reference instead of creating an object.
 */
export function registerOwn(
  typeid: string,
  Class: new () => BaseProxy,
  check: (state: Record<string, unknown>) => object = () => ({}),
): void {
  registerOwnClass(typeid, (state, ref) => {
    adopting = { ...ref, own: true, ...check(state) };
    try {
      return new Class();
    } finally {
      adopting = undefined;
    }
  });
}
