export { Queue, LifoQueue, PriorityQueue } from './queue.js';
export type { QueueOptions, QueueWaitOptions, QueueWaitSyncOptions } from './queue.js';
export { SimpleQueue } from './simple-queue.js';
export { QueueEmpty, QueueFull, QueueShutDown } from '../internal/queue-errors.js';
export { QueueMemoryError } from './store.js';
