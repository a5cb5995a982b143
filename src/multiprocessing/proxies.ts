// Builds the proxy class for a typeid, and registers the reviver that
// rebuilds proxies arriving from another thread or process.

import { registerShareable } from '../internal/codec.js';
import { StateError } from '../internal/errors.js';
import { checkAddress } from './address.js';
import {
  ArrayProxy,
  DictProxy,
  ListProxy,
  NamespaceProxy,
  ObjectProxy,
  ValueProxy,
} from './proxies-data.js';
import {
  BarrierProxy,
  ConditionProxy,
  EventProxy,
  LockProxy,
  QueueProxy,
  RLockProxy,
  SemaphoreProxy,
} from './proxies-sync.js';
import { PROXY_TAG, type BaseProxy, type ProxyRef } from './proxy-base.js';

const CLASSES: Record<string, new (ref: ProxyRef) => BaseProxy> = {
  dict: DictProxy,
  list: ListProxy,
  Namespace: NamespaceProxy,
  Value: ValueProxy,
  Array: ArrayProxy,
  Lock: LockProxy,
  RLock: RLockProxy,
  Semaphore: SemaphoreProxy,
  BoundedSemaphore: SemaphoreProxy,
  Event: EventProxy,
  Condition: ConditionProxy,
  Barrier: BarrierProxy,
  Queue: QueueProxy,
  JoinableQueue: QueueProxy,
  LifoQueue: QueueProxy,
  PriorityQueue: QueueProxy,
};

// weft/multiprocessing's own classes (Value, Lock, Queue…: refs marked `own`),
// registered by their modules: a proxy of one arrives as that class.
const OWN = new Map<string, (state: Record<string, unknown>, ref: ProxyRef) => BaseProxy>();

/** @internal Registers how an own class (`new Lock()`…) is rebuilt from its state. */
export function registerOwnClass(
  typeid: string,
  revive: (state: Record<string, unknown>, ref: ProxyRef) => BaseProxy,
): void {
  OWN.set(typeid, revive);
}

/** @internal The proxy for `ref`: its typeid's class, or an ObjectProxy for a registered type. */
export function makeProxy(ref: ProxyRef): BaseProxy {
  const Class = Object.hasOwn(CLASSES, ref.typeid) ? CLASSES[ref.typeid]! : ObjectProxy;
  return new Class(ref);
}

registerShareable(PROXY_TAG, (state) => {
  const s = state as Partial<ProxyRef> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    !(s.authkey instanceof Uint8Array) ||
    typeof s.id !== 'number' ||
    !Number.isInteger(s.id) ||
    typeof s.typeid !== 'string'
  ) {
    throw new StateError('ERR_SHAREABLE_INVALID', 'Cannot rebuild a manager proxy from this state');
  }
  const ref = { address: checkAddress(s.address), authkey: s.authkey, id: s.id, typeid: s.typeid };
  const own = (s as { own?: unknown }).own === true ? OWN.get(s.typeid) : undefined;
  return own === undefined ? makeProxy(ref) : own(s, ref);
});
