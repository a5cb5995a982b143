/**
 * Python's `threading`: a `Thread` is a worker thread (its own isolate, no
 * GIL), and the locks, events, conditions and barriers work across threads,
 * over shared memory, with async forms and blocking `…Sync` twins.
 *
 * @module weft/threading
 */
export { Thread } from './thread.js';
export type { ThreadOptions } from './thread.js';
export { currentThread, mainThread, enumerate, activeCount } from './identity.js';
export { setExcepthook, defaultExcepthook } from './excepthook.js';
export type { ExceptHook, ExceptHookArgs } from './excepthook.js';
export { Lock } from './lock.js';
export { RLock } from './rlock.js';
export { Semaphore, BoundedSemaphore } from './semaphore.js';
export type { SemaphoreOptions } from './semaphore.js';
export { Event } from './event.js';
export { Condition } from './condition.js';
export type { ConditionOptions } from './condition.js';
export { Barrier, BrokenBarrierError } from './barrier.js';
export type { BarrierOptions } from './barrier.js';
export { Guard } from './guard.js';
export type { AcquireOptions, AcquireSyncOptions, WaitOptions, WaitSyncOptions } from './guard.js';
export { tasks } from '../internal/task-ref.js';
export type { TaskRef, TaskModule, Target } from '../internal/task-ref.js';
export { WeftError, TimeoutError, StateError } from '../internal/errors.js';
