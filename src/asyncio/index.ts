/**
 * Python's `asyncio`, in one thread: the event loop's scheduling, task groups,
 * timeouts, and locks, events, conditions, barriers and queues that hold
 * references (nothing is copied).
 *
 * @module weft/asyncio
 */
export { EventLoop, Handle, TimerHandle, getEventLoop } from './event-loop.js';
export type { ExceptionContext, ExceptionHandler } from './event-loop.js';
export { TaskGroup, Task } from './task-group.js';
export type { TaskGroupOptions, TaskLike } from './task-group.js';
export { gather } from './gather.js';
export type { GatherOptions, Gathered, GatheredOrErrors } from './gather.js';
export { waitFor } from './wait-for.js';
export type { WaitForOptions } from './wait-for.js';
export { Timeout, timeout, timeoutAt } from './timeout.js';
export type { TimeoutOptions } from './timeout.js';
export { sleep } from './sleep.js';
export type { SleepOptions } from './sleep.js';
export { shield } from './shield.js';
export type { ShieldOptions } from './shield.js';
export { Lock } from './lock.js';
export { Semaphore, BoundedSemaphore } from './semaphore.js';
export { Event } from './event.js';
export { Condition } from './condition.js';
export { Barrier } from './barrier.js';
export type { BarrierOptions } from './barrier.js';
export { Queue } from './queue.js';
export type { QueueOptions, QueueStore, ShutdownOptions } from './queue.js';
export { LifoQueue } from './lifo-queue.js';
export { PriorityQueue } from './priority-queue.js';
export type { Prioritized, Priority } from './priority-queue.js';
export { coroutine } from './coroutine.js';
export type { AcquireOptions, QueueWaitOptions, WaitOptions } from './options.js';
export { CancelledError, TaskGroupError } from './errors.js';
export { Guard } from '../internal/guard.js';
export { BrokenBarrierError } from '../internal/broken-barrier.js';
export { QueueEmpty, QueueFull, QueueShutDown } from '../internal/queue-errors.js';
export { WeftError, TimeoutError, StateError } from '../internal/errors.js';
