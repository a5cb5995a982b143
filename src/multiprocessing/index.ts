/**
 * Python's `multiprocessing.Pool` API (`apply`, `map`, `imap`, `starmap`, their
 * async forms, `AsyncResult`) over weft's process and thread pool executors,
 * `Process`, `Manager` with its proxies, `cpuCount`, and the module-level
 * `Value`, `Array`, `Lock`, `RLock`, `Semaphore`, `BoundedSemaphore`,
 * `Event`, `Condition`, `Barrier`, `Queue`, `JoinableQueue` that work across
 * processes (served by the process that makes them).
 *
 * @module weft/multiprocessing
 */
export { Pool, ThreadPool, AsyncResult, cpuCount } from './pool.js';
export type { PoolOptions, AsyncResultOptions, ChunkOptions } from './pool.js';
export { Process, currentProcess, parentProcess, activeChildren } from './process.js';
export type { ProcessOptions, ProcessInfo } from './process.js';
export { Manager } from './manager.js';
export type { ManagerStartOptions, ManagerConnectOptions, ManagedQueueOptions } from './manager.js';
export type { Address } from './address.js';
export { ManagerError, AuthenticationError } from './errors.js';
export { BaseProxy } from './proxy-base.js';
export {
  DictProxy,
  ListProxy,
  NamespaceProxy,
  ValueProxy,
  ArrayProxy,
  ObjectProxy,
} from './proxies-data.js';
export type { DictKey, Numeric } from './proxies-data.js';
export {
  LockProxy,
  RLockProxy,
  SemaphoreProxy,
  EventProxy,
  ConditionProxy,
  BarrierProxy,
  QueueProxy,
} from './proxies-sync.js';
export type { QueueProxyWaitOptions } from './proxies-sync.js';
export { Value, Array } from './sharedctypes.js';
export type { SynchronizedOptions } from './sharedctypes.js';
export {
  Lock,
  RLock,
  Semaphore,
  BoundedSemaphore,
  Event,
  Condition,
  Barrier,
} from './synchronize.js';
export type { BarrierProcessOptions } from './synchronize.js';
export { Queue, JoinableQueue } from './queues.js';
// The errors its methods throw, one class each with weft/threading's and weft/queue's.
export { BrokenBarrierError } from '../internal/broken-barrier.js';
export { QueueEmpty, QueueFull, QueueShutDown } from '../internal/queue-errors.js';
export { WeftError, TimeoutError, StateError } from '../internal/errors.js';
