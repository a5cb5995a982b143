// The option shapes of the in-thread primitives: one set for every module
// (internal/options.ts), without the blocking (`Sync`) forms, which would
// deadlock a single thread.
export type { AcquireOptions, QueueWaitOptions, WaitOptions } from '../internal/options.js';
