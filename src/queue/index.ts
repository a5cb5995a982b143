/**
 * Python's `queue`: FIFO, LIFO, priority and simple queues that work across
 * threads; items are copied, shareables inside them stay live.
 *
 * @module weft/queue
 */
export { Queue, LifoQueue, PriorityQueue } from './queue.js';
export type { QueueOptions, QueueWaitOptions, QueueWaitSyncOptions } from './queue.js';
export { SimpleQueue } from './simple-queue.js';
export { QueueEmpty, QueueFull, QueueShutDown } from '../internal/queue-errors.js';
export { QueueMemoryError } from './store.js';
export { WeftError, TimeoutError, StateError } from '../internal/errors.js';
